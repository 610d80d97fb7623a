package piiscan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"jaga/pii"
)

const sc3Text = "hubungi 0812-3456-7890 a@example.com\n"

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func redactOpts() Options {
	return Options{Scanner: pii.MustScanner(pii.Options{}), Redact: &pii.Redaction{Mode: pii.Label}}
}

// TestScanPathsRedactOverInput: a redaction directory that is, or contains, an input is
// refused before any file is touched (issue 8, defect 1: "--redact sc3 sc3" left the
// file empty and reported it clean).
func TestScanPathsRedactOverInput(t *testing.T) {
	dir := t.TempDir()
	sc3 := filepath.Join(dir, "sc3")
	n := filepath.Join(sc3, "n.txt")
	mustWrite(t, n, sc3Text)
	mustWrite(t, filepath.Join(dir, "a.txt"), "a\n")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(sc3, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, out string
		in        []string
	}{
		{"SameDir", sc3, []string{sc3}},
		{"DotDir", sc3 + "/.", []string{n}},
		{"Symlink", link, []string{sc3}},
		{"Parent", dir, []string{sc3}},
		{"ParentOfFile", dir, []string{n}},
		{"SecondArg", sc3, []string{filepath.Join(dir, "a.txt"), n}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := redactOpts()
			o.RedactDir = c.out
			reps, err := ScanPaths(context.Background(), c.in, o)
			if err == nil || !strings.Contains(err.Error(), "overwritten") || len(reps) != 0 {
				t.Fatalf("reports %v, error %v", reps, err)
			}
			if b, _ := os.ReadFile(n); string(b) != sc3Text {
				t.Fatalf("input now %q", b)
			}
		})
	}
	t.Run("OKOutsideInput", func(t *testing.T) {
		o := redactOpts()
		o.RedactDir = filepath.Join(dir, "out")
		reps, err := ScanPaths(context.Background(), []string{sc3}, o)
		if err != nil || len(reps) != 1 || reps[0].Counts["phone"] != 1 {
			t.Fatalf("%+v %v", reps, err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "out", "n.txt"))
		if string(b) != "hubungi [PHONE] [EMAIL]\n" {
			t.Fatalf("copy %q", b)
		}
	})
}

// TestScanPathsRedactInsideInput: an output directory inside the scanned directory is
// skipped, so a second run does not scan (and nest) the first run's copies.
func TestScanPathsRedactInsideInput(t *testing.T) {
	sc2 := t.TempDir()
	mustWrite(t, filepath.Join(sc2, "n.txt"), sc3Text)
	o := redactOpts()
	o.RedactDir = filepath.Join(sc2, "out")
	for run := 1; run <= 2; run++ {
		reps, err := ScanPaths(context.Background(), []string{sc2}, o)
		if err != nil || len(reps) != 1 || filepath.Base(reps[0].Path) != "n.txt" {
			t.Fatalf("run %d: %+v %v", run, reps, err)
		}
	}
	if _, err := os.Stat(filepath.Join(sc2, "out", "out")); !os.IsNotExist(err) {
		t.Fatalf("out/out exists: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(sc2, "out", ".*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestScanPathsUnscannable: a file that is not what its name says is reported with its
// path and the reason, the other files are scanned, and no redacted copy of it is left.
func TestScanPathsUnscannable(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "in", "x.xlsx"), "just text, NIK 3171011708450001\n")
	mustWrite(t, filepath.Join(dir, "in", "z.txt"), sc3Text)
	o := redactOpts()
	o.RedactDir = filepath.Join(dir, "out")
	reps, err := ScanPaths(context.Background(), []string{filepath.Join(dir, "in")}, o)
	if err != nil || len(reps) != 2 {
		t.Fatalf("%+v %v", reps, err)
	}
	m := byName(reps)
	x := m["x.xlsx"]
	if !strings.Contains(x.Error, "x.xlsx") || !strings.Contains(x.Error, "not a readable XLSX workbook") || x.Redacted != "" {
		t.Fatalf("x.xlsx: %+v", x)
	}
	if m["z.txt"].Error != "" || m["z.txt"].Counts["phone"] != 1 {
		t.Fatalf("z.txt: %+v", m["z.txt"])
	}
	if bad := Failed(reps); len(bad) != 1 || bad[0].Path != x.Path {
		t.Fatalf("Failed: %+v", bad)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	if len(entries) != 1 || entries[0].Name() != "z.txt" {
		t.Fatalf("out holds %v", entries)
	}
}

// TestScanPathsWindows1252: a CSV and a text file in Windows-1252 (as Excel writes
// them) are decoded, scanned without "not valid UTF-8" warnings, and their redacted
// copies are UTF-8.
func TestScanPathsWindows1252(t *testing.T) {
	dir := t.TempDir()
	enc := func(s string) string {
		b, err := charmap.Windows1252.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mustWrite(t, filepath.Join(dir, "in", "d2d.csv"), enc("Nama;NIK;Catatan\nJosé Pérez;3171011708450001;café – hubungi 0812-3456-7890\n"))
	mustWrite(t, filepath.Join(dir, "in", "note.txt"), enc("Señor Ñoño — NIK 3171011708450001\n"))
	o := redactOpts()
	o.RedactDir = filepath.Join(dir, "out")
	o.KeepHits = true
	reps, err := ScanPaths(context.Background(), []string{filepath.Join(dir, "in")}, o)
	if err != nil {
		t.Fatal(err)
	}
	m := byName(reps)
	for name, want := range map[string]string{
		"d2d.csv":  "Nama;NIK;Catatan\nJosé Pérez;[NIK];café – hubungi [PHONE]\n",
		"note.txt": "Señor Ñoño — NIK [NIK]\n",
	} {
		r := m[name]
		if r.Encoding != "Windows-1252" || r.Counts["nik"] != 1 || len(r.Warnings) == 0 {
			t.Errorf("%s: %+v", name, r)
		}
		for _, w := range r.Warnings {
			if strings.Contains(w, "not valid UTF-8;") {
				t.Errorf("%s: warning %q", name, w)
			}
		}
		if len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "read as Windows-1252") {
			t.Errorf("%s: warnings %q", name, r.Warnings)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "out", name)); string(b) != want {
			t.Errorf("%s: copy %q", name, b)
		}
	}
}

// TestScanPathsUTF16: a UTF-16 file (Excel's "Unicode text") is decoded and scanned,
// and the report says how it was read.
func TestScanPathsUTF16(t *testing.T) {
	dir := t.TempDir()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("Nama\tNIK\nJosé Pérez\t3171011708450001\n")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "in", "unicode.txt"), b)
	reps, err := ScanPaths(context.Background(), []string{filepath.Join(dir, "in")}, redactOpts())
	if err != nil {
		t.Fatal(err)
	}
	r, ok := byName(reps)["unicode.txt"]
	if !ok || r.Encoding != "UTF-16LE with BOM" || r.Counts["nik"] != 1 || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "read as UTF-16LE") {
		t.Errorf("UTF-16 file: %+v", r)
	}
}

// TestScanNoPersonalLabels: personal data in a place that names others is scanned and
// never used as a name: a JSON object keyed by e-mail address (the key is counted,
// redacted in the copy, and named by position), and a CSV file without a header (its
// first row is data, so columns are named by number).
func TestScanNoPersonalLabels(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "in", "by_email.jsonl"), `{"rina.wati@example.com":{"nik":"3171011708450001"}}`+"\n")
	mustWrite(t, filepath.Join(dir, "in", "noheader.csv"), "Budi Santoso,budi.santoso@example.com\nSiti Aminah,siti.aminah@example.com\n")
	o := redactOpts()
	o.RedactDir = filepath.Join(dir, "out")
	o.KeepHits = true
	reps, err := ScanPaths(context.Background(), []string{filepath.Join(dir, "in")}, o)
	if err != nil {
		t.Fatal(err)
	}
	m := byName(reps)
	j := m["by_email.jsonl"]
	if j.Counts["email"] != 1 || j.Counts["nik"] != 1 {
		t.Errorf("JSON keyed by e-mail: counts %v", j.Counts)
	}
	c := m["noheader.csv"]
	for _, r := range []FileReport{j, c} {
		for _, h := range r.Hits {
			if strings.Contains(h.Column, "@") || strings.Contains(h.Column, "3171") {
				t.Errorf("%s: hit named by personal data: %q", filepath.Base(r.Path), h.Column)
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out", "by_email.jsonl")); strings.Contains(string(b), "rina.wati") || strings.Contains(string(b), "3171011708450001") {
		t.Errorf("redacted copy: %s", b)
	}
}

// TestScanDoorToDoorExport: the shared door-to-door export (Windows-1252) scans without
// a single encoding warning per cell.
func TestScanDoorToDoorExport(t *testing.T) {
	path := "../../shared/data/intake/door_to_door_export.csv"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixture missing: %v", err)
		}
		t.Skipf("fixture missing: %v", err)
	}
	reps, err := ScanPaths(context.Background(), []string{path}, Options{Scanner: pii.MustScanner(pii.Options{})})
	if err != nil || len(reps) != 1 {
		t.Fatalf("%+v %v", reps, err)
	}
	if r := reps[0]; r.Encoding != "Windows-1252" || len(r.Warnings) != 1 || r.Counts["nik"] == 0 {
		t.Fatalf("%+v", r)
	}
}
