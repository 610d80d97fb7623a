package main

import (
	"strings"
	"testing"
)

// TestQuarantineFixArgs: a value given to quarantine fix as an argument instead of with
// --set is refused with the --set form that takes it (naming the field, never the
// value), not cobra's "accepts 1 arg(s)"; the help line shows the --set form.
func TestQuarantineFixArgs(t *testing.T) {
	dir := t.TempDir()
	const phone = "081234567890"
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"Positional", []string{noRow, "phone=" + phone},
			[]string{"jaga: error: quarantine fix: phone=… is given as an argument; values go with --set\n", "jaga: hint: jaga quarantine fix ID --set phone=VALUE"}},
		{"PositionalAfterSet", []string{noRow, "--set", "nik=", "phone=" + phone},
			[]string{"phone=… is given as an argument", "--set phone=VALUE"}},
		{"OddField", []string{noRow, "Phone Number=" + phone},
			[]string{"jaga: error: quarantine fix: FIELD=VALUE is given as an argument", "jaga: hint: jaga quarantine fix ID --set FIELD=VALUE"}},
		{"Words", []string{noRow, "phone", phone},
			[]string{"jaga: error: quarantine fix takes only the row ID, got 3 arguments; values go with --set FIELD=VALUE", "--set FIELD= removes the field"}},
		{"NoID", nil, []string{"jaga: error: quarantine fix needs the row ID", "--set FIELD=VALUE"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runMain(t, append([]string{"quarantine", "fix", "--dir", dir}, c.args...)...)
			if code != 2 || strings.Contains(errs, "accepts") || strings.Contains(errs, phone) || strings.Contains(out, phone) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 without cobra's message or the value", code, out, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q does not say %q", errs, w)
				}
			}
		})
	}
	out, _, _ := runMain(t, "quarantine", "--help")
	if !strings.Contains(out, "--set FIELD=VALUE (--set FIELD= removes the field)") {
		t.Errorf("quarantine --help does not show the --set form of fix:\n%s", out)
	}
}
