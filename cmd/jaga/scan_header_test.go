package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanHeaderlessCSVOutput: `jaga scan` on a CSV file without a header, whose first
// row is a name, an e-mail and a phone (and whose second row has a phone in the name
// column), prints none of the first row's values, in the table or in --json, with
// --names or without; the row is counted as data (3 e-mails), and the warning says the
// first record was read as data.
func TestScanHeaderlessCSVOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kontak.csv")
	body := "Siti Aminah,siti.aminah@example.com,081234567890\n" +
		"Budi Santoso (WA 0812-9876-5432),budi.santoso@example.com,081298765432\n" +
		"Rina Wati,rina.wati@example.com,081311112222\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"scan", path}, {"scan", "--names", path}, {"scan", "--json", path}, {"scan", "--json", "--names", path},
	} {
		code, out, errs := runJaga(t, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d\n%s%s", args, code, out, errs)
		}
		for _, v := range []string{"Siti", "Aminah", "siti.aminah", "081234567890", "Budi", "Rina"} {
			if strings.Contains(out+errs, v) {
				t.Errorf("%q prints %q:\n%s%s", args, v, out, errs)
			}
		}
		if !strings.Contains(out, "read as data, not as a header") {
			t.Errorf("%q: no warning about the first record:\n%s", args, out)
		}
		if args[1] != "--json" && !strings.Contains(out, "email 3") || args[1] == "--json" && !strings.Contains(out, `"email": 3`) {
			t.Errorf("%q: the first row's e-mail is not counted:\n%s", args, out)
		}
	}
}
