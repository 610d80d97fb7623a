//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"jaga/importer"
)

// stoppedChildEnv, set, makes TestImportStoppedSummary the child that runs the import
// under a file-size limit: its value is the limit in bytes, the arguments follow in
// stoppedArgsEnv (one a line).
const (
	stoppedChildEnv = "JAGA_TEST_STOPPED_FSIZE"
	stoppedArgsEnv  = "JAGA_TEST_STOPPED_ARGS"
)

// TestImportStoppedSummary: an import whose database writes start failing half-way (a
// full disk; here the process's file-size limit, RLIMIT_FSIZE, which makes SQLite's
// writes fail as a full disk does) prints a summary table whose columns add up — the
// rows read but not processed in a column of their own — and says the run stopped,
// where and what to do, before the error; the JSON report's top-level counts stay as
// issue 4 specifies, with the file's not_processed count and the failed file.
func TestImportStoppedSummary(t *testing.T) {
	if limit := os.Getenv(stoppedChildEnv); limit != "" {
		stoppedChild(limit)
		return
	}
	dir := t.TempDir()
	vault := filepath.Join(dir, "vault")
	first := filepath.Join(dir, "first.csv")
	if err := os.WriteFile(first, []byte("source_id,full_name,email\nF1,Ani Lestari,ani@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "import", "--dir", vault, first); code != 0 {
		t.Fatalf("first import: exit %d: %s", code, errs)
	}
	var b strings.Builder
	b.WriteString("source_id,full_name,email,phone\n")
	const rows = 3000
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "S%d,Pelanggan %s,p%d@example.com,0812%08d\n", i, letters(i), i, 10000000+i)
	}
	big := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(big, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.json")
	// The database files may grow by about 1 MiB, enough for a few batches of 200 rows
	// and far from enough for 3,000.
	var size int64
	for _, f := range []string{"jaga.db", "jaga.db-wal"} {
		if st, err := os.Stat(filepath.Join(vault, "data", f)); err == nil {
			size = max(size, st.Size())
		}
	}
	limit := size + 1<<20
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportStoppedSummary$")
	cmd.Env = append(os.Environ(), stoppedChildEnv+"="+strconv.FormatInt(limit, 10),
		stoppedArgsEnv+"="+strings.Join([]string{"import", "--dir", vault, "--batch", "200", "--report", report, big}, "\n"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	out, errs := stdout.String(), stderr.String()
	if code != 1 {
		t.Fatalf("exit %d (%v), want 1\nstdout:\n%s\nstderr:\n%s", code, err, out, errs)
	}
	if !strings.Contains(errs, "jaga: error: ") {
		t.Errorf("no error on stderr:\n%s", errs)
	}
	if !strings.Contains(out, "not processed") {
		t.Fatalf("the summary does not say what was not processed:\n%s", out)
	}
	// file  rows  created  merged  unchanged  quarantined  rejected  not processed
	m := regexp.MustCompile(`(?m)^\s*customers\.csv\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no table line with 7 counts for customers.csv:\n%s", out)
	}
	n := make([]int, 7)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	if sum := n[1] + n[2] + n[3] + n[4] + n[5] + n[6]; sum != n[0] || n[6] == 0 || n[1] == 0 {
		t.Errorf("counts %v: created..not processed add up to %d, want the %d rows read, with some created and some not processed", n, sum, n[0])
	}
	if !strings.Contains(out, "stopped: the run failed in customers.csv; "+m[7]+" rows read were not processed") ||
		!strings.Contains(out, "run the same import again") {
		t.Errorf("the summary does not say the run stopped:\n%s", out)
	}
	rep := readReport(t, report)
	if len(rep.Failed) != 1 || rep.Files[0].NotProcessed != n[6] || rep.RowsRead != n[0] || rep.Created != n[1] {
		t.Errorf("report: rows_read %d, created %d, failed %+v, not_processed %d", rep.RowsRead, rep.Created, rep.Failed, rep.Files[0].NotProcessed)
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
}

// stoppedChild runs the import of stoppedArgsEnv with files limited to limit bytes
// (SIGXFSZ ignored, so that a write past it fails with EFBIG instead of killing the
// process) and exits with its status.
func stoppedChild(limit string) {
	n, err := strconv.ParseUint(limit, 10, 64)
	if err != nil {
		panic(err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		panic(err)
	}
	os.Exit(Main(context.Background(), strings.Split(os.Getenv(stoppedArgsEnv), "\n"), strings.NewReader(""), os.Stdout, os.Stderr))
}

// letters spells i in the letters a-z (0 is "a"), for names without digits.
func letters(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

// readReport reads an import's --report file.
func readReport(t *testing.T, path string) *importer.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep importer.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}
