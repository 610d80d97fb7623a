package jaga_test

import (
	"testing"

	"jaga"
)

func TestLooksPersonal(t *testing.T) {
	for s, want := range map[string]bool{
		"TICKET-4211":                  false,
		"DOI-20230102-AB12CD":          false,
		"DOI-20230102-123456":          false,
		"FRM-TOKO-2024-0003":           false,
		"notice-id-v2":                 false,
		"customer called about refund": false,
		"NIK 1207225311570003":         true,
		"call 0812-3456-7890":          true,
		"+62 812 3456 7890":            true,
		"v.rahmawati@example.com":      true,
		"tick\u202eet":                 true,
	} {
		if got := jaga.LooksPersonal(s); got != want {
			t.Errorf("LooksPersonal(%q) = %v", s, got)
		}
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"email":                    "email",
		"mnt_wines":                "mnt_wines",
		"@attributes":              "@attributes",
		"Jaga-Purpose":             "(invalid name)",
		"budi.santoso@example.org": "(invalid name)",
		"3171011505900001":         "(invalid name)",
		"+6281234567890":           "(invalid name)",
		"\ufffd":                   "(invalid name)",
	} {
		if got := jaga.SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q; want %q", in, got, want)
		}
	}
}
