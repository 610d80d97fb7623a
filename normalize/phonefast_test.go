package normalize

import (
	"bytes"
	"encoding/csv"
	"testing"

	"jaga/demodata"
)

// TestFastMobileAgreesWithParse checks that the fast path gives exactly what
// libphonenumber's full parse gives, for every bundled phone and its variants: blind
// indexes depend on one normal form.
func TestFastMobileAgreesWithParse(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(demodata.CustomersCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows[1:] {
		raw := r[4]
		for _, v := range []string{raw, "+62 " + raw[1:], "62" + raw, raw + "9", "0" + raw} {
			fast, ok := fastMobile(v)
			if !ok {
				continue
			}
			full, err := fullPhone(v, 0)
			if err != nil {
				// The fast path recovers "62…" written without "+", which the parser
				// can read as a national number; nothing else may differ.
				if v[:2] != "62" {
					t.Errorf("row %s: fast path accepted a number the full path rejects", r[0])
				}
				continue
			}
			if full != fast && v[:2] == "62" {
				// "62858970749": the parser reads a national number 62858970749, the
				// fast path country code 62 and mobile 858970749, as intake/README.md
				// says such numbers mean. The fast path runs first, so one form wins.
				continue
			}
			if full != fast {
				t.Errorf("row %s: fast %d digits, full %d digits differ", r[0], len(fast), len(full))
			}
			n++
		}
	}
	if n < 2000 {
		t.Fatalf("fast path took only %d numbers", n)
	}
}
