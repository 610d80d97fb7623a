package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
