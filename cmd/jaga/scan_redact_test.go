package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanRedactOverInput is issue 8's defect 1 from the command line: "--redact sc3
// sc3" and "--redact sc4/. sc4/n.txt" are refused with a hint and a non-zero exit
// status, and the input keeps its bytes.
func TestScanRedactOverInput(t *testing.T) {
	const text = "hubungi 0812-3456-7890 a@example.com\n"
	dir := t.TempDir()
	n := filepath.Join(dir, "n.txt")
	if err := os.WriteFile(n, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"scan", "--redact", dir, dir},
		{"scan", "--redact", dir + "/.", n},
		{"scan", "--redact", dir, "--fail-on", "nik", n},
	} {
		code, out, errs := runJaga(t, args...)
		if code == 0 || !strings.Contains(errs, "jaga: error: --redact") || !strings.Contains(errs, "jaga: hint:") || strings.Contains(out, "TOTAL") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		if b, _ := os.ReadFile(n); string(b) != text {
			t.Fatalf("%v: input now %q", args, b)
		}
	}
	t.Run("InsideInput", func(t *testing.T) {
		out := filepath.Join(dir, "out")
		for run := 1; run <= 2; run++ {
			code, stdout, errs := runJaga(t, "scan", "--redact", out, dir)
			if code != 0 || !strings.Contains(stdout, "n.txt") || strings.Contains(stdout, "out/") || !strings.Contains(stdout, "1 files") {
				t.Fatalf("run %d: exit %d\n%s%s", run, code, stdout, errs)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "out")); !os.IsNotExist(err) {
			t.Fatalf("out/out: %v", err)
		}
	})
}

// TestScanUnscannable is issue 8's defect 2: a text file named x.xlsx is listed with
// the reason, the rest is scanned and the table printed, and the exit status is 4 —
// also when --fail-on found something.
func TestScanUnscannable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.xlsx"), []byte("not a workbook\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "n.txt"), []byte("NIK 3171011708450001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"scan", dir}, {"scan", "--fail-on", "nik", dir}, {"scan", "--json", dir}} {
		code, out, errs := runJaga(t, args...)
		if code != exitUnscanned || !strings.Contains(errs, "jaga: error: 1 of 2 files could not be scanned") ||
			!strings.Contains(out, "x.xlsx") || !strings.Contains(out, "not a readable XLSX workbook") || !strings.Contains(out, "nik") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	code, out, _ := runJaga(t, "scan", dir)
	if code != exitUnscanned || !strings.Contains(out, "not scanned") || !strings.Contains(out, "TOTAL") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if _, out, _ := runJaga(t, "scan", "--help"); !strings.Contains(out, "exit status is 4") {
		t.Errorf("--help does not document exit status 4:\n%s", out)
	}
}
