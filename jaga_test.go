package jaga_test

import (
	"testing"
	"time"

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

func TestCheckRecordTime(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t  time.Time
		ok bool
	}{
		{time.Time{}, false}, // year 0001: the zero time
		{time.Date(1, 1, 1, 0, 0, 0, 0, jaga.WIB), false},
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{time.Unix(0, 0), true},
		{time.Date(2024, 5, 1, 9, 30, 0, 0, jaga.WIB), true},
		{now.Add(24 * time.Hour), true},
		{now.Add(24*time.Hour + time.Second), false},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		err := jaga.CheckRecordTime("at", tc.t, now)
		if (err == nil) != tc.ok {
			t.Errorf("%v: %v, want ok=%v", tc.t, err, tc.ok)
			continue
		}
		if e := jaga.AsError(err); err != nil && (e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "at") {
			t.Errorf("%v: %v, want EUNPROCESSABLE naming at", tc.t, err)
		}
	}
}
