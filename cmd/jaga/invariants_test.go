package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"jaga"
	"jaga/demodata"
	"jaga/gate"
	"jaga/importer"
	"jaga/normalize"
)

// MustOpenVault opens a vault at dir with the default config.
func MustOpenVault(tb testing.TB, dir string) *vault {
	tb.Helper()
	v, err := openVault(context.Background(), dir, defaultConfig(), io.Discard)
	if err != nil {
		tb.Fatalf("open vault: %v", err)
	}
	return v
}

// MustDemoVault opens a vault at dir with the bundled customers and purchases imported
// and returns it with a dpo actor.
func MustDemoVault(tb testing.TB, dir string) (*vault, *jaga.Actor) {
	tb.Helper()
	ctx := context.Background()
	v := MustOpenVault(tb, dir)
	if err := demoImport(ctx, testEnv(), v); err != nil {
		tb.Fatal(err)
	}
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		tb.Fatal(err)
	}
	return v, dpo
}

func testEnv() *env {
	return &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
}

// secrets returns the bundled plaintext values of 6 bytes or more that must never be
// found at rest (invariant 2): names, e-mails, phones as written and in E.164, NIKs,
// domiciles, attribute strings and purchase descriptions.
func secrets(t *testing.T) [][]byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(demodata.CustomersCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	add := func(s string) {
		if len(s) >= 6 {
			seen[s] = true
		}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		for _, h := range []string{"full_name", "email", "phone", "nik", "domicile_province", "domicile_city", "Education", "Marital_Status", "Dt_Customer"} {
			add(r[col[h]])
		}
		if e164, err := normalize.Phone(r[col["phone"]]); err == nil {
			add(e164)
		}
		if e, err := normalize.Email(r[col["email"]]); err == nil {
			add(e)
		}
	}
	prows, err := csv.NewReader(bytes.NewReader(demodata.PurchasesCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range prows[1:] {
		add(r[3]) // description
	}
	out := make([][]byte, 0, len(seen))
	for s := range seen {
		out = append(out, []byte(s))
	}
	return out
}

// scanDir returns every (file, value) pair where a value (6 bytes or more) occurs in a
// file under dir. It indexes the values by their first 6 bytes and slides a 6-byte
// window over each file, so the search is linear in the file size.
func scanDir(t *testing.T, dir string, values [][]byte, skip func(string) bool) []string {
	t.Helper()
	byPrefix := map[[6]byte][][]byte{}
	for _, v := range values {
		if len(v) < 6 {
			t.Fatalf("value shorter than 6 bytes")
		}
		k := [6]byte(v[:6])
		byPrefix[k] = append(byPrefix[k], v)
	}
	var hits []string
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (skip != nil && skip(p)) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for i := 0; i+6 <= len(b); i++ {
			for _, v := range byPrefix[[6]byte(b[i:i+6])] {
				if bytes.HasPrefix(b[i:], v) {
					hits = append(hits, filepath.Base(p)+": a value of "+strconv.Itoa(len(v))+" bytes at offset "+strconv.Itoa(i))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no files under %s", dir)
	}
	return hits
}

// TestNoPlaintextAtRest is invariant 2: after importing the bundled files, no file in
// the vault (database, WAL, keys) holds any of the plaintext values, while open and
// after close. The control check proves the scan can find a value that is there.
func TestNoPlaintextAtRest(t *testing.T) {
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	if err := demoImport(context.Background(), testEnv(), v); err != nil {
		t.Fatal(err)
	}
	values := secrets(t)
	if len(values) < 5000 {
		t.Fatalf("only %d values to search for", len(values))
	}
	// A purchase line whose customer is not imported is kept pending, sealed too.
	const pendingLine = "999999999,PX-77,STK-77,PENDING ONLY TENUN IKAT SUMBA BIRU,1,2024-01-02 03:04:05,123.45\n"
	csvText := "customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price\n" + pendingLine
	rep, err := importer.Import(context.Background(), v.gate, "late_purchases.csv", strings.NewReader(csvText), int64(len(csvText)), importer.Options{Actor: cliActor})
	if err != nil || rep.Purchases.Pending != 1 {
		t.Fatalf("pending purchase: %v, %+v", err, rep.Purchases)
	}
	values = append(values, []byte("PENDING ONLY TENUN IKAT SUMBA BIRU"))
	if _, err := os.Stat(filepath.Join(dir, "data", "jaga.db-wal")); err != nil {
		t.Fatalf("expected a WAL while the vault is open: %v", err)
	}
	if hits := scanDir(t, dir, values, nil); len(hits) > 0 {
		t.Fatalf("plaintext found at rest while open: %d hits, e.g. %v", len(hits), hits[:min(5, len(hits))])
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if hits := scanDir(t, dir, values, nil); len(hits) > 0 {
		t.Fatalf("plaintext found at rest after close: %d hits, e.g. %v", len(hits), hits[:min(5, len(hits))])
	}
	// Control: a file holding a value is found.
	if err := os.WriteFile(filepath.Join(dir, "control"), append([]byte("x"), values[0]...), 0o600); err != nil {
		t.Fatal(err)
	}
	if hits := scanDir(t, dir, values[:1], nil); len(hits) != 1 {
		t.Fatalf("the scan cannot find a planted value")
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestErasure is invariant 4: after erasure the subject cannot be read, look-ups by
// its e-mail, phone and NIK find nothing, no copy of its wrapped DEK stays in data/, and
// an older copy of data/ restored and started is erased again from the journal in keys/
// before anything is served.
func TestErasure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v, dpo := MustDemoVault(t, dir)
	c := customer(t, "5524")
	req := gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "DSR-1 erasure request"}
	var err error
	recs, err := v.gate.Find(ctx, gate.FindRequest{Request: req, Field: "email", Value: jaga.Redact(c["email"])})
	if err != nil || len(recs) != 1 {
		t.Fatalf("find before erasure: %v, %d", err, len(recs))
	}
	id := recs[0].Subject
	var old *jaga.SealedSubject
	if err := v.store.View(ctx, func(tx jaga.Tx) error {
		old, err = tx.Subject(ctx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Back up data/ (the vault closed, as a backup tool would copy it).
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "data")
	copyDir(t, filepath.Join(dir, "data"), backup)
	if hits := scanDir(t, backup, [][]byte{old.WrappedDEK}, nil); len(hits) == 0 {
		t.Fatalf("control: the backup should hold the wrapped DEK")
	}

	v = MustOpenVault(t, dir)
	if err := v.gate.Erase(ctx, req, id); err != nil {
		t.Fatalf("erase: %v", err)
	}
	t.Run("ReadNotFound", func(t *testing.T) {
		if _, err := v.gate.Read(ctx, gate.ReadRequest{Request: req, Subject: id}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("read after erasure: %v", err)
		}
	})
	t.Run("LookupsFindNothing", func(t *testing.T) {
		for _, f := range []string{"email", "phone", "nik"} {
			if _, err := v.gate.Find(ctx, gate.FindRequest{Request: req, Field: f, Value: jaga.Redact(c[f])}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
				t.Errorf("find by %s after erasure: %v", f, err)
			}
		}
	})
	t.Run("NoWrappedDEKInData", func(t *testing.T) {
		olds := [][]byte{old.WrappedDEK}
		for _, ct := range old.Sealed {
			olds = append(olds, ct)
		}
		if hits := scanDir(t, filepath.Join(dir, "data"), olds, nil); len(hits) > 0 {
			t.Fatalf("old wrapped DEK or ciphertext still in data/: %v", hits)
		}
	})
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if hits := scanDir(t, filepath.Join(dir, "data"), [][]byte{old.WrappedDEK}, nil); len(hits) > 0 {
		t.Fatalf("old wrapped DEK in data/ after close: %v", hits)
	}

	t.Run("RestoredBackupIsErasedAgain", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(dir, "data")); err != nil {
			t.Fatal(err)
		}
		copyDir(t, backup, filepath.Join(dir, "data"))
		v := MustOpenVault(t, dir) // replays the journal before returning
		defer v.Close()
		if _, err := v.gate.Read(ctx, gate.ReadRequest{Request: req, Subject: id}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("read after restoring an older backup: %v", err)
		}
		if _, err := v.gate.Find(ctx, gate.FindRequest{Request: req, Field: "nik", Value: jaga.Redact(c["nik"])}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("find after restoring an older backup: %v", err)
		}
		if hits := scanDir(t, filepath.Join(dir, "data"), [][]byte{old.WrappedDEK}, nil); len(hits) > 0 {
			t.Fatalf("restored wrapped DEK not shredded: %v", hits)
		}
		aud, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "auditor", jaga.RoleAuditor)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := v.gate.AuditLog(ctx, gate.Request{Actor: aud}, jaga.AuditFilter{Action: jaga.ActionErasureReplay})
		if err != nil || len(evs) != 1 || evs[0].Count != 1 {
			t.Fatalf("erasure replay audit: %v %d", err, len(evs))
		}
		// Re-running the import never brings the erased customer back.
		if err := demoImport(ctx, testEnv(), v); err != nil {
			t.Fatal(err)
		}
		if _, err := v.gate.Read(ctx, gate.ReadRequest{Request: req, Subject: id}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("re-import resurrected the erased subject: %v", err)
		}
	})
}
