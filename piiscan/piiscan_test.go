package piiscan

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite" // the "sqlite" driver, which cmd/jaga gets through sqlstore/sqlite

	"jaga/pii"
)

// writeFixtures creates one file of each format with known identifiers.
func writeFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "app.log"), []byte(
		"2024-05-01T10:00:00Z INFO login from 10.1.2.3 user budi@contoh.co.id\n"+
			"2024-05-01T10:00:01Z WARN keterangan: NIK-nya 3171011708450001 hp 0812-3456-7890\n"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "tickets.csv"), []byte(
		"id;keterangan;created\n1;pelanggan minta ganti NIK 3171011708450001;2024-05-01\n2;tidak ada;2024-05-02\n"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(
		`{"id":1,"form":{"email":"siti@example.com"},"nik":3171011708450001}`+"\n"+
			`not json 0812-3456-7890`+"\n"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "blob.bin"), []byte("\x00\x01 3171011708450001"), 0o600))
	must(os.Mkdir(filepath.Join(dir, ".git"), 0o700))
	must(os.WriteFile(filepath.Join(dir, ".git", "x.txt"), []byte("3171011708450001"), 0o600))
	wb := excelize.NewFile()
	must(wb.SetCellStr("Sheet1", "A1", "Nama"))
	must(wb.SetCellStr("Sheet1", "B2", "WA 081234567890"))
	must(wb.SaveAs(filepath.Join(dir, "expo.xlsx")))
	return dir
}

func byName(reps []FileReport) map[string]FileReport {
	m := map[string]FileReport{}
	for _, r := range reps {
		m[filepath.Base(r.Path)] = r
	}
	return m
}

func TestScanPaths(t *testing.T) {
	ctx := context.Background()
	dir := writeFixtures(t)
	sc := pii.MustScanner(pii.Options{})
	reps, err := ScanPaths(ctx, []string{dir}, Options{Scanner: sc, KeepHits: true})
	if err != nil {
		t.Fatal(err)
	}
	m := byName(reps)
	if len(m) != 5 {
		t.Fatalf("%d files reported (hidden directory not skipped?): %v", len(m), m)
	}
	for name, want := range map[string]map[string]int{
		"app.log":      {"ip": 1, "email": 1, "nik": 1, "phone": 1},
		"tickets.csv":  {"nik": 1},
		"events.jsonl": {"email": 1, "nik": 1, "phone": 1},
		"expo.xlsx":    {"phone": 1},
		"blob.bin":     {},
	} {
		got := m[name].Counts
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %s %d, want %d", name, k, got[k], n)
			}
		}
	}
	if h := m["tickets.csv"].Hits; len(h) != 1 || h[0].Column != "keterangan" || h[0].Line != 2 {
		t.Errorf("tickets.csv hit %+v, want line 2 column keterangan", h)
	}
	if h := m["expo.xlsx"].Hits; len(h) != 1 || h[0].Column != "Sheet1!B2" {
		t.Errorf("expo.xlsx hit %+v", h)
	}
	if w := m["events.jsonl"].Warnings; len(w) != 1 || !strings.Contains(w[0], "line 2") {
		t.Errorf("events.jsonl warnings %v", w)
	}
	if m["blob.bin"].Format != "skipped" {
		t.Errorf("binary file format %q", m["blob.bin"].Format)
	}
	t.Run("ErrMissing", func(t *testing.T) {
		// A missing argument is listed with the reason; the other arguments are scanned.
		reps, err := ScanPaths(ctx, []string{filepath.Join(dir, "nope.csv"), filepath.Join(dir, "app.log")}, Options{Scanner: sc})
		if err != nil || len(reps) != 2 || !strings.Contains(reps[0].Error, "nope.csv") || reps[1].Error != "" || len(Failed(reps)) != 1 {
			t.Fatalf("reports %+v, error %v", reps, err)
		}
	})
	t.Run("Redact", func(t *testing.T) {
		out := t.TempDir()
		if _, err := ScanPaths(ctx, []string{dir}, Options{Scanner: sc, Redact: &pii.Redaction{Mode: pii.Label}, RedactDir: out}); err != nil {
			t.Fatal(err)
		}
		again, err := ScanPaths(ctx, []string{out}, Options{Scanner: sc})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range again {
			if len(r.Counts) != 0 && r.Format != "skipped" {
				t.Errorf("redacted %s still holds %v", r.Path, r.Counts)
			}
		}
		b, err := os.ReadFile(filepath.Join(out, "events.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"id":1,"form":{"email":"[EMAIL]"},"nik":"[NIK]"}` + "\nnot json [PHONE]\n"; string(b) != want {
			t.Errorf("redacted events.jsonl\n%s\nwant\n%s", b, want)
		}
		b, _ = os.ReadFile(filepath.Join(out, "tickets.csv"))
		if !strings.Contains(string(b), "1;pelanggan minta ganti NIK [NIK];2024-05-01") {
			t.Errorf("redacted tickets.csv\n%s", b)
		}
	})
}

// TestScanTableSQLite scans a real SQLite file.
func TestScanTableSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crm.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE "customer notes" (id INTEGER PRIMARY KEY, keterangan TEXT, nik INTEGER, created TEXT, blob BLOB)`,
		`INSERT INTO "customer notes" VALUES (1, 'telp 0812-3456-7890', 3171011708450001, '2024-05-01', x'00')`,
		`INSERT INTO "customer notes" VALUES (2, 'email siti@example.com', NULL, '2024-05-02', NULL)`,
		`INSERT INTO "customer notes" VALUES (3, 'tidak ada', 3171015708450001, '2024-05-03', NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	testScanTable(t, "sqlite:"+path, "customer notes")
}

// TestScanTablePostgres runs the same scan on PostgreSQL when JAGA_TEST_POSTGRES_URL
// names a database the test may create a table in.
func TestScanTablePostgres(t *testing.T) {
	url := os.Getenv("JAGA_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("JAGA_TEST_POSTGRES_URL not set")
	}
	db, err := OpenDB(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`DROP TABLE IF EXISTS piiscan_notes`,
		`CREATE TABLE piiscan_notes (id INTEGER PRIMARY KEY, keterangan TEXT, nik BIGINT, created DATE, blob BYTEA)`,
		`INSERT INTO piiscan_notes VALUES (1, 'telp 0812-3456-7890', 3171011708450001, '2024-05-01', '\x00')`,
		`INSERT INTO piiscan_notes VALUES (2, 'email siti@example.com', NULL, '2024-05-02', NULL)`,
		`INSERT INTO piiscan_notes VALUES (3, 'tidak ada', 3171015708450001, '2024-05-03', NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { db.Exec(`DROP TABLE piiscan_notes`) })
	testScanTable(t, url, "piiscan_notes")
}

func testScanTable(t *testing.T, url, table string) {
	t.Helper()
	db, err := OpenDB(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := ScanTable(context.Background(), db, table, 0, pii.MustScanner(pii.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Scanned != 3 {
		t.Fatalf("scanned %d rows", rep.Scanned)
	}
	want := map[string]map[string]int{"id": {}, "keterangan": {"phone": 1, "email": 1}, "nik": {"nik": 2}, "created": {}, "blob": {}}
	for _, c := range rep.Columns {
		w := want[c.Column]
		if len(c.Counts) != len(w) {
			t.Errorf("column %s: %v, want %v", c.Column, c.Counts, w)
		}
		for k, n := range w {
			if c.Counts[k] != n {
				t.Errorf("column %s: %s %d, want %d", c.Column, k, c.Counts[k], n)
			}
		}
	}
	t.Run("Sample", func(t *testing.T) {
		rep, err := ScanTable(context.Background(), db, table, 1, pii.MustScanner(pii.Options{}))
		if err != nil || rep.Scanned != 1 {
			t.Fatalf("sample 1: %v rows, %v", rep, err)
		}
	})
	t.Run("ErrNoTable", func(t *testing.T) {
		if _, err := ScanTable(context.Background(), db, "no_such_table", 0, pii.MustScanner(pii.Options{})); err == nil {
			t.Fatal("no error")
		}
	})
}
