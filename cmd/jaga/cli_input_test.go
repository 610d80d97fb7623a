package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantRefused fails t unless a run ended with exit status code and stderr holding
// every one of want and none of bad (values that must not be echoed).
func wantRefused(t *testing.T, what string, code int, errs string, wantCode int, want []string, bad ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: exit %d, want %d; stderr:\n%s", what, code, wantCode, errs)
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			t.Errorf("%s: stderr lacks %q:\n%s", what, w, errs)
		}
	}
	for _, b := range bad {
		if strings.Contains(errs, b) {
			t.Errorf("%s: stderr holds %q:\n%s", what, b, errs)
		}
	}
}

// TestQuarantineListFlags: an unknown --status is refused naming the valid ones (it
// used to list nothing, exit 0, as if nothing were quarantined), and so is a --limit
// below 1; "" still lists every status.
func TestQuarantineListFlags(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	for _, st := range []string{"all", "bogus"} {
		code, out, errs := run(t, "quarantine", "list", "--status", st, "--dir", dir)
		wantRefused(t, "--status "+st, code, errs, 1, []string{"jaga: error: --status " + st + ": not a quarantine status", "open, released or discarded", "--status ''"})
		if out != "" {
			t.Errorf("--status %s printed %q", st, out)
		}
	}
	for _, n := range []string{"0", "-1"} {
		code, out, errs := run(t, "quarantine", "list", "--limit", n, "--dir", dir)
		wantRefused(t, "--limit "+n, code, errs, 1, []string{"--limit " + n + ": want a number of rows, 1 or more"})
		if out != "" {
			t.Errorf("--limit %s printed %q", n, out)
		}
	}
	for _, st := range []string{"", "open", "released", "discarded"} {
		if code, out, errs := run(t, "quarantine", "list", "--status", st, "--dir", dir); code != 0 || !strings.HasPrefix(out, "ID") {
			t.Errorf("--status %q: %d %q %s", st, code, out, errs)
		}
	}
}

// TestAuditExportStdout: -o - writes the export to standard output, pure JSON Lines,
// with the count on stderr; no file named "-" is made.
func TestAuditExportStdout(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	if code, _, errs := run(t, "actors", "add", "--name", "Rina", "--role", "support", "--dir", dir); code != 0 {
		t.Fatal(errs)
	}
	cwd := t.TempDir()
	t.Chdir(cwd)
	code, out, errs := run(t, "audit", "export", "-o", "-", "--dir", dir)
	if code != 0 {
		t.Fatalf("export -o -: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(cwd, "-")); err == nil {
		t.Error(`export -o - wrote a file named "-"`)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("stdout line %d is not JSON: %q", i+1, l)
		}
	}
	if len(lines) < 2 || !strings.Contains(errs, "audit events written to standard output") {
		t.Errorf("export -o -: %d lines; stderr %q", len(lines), errs)
	}
}

// TestQuarantineFixSetTwice: a field given twice to --set is refused naming the field,
// not its values (it used to keep the last one silently).
func TestQuarantineFixSetTwice(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	id := "sub_0123456789abcdef0123456789abcdef"
	code, out, errs := run(t, "quarantine", "fix", id, "--set", "full_name=Rina Sari", "--set", " full_name =Budi Santoso", "--dir", dir)
	wantRefused(t, "--set twice", code, errs, 1, []string{"jaga: error: --set full_name is given twice", "jaga: hint: give each field once"}, "Rina", "Budi")
	if out != "" {
		t.Errorf("stdout %q", out)
	}
}
