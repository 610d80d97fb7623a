package gate_test

import (
	"slices"
	"strings"
	"testing"

	"jaga/gate"
	"jaga/pii"
)

// TestMaskUndeclared: a card number and an NPWP typed into an address are masked but
// their last four characters; a declared kind (the subject's own e-mail) and text
// without identifiers are left as they are; the masked text holds no identifier the
// scanner finds.
func TestMaskUndeclared(t *testing.T) {
	for _, c := range []struct {
		in, want string
		kinds    []pii.Kind
	}{
		{"Jl. Melati 1, kartu 4111 1111 1111 1111", "Jl. Melati 1, kartu •••• •••• •••• 1111", []pii.Kind{pii.Card}},
		{"Jl. Asia Afrika 8, NPWP 01.312.166.0-091.000", "Jl. Asia Afrika 8, NPWP ••.•••.•••.•-••1.000", []pii.Kind{pii.NPWP}},
		{"Jl. Mawar 2, Bandung", "Jl. Mawar 2, Bandung", nil},
	} {
		got, kinds := gate.MaskUndeclared(c.in, []pii.Kind{pii.Email})
		if got != c.want || !slices.Equal(kinds, c.kinds) {
			t.Errorf("MaskUndeclared(%q) = %q %v; want %q %v", c.in, got, kinds, c.want, c.kinds)
		}
		if fs := pii.Scan(got); len(fs) > 0 && c.kinds != nil {
			t.Errorf("masked %q still holds %v", got, fs)
		}
	}
	const mail = "kirim ke budi.santoso@example.com"
	if got, kinds := gate.MaskUndeclared(mail, []pii.Kind{pii.Email}); got != mail || kinds != nil {
		t.Errorf("declared e-mail masked: %q %v", got, kinds)
	}
	if got, _ := gate.MaskUndeclared(mail, nil); strings.Contains(got, "budi") {
		t.Errorf("undeclared e-mail not masked: %q", got)
	}
}
