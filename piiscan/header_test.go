package piiscan

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jaga/pii"
)

// split turns "a;b\nc;d" into records (no quoting: the table's cells hold none).
func split(s string) [][]string {
	var recs [][]string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		recs = append(recs, strings.Split(l, ";"))
	}
	return recs
}

// TestCSVHeader: csvHeader's rules, one case each way.
func TestCSVHeader(t *testing.T) {
	for _, c := range []struct {
		name, in string
		header   bool
	}{
		{"bahasa header", "Nama Lengkap;No. HP/WA;Email;L/P\nSiti Aminah;081234567890;siti@example.com;P\nBudi;081298765432;budi@example.com;L", true},
		{"CRM header", "source_id;full_name;Year_Birth;AcceptedCmp3\n5524;Siti;1957;0\n2174;Budi;1954;0", true},
		{"empty header cell over text", "id;;catatan\n1;x;tidak ada\n2;y;ada", true},
		{"lone record", "Nama;Email", false},
		{"name, email, phone", "Siti Aminah;siti@example.com;081234567890\nBudi Santoso;budi@example.com;081298765432", false},
		{"name over empty identifiers", "Siti Aminah;;\nBudi Santoso;budi@example.com;081298765432\nRina Wati;rina@example.com;081311112222", false},
		{"text only", "Siti Aminah;Bandung\nBudi Santoso;Bogor\nRina Wati;Depok", false},
		{"value recurs", "Siti Aminah;Bandung;F\nBudi Santoso;Bogor;1980\nRina Wati;Bandung;1990", false},
		{"mixed notes column", "Siti Aminah;Bandung\nBudi (WA 0812-9876-5432);Bogor\nRina Wati;Depok\nAgus;Solo", false},
		{"long cell", "Nama;" + strings.Repeat("x", 65) + "\nSiti;12", false},
		{"a digit run", "Nama;Tahun 2024\nSiti;12", false},
		{"a NIK", "Nama;NIK 3171011708450001\nSiti;1", false},
		{"all empty", ";\n1;2", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := split(c.in)
			got := csvHeader(recs)
			if c.header != (got != nil) || got != nil && !slices.Equal(got, recs[0]) {
				t.Errorf("header %q, want header %v", got, c.header)
			}
		})
	}
}

// TestScanHeaderlessCSV: in a CSV file without a header whose first row is a person's
// name, e-mail and phone, the row's values appear nowhere in the scan's report (hits,
// warnings, JSON), with name detection on and off; the row is scanned as data (its
// e-mail and phone are counted, on line 1) and the columns are named by number, with a
// warning that says so. The second row carries a phone in the name column, whose hit
// would be named after the first row's name if that row were taken for a header. A
// normal file (pipe-delimited) keeps its header names and gets no such warning.
func TestScanHeaderlessCSV(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "noheader.csv"),
		"Siti Aminah;siti.aminah@example.com;081234567890\r\n"+
			"Budi Santoso (WA 0812-9876-5432);budi.santoso@example.com;081298765432\r\n"+
			"Rina Wati;rina.wati@example.com;\r\n")
	mustWrite(t, filepath.Join(dir, "gap.csv"),
		"Siti Aminah,,\n"+
			"Budi Santoso (WA 0812-9876-5432),budi.santoso@example.com,081298765432\n"+
			"Rina Wati,rina.wati@example.com,081311112222\n")
	mustWrite(t, filepath.Join(dir, "header.csv"),
		"Nama Lengkap|Alamat Email|No. HP/WA\n"+
			"Siti Aminah|siti.aminah@example.com|081234567890\n"+
			"Budi Santoso|budi.santoso@example.com|081298765432\n")
	secrets := []string{"Siti", "Aminah", "siti.aminah", "081234567890", "812-3456"}
	for _, names := range []bool{false, true} {
		reps, err := ScanPaths(context.Background(), []string{dir}, Options{Scanner: pii.MustScanner(pii.Options{Names: names}), KeepHits: true})
		if err != nil {
			t.Fatal(err)
		}
		m := byName(reps)
		out, err := json.Marshal(reps)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"noheader.csv", "gap.csv"} {
			r := m[name]
			b, _ := json.Marshal(r)
			for _, s := range secrets {
				if strings.Contains(string(b), s) {
					t.Errorf("names %v, %s: the report holds %q: %s", names, name, s, b)
				}
			}
			if r.Counts["email"] != 3-btoi(name == "gap.csv") || r.Counts["phone"] < 3 {
				t.Errorf("names %v, %s: counts %v", names, name, r.Counts)
			}
			first := 0
			for _, h := range r.Hits {
				if !strings.HasPrefix(h.Column, "column ") {
					t.Errorf("names %v, %s: hit in column %q", names, name, h.Column)
				}
				if h.Line == 1 {
					first++
				}
			}
			if want := 2 * btoi(name == "noheader.csv"); first < want {
				t.Errorf("names %v, %s: %d hits on line 1, want %d or more (the first row is data)", names, name, first, want)
			}
			if !slices.ContainsFunc(r.Warnings, func(w string) bool { return strings.Contains(w, "read as data, not as a header") }) {
				t.Errorf("names %v, %s: warnings %q", names, name, r.Warnings)
			}
		}
		h := m["header.csv"]
		var cols []string
		for _, x := range h.Hits {
			// The header is scanned too (with names on, the detector takes "Nama
			// Lengkap" for a name); its hits are named by number.
			if x.Line > 1 && !slices.Contains(cols, x.Column) {
				cols = append(cols, x.Column)
			}
		}
		slices.Sort(cols)
		if want := []string{"Alamat Email", "No. HP/WA"}; !slices.Equal(cols, want) && !slices.Equal(cols, []string{"Alamat Email", "Nama Lengkap", "No. HP/WA"}) {
			t.Errorf("names %v, header.csv: hit columns %q, want %q", names, cols, want)
		}
		if h.Counts["email"] != 2 || len(h.Warnings) != 0 {
			t.Errorf("names %v, header.csv: %+v", names, h)
		}
		for _, s := range []string{"Budi", "budi.santoso", "Rina"} {
			if strings.Contains(string(out), s) {
				t.Errorf("names %v: the report holds %q", names, s)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
