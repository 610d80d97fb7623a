package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga/importer"
)

// TestImportReportPath: --report naming an input file, or a path that cannot be
// written, is refused before anything is imported, and the input is left as it was.
func TestImportReportPath(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	body := "full_name,email\nAni Lestari,ani@example.com\n"
	if err := os.WriteFile(in, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	vault := filepath.Join(dir, "vault")
	for _, tc := range []struct{ report, want string }{
		{in, "is the input file"},
		{filepath.Join(dir, "missing", "r.json"), "cannot be written"},
	} {
		code, _, stderr := run(t, "import", "--dir", vault, "--report", tc.report, in)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("--report %s: exit %d, %s", tc.report, code, stderr)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != body {
		t.Fatal("the input file was changed")
	}
	if _, err := os.Stat(filepath.Join(vault, "data")); err == nil {
		t.Fatal("a vault was opened although the report path was refused")
	}
}

// TestImportSummaryPurchasesOnly: importing a purchases file prints the purchases line
// and no table of people rows (which would read 0 for a file that has thousands of
// lines); a people file still gets its table, also one keyed by customer_id (a CRM
// export: people, not purchases, since it has fields and no purchase columns).
func TestImportSummaryPurchasesOnly(t *testing.T) {
	dir := t.TempDir()
	vault := filepath.Join(dir, "vault")
	people := filepath.Join(dir, "people.csv")
	purchases := filepath.Join(dir, "purchases.csv")
	if err := os.WriteFile(people, []byte("customer_id,full_name,email\nC-1,Ani Lestari,ani@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(purchases, []byte("customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price\n"+
		"C-1,536365,85123A,KOPI,1,2024-05-01 08:26:00,2.55\nC-1,536366,71053,TEH,2,2024-05-02 09:00:00,3.39\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "import", "--dir", vault, people)
	if code != 0 || !strings.Contains(out, "people.csv") || !strings.Contains(out, "created") {
		t.Fatalf("people import: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(t, "import", "--dir", vault, purchases)
	if code != 0 || !strings.Contains(out, "purchases: 2 lines: 2 linked") {
		t.Fatalf("purchases import: exit %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(out, "created") || strings.Contains(out, "total") {
		t.Errorf("purchases import printed a people table:\n%s", out)
	}
}

// TestImportReportFailedFile: a run whose file cannot be read (not text) writes a
// report that names it and the files after it as failed, with why, besides the exit
// status.
func TestImportReportFailedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	later := filepath.Join(dir, "later.csv")
	report := filepath.Join(dir, "report.json")
	if err := os.WriteFile(good, []byte("full_name,email\nAni Lestari,ani@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("PK\x03\x04\x00\x00\x00binary"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(later, []byte("full_name,email\nBudi Santoso,budi@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "import", "--dir", filepath.Join(dir, "vault"), "--report", report, good, bad, later)
	if code == 0 || !strings.Contains(stderr, "bad.csv") {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep importer.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1 || len(rep.Failed) != 2 || rep.Failed[0].File != "bad.csv" || !strings.Contains(rep.Failed[0].Error, "not a text file") ||
		rep.Failed[1].File != "later.csv" {
		t.Fatalf("report: created %d, failed %+v", rep.Created, rep.Failed)
	}
}
