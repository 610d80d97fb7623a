package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"jaga/importer"
)

func intakeFixture(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", "intake", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("intake fixture missing: %v", err)
		}
		t.Skipf("intake fixture missing: %v", err)
	}
	abs, _ := filepath.Abs(p)
	return abs
}

// partition reads a --report file and returns the lines grouped by the subject (or
// quarantine ID) each went to, as sorted groups.
func partition(t *testing.T, path string) (groups []string, rep *importer.Report) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep = &importer.Report{}
	if err := json.Unmarshal(b, rep); err != nil {
		t.Fatal(err)
	}
	by := map[string][]string{}
	for _, l := range rep.Lines {
		if l.Subject != "" {
			by[string(l.Subject)] = append(by[string(l.Subject)], fmt.Sprint(l.Line))
		}
	}
	for _, g := range by {
		sort.Strings(g)
		groups = append(groups, strings.Join(g, ","))
	}
	sort.Strings(groups)
	return groups, rep
}

func countRows(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		return -1
	}
	return n
}

// TestImportKilledAndResumed starts `jaga import customers_id.csv` as a process, kills it
// with SIGKILL after some batches committed, runs the import again and compares the
// vault with one imported in one clean run: the same subjects (the same rows grouped
// together), the same quarantined rows, the same number of consent records, no
// duplicates and no lost rows.
func TestImportKilledAndResumed(t *testing.T) {
	csv := intakeFixture(t, "customers_id.csv")
	bin := buildBinary(t)
	run := func(dir, report string) {
		t.Helper()
		out, err := exec.Command(bin, "import", "--dir", dir, "--batch", "10", "--report", report, csv).CombinedOutput()
		if err != nil {
			t.Fatalf("jaga import: %v\n%s", err, out)
		}
	}
	clean := t.TempDir()
	run(clean, filepath.Join(clean, "report.json"))

	killed := t.TempDir()
	cmd := exec.Command(bin, "import", "--dir", killed, "--batch", "10", csv)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(killed, "data", "jaga.db")
	var db *sql.DB
	deadline := time.Now().Add(60 * time.Second)
	progress := 0
	for time.Now().Before(deadline) {
		if _, err := os.Stat(dbPath); err == nil && db == nil {
			db, _ = sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
		}
		if db != nil {
			progress = countRows(t, db, `SELECT COUNT(*) FROM import_keys`)
			if progress >= 300 {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v (the import finished before it could be killed)", err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("import was not killed: %v", err)
	}
	progress = countRows(t, db, `SELECT COUNT(*) FROM import_keys`)
	db.Close()
	if progress < 300 || progress >= 2240 {
		t.Fatalf("killed after %d of 2240 rows; want a kill in the middle", progress)
	}
	t.Logf("killed after %d rows had been stored", progress)
	run(killed, filepath.Join(killed, "report.json"))

	cg, crep := partition(t, filepath.Join(clean, "report.json"))
	kg, krep := partition(t, filepath.Join(killed, "report.json"))
	if crep.RowsRead != 2240 || krep.RowsRead != 2240 {
		t.Fatalf("rows read %d and %d; want 2240", crep.RowsRead, krep.RowsRead)
	}
	if krep.Unchanged < progress || krep.Created+krep.Merged+krep.Unchanged+krep.Quarantined+krep.Rejected != krep.RowsRead {
		t.Fatalf("re-run: %+v", krep)
	}
	if strings.Join(cg, ";") != strings.Join(kg, ";") {
		t.Fatalf("subjects differ: clean %d groups, killed and resumed %d groups", len(cg), len(kg))
	}
	// The databases hold the same numbers of everything.
	for _, q := range []string{`SELECT COUNT(*) FROM subjects`, `SELECT COUNT(*) FROM import_keys`, `SELECT COUNT(*) FROM consents`,
		`SELECT COUNT(*) FROM quarantine`, `SELECT COUNT(*) FROM merges`, `SELECT COUNT(*) FROM review_flags`} {
		a := openCount(t, filepath.Join(clean, "data", "jaga.db"), q)
		b := openCount(t, filepath.Join(killed, "data", "jaga.db"), q)
		if a != b {
			t.Fatalf("%s: clean run %d, killed and resumed %d", q, a, b)
		}
	}
}

func openCount(t *testing.T, path, q string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return countRows(t, db, q)
}
