//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptArgsEnv, set, makes TestImportInterrupted the child that runs the jaga
// command line under the context main gives it (signalContext), with the arguments in
// the variable (one a line).
const interruptArgsEnv = "JAGA_TEST_INTERRUPT_ARGS"

// TestImportInterrupted: Ctrl-C (SIGINT) during an import is not a failure. The run
// says it was interrupted, in which file, how many rows read were not processed (a
// table column whose line adds up) and that the same import run again finishes it;
// stderr says "interrupted", not "context canceled", and the exit status is 130. The
// same import run again then stores every row, none twice.
func TestImportInterrupted(t *testing.T) {
	if args := os.Getenv(interruptArgsEnv); args != "" {
		ctx, stop := signalContext()
		code := Main(ctx, strings.Split(args, "\n"), strings.NewReader(""), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
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
	const rows = 12000
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "S%d,Pelanggan %s,p%d@example.com,0812%08d\n", i, letters(i), i, 10000000+i)
	}
	big := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(big, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.json")
	dbSize := func() int64 {
		var n int64
		for _, f := range []string{"jaga.db", "jaga.db-wal"} {
			if st, err := os.Stat(filepath.Join(vault, "data", f)); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	before := dbSize()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportInterrupted$")
	cmd.Env = append(os.Environ(), interruptArgsEnv+"="+strings.Join([]string{"import", "--dir", vault, "--batch", "200", "--report", report, first, big, first}, "\n"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Interrupt once a few batches are stored (the database grew), as a user would.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			t.Fatalf("the import ended (%v) before it was interrupted\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		case <-tick.C:
			if dbSize() > before+128<<10 {
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					t.Fatal(err)
				}
				err = <-done
				break wait
			}
		}
	}
	code := cmd.ProcessState.ExitCode()
	out, errs := stdout.String(), stderr.String()
	defer func() {
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", out, errs)
		}
	}()
	if code != 130 {
		t.Fatalf("exit %d (%v), want 130", code, err)
	}
	if !strings.Contains(errs, "jaga: error: interrupted (SIGINT, Ctrl-C)\njaga: hint: run the same import again to finish it") ||
		strings.Contains(errs, "context canceled") || strings.Contains(out+errs, "failed") {
		t.Errorf("stderr does not say the run was interrupted, or calls it a failure")
	}
	// file  rows  created  merged  unchanged  quarantined  rejected  not processed
	m := regexp.MustCompile(`(?m)^\s*customers\.csv\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no table line with 7 counts for customers.csv")
	}
	n := make([]int, 7)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	if sum := n[1] + n[2] + n[3] + n[4] + n[5] + n[6]; sum != n[0] || n[1] == 0 || n[0] == rows {
		t.Errorf("counts %v: created..not processed add up to %d, want the %d rows read, some created, not all %d read", n, sum, n[0], rows)
	}
	want := "interrupted: the run was interrupted (SIGINT, Ctrl-C) in customers.csv"
	if n[6] > 0 {
		want += "; " + m[7] + " rows read were not processed"
	}
	if !strings.Contains(out, want) || !regexp.MustCompile(`customers\.csv was not read past line \d+`).MatchString(out) ||
		!strings.Contains(out, "interrupted: not imported: first.csv\n") ||
		!strings.Contains(out, "interrupted: run the same import again to finish it") {
		t.Errorf("the summary does not say where the run was interrupted, what is left and how to finish:\nwant %q", want)
	}
	rep := readReport(t, report)
	if len(rep.Failed) != 2 || rep.Failed[0].Error != "interrupted (SIGINT, Ctrl-C)" || rep.Files[1].NotProcessed != n[6] {
		t.Errorf("report: failed %+v, not processed %d", rep.Failed, rep.Files[1].NotProcessed)
	}

	// The same import again resumes it: every row stored, none twice.
	code, out2, errs2 := run(t, "import", "--dir", vault, "--report", report, first, big, first)
	if code != 0 {
		t.Fatalf("the import run again: exit %d\n%s%s", code, out2, errs2)
	}
	rep = readReport(t, report)
	if f := rep.Files[1]; f.RowsRead != rows || f.Created+f.Unchanged != rows || f.Created != rows-n[1] || f.Merged != 0 {
		t.Errorf("the import run again: rows %d, created %d, unchanged %d, merged %d; want %d, %d created now", f.RowsRead, f.Created, f.Unchanged, f.Merged, rows, rows-n[1])
	}
}
