package normalize

import "testing"

// TestNIKValidAgreesWithNIK checks that the allocation-free scanner check accepts
// exactly the 16-digit strings NIK accepts.
func TestNIKValidAgreesWithNIK(t *testing.T) {
	for _, s := range []string{
		"3171011708450001", "3171015708450001", "3171012902001234", "3171013002001234",
		"9971011708450001", "3100011708450001", "3170011708450001", "3171001708450001",
		"3171013208450001", "3171017208450001", "3171011713450001", "3171011708450000",
		"317101170845000", "31710117084500011", "3171O11708450001", "1101012902000001",
		"1101016902000001", "1101012901000001",
	} {
		_, err := NIK(s)
		if got, want := NIKValid([]byte(s)), err == nil && len(s) == 16; got != want {
			t.Errorf("NIKValid(%s) = %v, NIK says %v", s, got, want)
		}
	}
}
