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
// below 1, before any key is asked for; "" still lists every status (as a dpo).
func TestQuarantineListFlags(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	unsetenv(t, "JAGA_KEY")
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
	useDPOKey(t, dir)
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

// TestCLIErrorTexts: each message says where and why, in words, with the real cause
// and without echoing the value given: a --report that exists but takes no writes, a
// KEK ID beyond a uint32, a malformed quarantine row ID, a --after that is no sequence
// number, an unknown --channel (listing the channels), a blank --source, and import
// without files (a usage error, exit 2).
func TestCLIErrorTexts(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte("full_name,email\nAni Lestari,ani@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
		bad  []string
	}{
		{"ReportProc", []string{"import", "--report", "/proc/version", in}, 1,
			[]string{"--report /proc/version exists and cannot be written: "}, []string{"no such file or directory"}},
		{"ReportNoDir", []string{"import", "--report", filepath.Join(dir, "nodir", "r.json"), in}, 1,
			[]string{"cannot be written: its directory " + filepath.Join(dir, "nodir") + " does not exist"}, nil},
		{"RetireRange", []string{"keys", "retire", "99999999999999999999"}, 1,
			[]string{"out of range for a KEK version ID (a uint32", "jaga: hint: 'jaga keys list'"}, []string{"must be a number", "99999999999999999999"}},
		{"QuarantineID", []string{"quarantine", "show", "sub_nope"}, 1,
			[]string{"jaga: error: quarantine row ID must be sub_ followed by 32 hex digits", "jaga: hint: 'jaga quarantine list' shows the IDs"}, []string{"subject id", "nope"}},
		{"TailAfter", []string{"audit", "tail", "--after", "abc"}, 2,
			[]string{"jaga: error: --after must be an event sequence number, 0 or more"}, []string{"strconv", "abc"}},
		{"TailAfterNegative", []string{"audit", "tail", "--after", "-4"}, 2,
			[]string{"jaga: error: --after must be an event sequence number, 0 or more"}, nil},
		{"IntFlag", []string{"quarantine", "list", "--limit", "ten"}, 2,
			[]string{"jaga: error: --limit: want a whole number"}, []string{"strconv", "ten"}},
		{"Channel", []string{"import", "--channel", "pameran", in}, 1,
			[]string{"--channel pameran: not a channel; want one of web_form, email_signup, api, exhibition, door_to_door, store_visit, import"}, nil},
		{"SourceEmpty", []string{"import", "--source", "", in}, 1,
			[]string{"jaga: error: --source must name the source system", "jaga: hint: "}, nil},
		{"SourceBlank", []string{"import", "--source", "  ", in}, 1,
			[]string{"jaga: error: --source must name the source system"}, nil},
		{"ImportNoFiles", []string{"import"}, 2,
			[]string{"jaga: error: import needs at least one file", "jaga: hint: jaga import [flags] FILE..."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := run(t, append(tc.args, "--dir", dir)...)
			wantRefused(t, tc.name, code, errs, tc.code, tc.want, tc.bad...)
		})
	}
	// None of the refused imports stored anything.
	if code, out, _ := run(t, "audit", "tail", "--dir", dir); code != 0 || strings.Contains(out, `"action":"import"`) || strings.Contains(out, `"action":"create"`) {
		t.Errorf("a refused import left events: %s", out)
	}
}

// TestImportEmptyJSONL: an empty JSON Lines file (or one of blank lines) is an "empty
// file", as an empty CSV file is; a file with lines but no JSON object keeps its own
// message.
func TestImportEmptyJSONL(t *testing.T) {
	dir := t.TempDir()
	files := t.TempDir()
	for name, tc := range map[string]struct{ body, want string }{
		"empty.jsonl":  {"", "jaga: error: empty.jsonl: empty file"},
		"blank.jsonl":  {"\n  \n\r\n", "jaga: error: blank.jsonl: empty file"},
		"empty.csv":    {"", "jaga: error: empty.csv: empty file"},
		"arrays.jsonl": {"[1]\n[2]\n", "jaga: error: arrays.jsonl: no JSON object in the"},
	} {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run(t, "import", "--dir", dir, p)
		wantRefused(t, name, code, errs, 1, []string{tc.want})
	}
}

// TestImportMappingSyntaxLine: a syntax error in a --mapping file is reported at the
// line it is on (yaml/v4's mark), not the line its block began (v3 said line 2, or 1).
func TestImportMappingSyntaxLine(t *testing.T) {
	dir := t.TempDir()
	files := t.TempDir()
	in := filepath.Join(files, "in.csv")
	if err := os.WriteFile(in, []byte("Email,No HP\nani@example.com,0812-3456-7890\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"Indent":    {"columns:\n  Email: email\n No HP: phone\n", ":3:2: did not find expected key"},
		"Tab":       {"columns:\n  Email: email\n\tNo HP: phone\n", ":3:1: found a tab character"},
		"FlowOpen":  {"# mapping\ncolumns:\n  Email: email\n  No HP: [phone\n  Nama: full_name\n", ":5:7: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 4)"},
		"ListInMap": {"columns:\n  Email: email\n  - phone\n", ":3:3: did not find expected key"},
	} {
		p := filepath.Join(files, name+".yaml")
		if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := run(t, "import", "--dir", dir, "--mapping", p, in)
		wantRefused(t, name, code, errs, 1, []string{"jaga: error: " + p + tc.want})
		if out != "" {
			t.Errorf("%s: stdout %q", name, out)
		}
	}
}

// TestImportRefusedNoTable: a file refused before any row was read (a header that maps
// no column) prints the error and no table of zeros; when an earlier file of the run
// was imported, its table is still printed.
func TestImportRefusedNoTable(t *testing.T) {
	dir := t.TempDir()
	files := t.TempDir()
	bad := filepath.Join(files, "bad.csv")
	good := filepath.Join(files, "good.csv")
	if err := os.WriteFile(bad, []byte("kolom_x,kolom_y\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte("full_name,email\nAni Lestari,ani@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "import", "--dir", dir, bad)
	wantRefused(t, "bad.csv", code, errs, 1, []string{"jaga: error: bad.csv"})
	if out != "" {
		t.Errorf("a refused file printed a table:\n%s", out)
	}
	code, out, errs = run(t, "import", "--dir", dir, good, bad)
	wantRefused(t, "good.csv bad.csv", code, errs, 1, []string{"jaga: error: bad.csv"})
	if !strings.Contains(out, "good.csv") || !strings.Contains(out, "total") {
		t.Errorf("the imported file's table is missing:\n%s", out)
	}
}

// TestImportStrict: with --strict, a run that quarantined or rejected rows exits with
// status 3 after writing its report; without it (the default) such a run exits 0; a
// clean run exits 0 with --strict too.
func TestImportStrict(t *testing.T) {
	dir := t.TempDir()
	files := t.TempDir()
	mixed := filepath.Join(files, "mixed.csv")
	clean := filepath.Join(files, "clean.csv")
	if err := os.WriteFile(mixed, []byte("full_name,email\nAni Lestari,ani@example.com\nBudi Santoso,budi-at-example\n,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(clean, []byte("full_name,email\nCitra Dewi,citra@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(files, "report.json")
	code, out, errs := run(t, "import", "--strict", "--report", report, "--dir", dir, mixed)
	wantRefused(t, "--strict mixed", code, errs, 3, []string{"jaga: error: --strict: 1 rows quarantined and 1 rejected (exit status 3)"}, "budi-at-example")
	if !strings.Contains(out, "total") {
		t.Errorf("--strict: no summary printed:\n%s", out)
	}
	var rep struct{ Quarantined, Rejected int }
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &rep) != nil || rep.Quarantined != 1 || rep.Rejected != 1 {
		t.Errorf("--strict: report not written as usual: %+v %v", rep, err)
	}
	// Without --strict (the default, unchanged), the same rows in another vault exit 0.
	if code, _, errs := run(t, "import", "--dir", t.TempDir(), mixed); code != 0 || !strings.Contains(errs, "quarantined") {
		t.Errorf("without --strict: exit %d\n%s", code, errs)
	}
	if code, _, errs := run(t, "import", "--strict", "--dir", dir, clean); code != 0 {
		t.Errorf("--strict clean: exit %d\n%s", code, errs)
	}
}
