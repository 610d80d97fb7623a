package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// writeCSV writes a small customer CSV named name into dir and returns its path.
func writeCSV(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("full_name,email\nBudi Santoso,budi.santoso@example.com\nSiti Rahma,siti.rahma@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportChecksFlags: flags that would quarantine every row or that name no file
// are refused before a vault is opened, naming the flag or the argument.
func TestImportChecksFlags(t *testing.T) {
	in := t.TempDir()
	csv := writeCSV(t, in, "customers.csv")
	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"RequireUnknown": {[]string{"--require", "shoe_size", csv}, []string{"--require shoe_size: not a field of the vault's schema", "jaga: hint:"}},
		"CollectedAtFuture": {[]string{"--collected-at", "2099-01-01T00:00:00Z", csv},
			[]string{"--collected-at: the time is more than 24 hours after the server clock"}},
		"CollectedAtEpoch": {[]string{"--collected-at", "1925-01-01T00:00:00+07:00", csv}, []string{"--collected-at: the time is before 1970"}},
		"Directory":        {[]string{in}, []string{in + " is a directory; import takes files", "jaga: hint: give the CSV, XLSX or JSON Lines files in it"}},
		"Missing":          {[]string{filepath.Join(in, "nope.csv")}, []string{"nope.csv: no such file or directory"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "vault")
			code, out, errs := run(t, append([]string{"import", "--dir", dir}, tc.args...)...)
			for _, w := range tc.want {
				if code != 1 || !strings.Contains(errs, w) {
					t.Fatalf("exit %d, stderr %q; want %q\n%s", code, errs, w, out)
				}
			}
			if _, err := os.Stat(dir); err == nil {
				t.Fatal("a vault was created before the flags were checked")
			}
		})
	}
	t.Run("RequireKnown", func(t *testing.T) {
		dir := t.TempDir()
		code, out, errs := run(t, "import", "--dir", dir, "--require", "email", "--collected-at", "2024-09-15T23:59:00+07:00", csv)
		if code != 0 || !strings.Contains(out, "total") {
			t.Fatalf("exit %d\n%s%s", code, out, errs)
		}
		// The summary says what was detected, the column mapping included.
		if !strings.Contains(out, "columns: email → field:email, full_name → field:full_name") {
			t.Fatalf("summary lacks the column mapping:\n%s", out)
		}
	})
}

// TestVaultDirIsFile: --dir naming a file says that the vault directory is a file.
func TestVaultDirIsFile(t *testing.T) {
	f := writeCSV(t, t.TempDir(), "customers.csv")
	code, _, errs := run(t, "actors", "list", "--dir", f)
	if code != 1 || !strings.Contains(errs, "the vault directory "+f+" is a file, not a directory") || strings.Contains(errs, "not a directory\n") && strings.Contains(errs, "jaga.yaml") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// TestConfigURLs: portal_url and public_url must be absolute http(s) URLs; the error
// names the setting and its variable.
func TestConfigURLs(t *testing.T) {
	for _, bad := range []string{"notaurl", "privasi.example.co.id/x", "ftp://example.com", "https://", "mailto:a@example.com"} {
		_, err := loadConfig(filepath.Join(t.TempDir(), "jaga.yaml"), false, func(k string) string {
			if k == "JAGA_PORTAL_URL" {
				return bad
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "portal_url (JAGA_PORTAL_URL) must be an absolute http or https URL") {
			t.Fatalf("JAGA_PORTAL_URL=%s: %v", bad, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "jaga.yaml"), []byte("public_url: example.com\n"), 0o600)
	if _, err := loadConfig(filepath.Join(dir, "jaga.yaml"), false, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "public_url (JAGA_PUBLIC_URL)") {
		t.Fatalf("public_url: %v", err)
	}
	if _, err := loadConfig(filepath.Join(t.TempDir(), "jaga.yaml"), false, func(k string) string {
		if k == "JAGA_PORTAL_URL" {
			return "https://privasi.example.co.id"
		}
		return ""
	}); err != nil {
		t.Fatal(err)
	}
}

// TestConfigFieldErrors: a bad entry of fields is located by line and key, an unknown
// type lists the valid ones, and re-declaring a built-in field says it is built in.
func TestConfigFieldErrors(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"Type": {"log_level: info\nfields:\n  - name: shoe_size\n    kind: attribute\n    class: general\n    type: integer\n    max_len: 4\n  - name: favourite\n    kind: attribute\n    class: general\n    type: string\n    max_len: 20\n",
			`jaga.yaml line 11: field fields[1].type (favourite): unknown type "string": want one of name, email, phone, nik, date, gender, text, integer, number`},
		"BuiltIn": {"fields:\n  - name: full_name\n    kind: field\n    class: general\n    type: name\n    max_len: 100\n",
			"jaga.yaml line 2: field fields[0].name (full_name): a built-in field, not to be declared again; choose another name"},
		"Twice": {"fields:\n  - {name: hobby, kind: attribute, class: general, type: text, max_len: 9}\n  - {name: hobby, kind: attribute, class: general, type: text, max_len: 9}\n",
			"jaga.yaml line 3: field fields[1].name (hobby): field declared twice"},
		"MaxLen": {"fields:\n  - name: hobby\n    kind: attribute\n    class: general\n    type: text\n",
			"jaga.yaml line 2: field fields[0].max_len (hobby): max_len must be positive"},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "jaga.yaml")
			os.WriteFile(p, []byte(tc.yaml), 0o600)
			_, err := loadConfig(p, true, func(string) string { return "" })
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
	// Through Main: the located message is printed whole.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "jaga.yaml"), []byte("fields:\n  - {name: favourite, kind: attribute, class: general, type: string, max_len: 9}\n"), 0o600)
	code, _, errs := run(t, "actors", "list", "--dir", dir)
	if code != 1 || !strings.Contains(errs, "jaga: error: jaga.yaml line 2: field fields[0].type (favourite): unknown type") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// TestScanArgChecks: a negative --sample is refused; a missing path is listed with the
// reason while the others are scanned, and the exit status is 4 (README).
func TestScanArgChecks(t *testing.T) {
	code, _, errs := run(t, "scan", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "--table", "notes", "--sample", "-5")
	if code != 1 || !strings.Contains(errs, "--sample -5: want a number of rows, 0 or more") {
		t.Fatalf("--sample -5: exit %d %q", code, errs)
	}
	dir := t.TempDir()
	expo := filepath.Join(dir, "expo.csv")
	os.WriteFile(expo, []byte("nama,nik\nBudi,3171011708450001\n"), 0o600)
	missing := filepath.Join(dir, "nonexistent")
	code, out, errs := run(t, "scan", missing, expo)
	if code != exitUnscanned || !strings.Contains(out, "nik 1") || !strings.Contains(out, "nonexistent") || !strings.Contains(out, "no such file or directory") ||
		!strings.Contains(errs, "1 of 2 files could not be scanned") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// lineWatch is a writer that tells when a line containing want was written.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestServeWarnsNewVault: serve on a directory that holds no vault warns that it
// created a new, empty one, naming the directory; on an existing vault it does not.
func TestServeWarnsNewVault(t *testing.T) {
	serveOnce := func(dir string) string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := &lineWatch{want: "jaga: listening on", seen: make(chan struct{})}
		done := make(chan int)
		go func() {
			done <- Main(ctx, []string{"serve", "--dir", dir, "--addr", "127.0.0.1:0"}, strings.NewReader(""), &bytes.Buffer{}, w)
		}()
		select {
		case <-w.seen:
			cancel()
			<-done
		case code := <-done:
			t.Fatalf("serve ended with %d: %s", code, w.String())
		}
		return w.String()
	}
	dir := filepath.Join(t.TempDir(), "typo")
	if errs := serveOnce(dir); !strings.Contains(errs, "jaga: warning: no vault was in "+dir+": created a new, empty one") {
		t.Fatalf("no warning for a new vault:\n%s", errs)
	}
	if errs := serveOnce(dir); strings.Contains(errs, "created a new") {
		t.Fatalf("warning for an existing vault:\n%s", errs)
	}
}

// TestDSRAwaitingSays: fulfilling a correction of the name prints what the request
// waits for (a second approver), not an empty reason.
func TestDSRAwaitingSays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	key, sub, desk := mustDesk(t, v)
	r, err := desk.Submit(ctx, &jaga.Actor{ID: "act_x", Kind: jaga.ActorStaff, Role: jaga.RoleDPO},
		dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPhone, Values: map[string]string{"full_name": "Budi Santosa"}})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	code, out, errs := run(t, "dsr", "fulfil", r.ID, "--key", key, "--dir", dir)
	if code != 0 || !strings.Contains(out, r.ID+" rectify awaiting_approval: identity correction waiting for a second approver") ||
		!strings.Contains(out, "jaga dsr approve "+r.ID) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// TestImportAuditFileName: the audit log keeps an imported file's base name only when
// every word of it is a file-name word; a name with a person's first name is replaced
// by the SHA-256 prefix of the file's content.
func TestImportAuditFileName(t *testing.T) {
	dir := t.TempDir()
	in := t.TempDir()
	named := writeCSV(t, in, "vicky_changed.csv")
	os.WriteFile(named, []byte("full_name,email\nAgus Salim,agus.salim@example.com\n"), 0o600)
	plain := writeCSV(t, in, "customers_changed_2024-09.csv")
	if code, out, errs := run(t, "import", "--dir", dir, named, plain); code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	b, _ := os.ReadFile(named)
	sum := sha256.Sum256(b)
	code, out, errs := run(t, "audit", "tail", "--dir", dir)
	if code != 0 {
		t.Fatalf("audit tail: %d %s", code, errs)
	}
	var reasons []string
	for line := range strings.Lines(out) {
		if i := strings.Index(line, `"reason":"import `); i >= 0 {
			reasons = append(reasons, line[i:min(len(line), i+80)])
		}
	}
	all := strings.Join(reasons, "\n")
	if strings.Contains(strings.ToLower(all), "vicky") || !strings.Contains(all, "import file (name withheld) sha256:"+hex.EncodeToString(sum[:4])+":"+hex.EncodeToString(sum[4:8])) ||
		!strings.Contains(all, "import customers_changed_2024-09.csv") {
		t.Fatalf("import audit reasons:\n%s", all)
	}
}

// mustDesk creates a dpo (returning its API key) and a subject in v, and the request
// desk over v.
func mustDesk(t *testing.T, v *vault) (string, jaga.SubjectID, *dsr.Desk) {
	t.Helper()
	ctx := context.Background()
	_, key, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo one", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := v.gate.Create(ctx, gate.CreateRequest{Request: gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision},
		Values: map[string]string{"full_name": "Budi Santoso", "email": "budi.santoso@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	desk, _, err := deskAndPortal(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	return key, sub, desk
}
