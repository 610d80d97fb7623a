package seal_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jaga"
	"jaga/seal"
)

// allFiles lists the files Open creates.
var allFiles = []string{seal.KEKFile, seal.IndexKeyFile, seal.AuditKeyFile, seal.ConsentKeyFile, seal.JournalKeyFile, seal.ErasureJournalFile}

// MustOpen opens (creating on first use) the keys directory dir and closes it at the end
// of the test.
func MustOpen(tb testing.TB, dir string) *seal.Keyring {
	tb.Helper()
	k, err := seal.Open(dir)
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	tb.Cleanup(func() { k.Close() })
	k.SetLogger(slog.New(slog.DiscardHandler))
	return k
}

// MustKeysDir returns a fresh keys directory path inside a new vault directory.
func MustKeysDir(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "vault", "keys")
}

// MustNewDEK creates a DEK for subject.
func MustNewDEK(tb testing.TB, k *seal.Keyring, subject jaga.SubjectID) (*seal.DEK, []byte) {
	tb.Helper()
	d, w, err := k.NewDEK(subject)
	if err != nil {
		tb.Fatalf("NewDEK(%s): %v", subject, err)
	}
	return d, w
}

// Subject returns the i-th test subject ID.
func Subject(i int) jaga.SubjectID { return jaga.SubjectID(fmt.Sprintf("sub_%032x", i)) }

func mode(tb testing.TB, path string) os.FileMode {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Mode().Perm()
}

// wantInvalid checks that err is an EINVALID *jaga.Error whose hint contains each of
// hints.
func wantInvalid(tb testing.TB, err error, hints ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatal("no error")
	}
	var e *jaga.Error
	if !errors.As(err, &e) || e.Code != jaga.EINVALID {
		tb.Fatalf("error %v (%T): want a *jaga.Error with code %s", err, err, jaga.EINVALID)
	}
	h := seal.Hint(err)
	for _, want := range hints {
		if !strings.Contains(h, want) {
			tb.Errorf("Hint = %q, want it to contain %q", h, want)
		}
		if !strings.Contains(e.Message, want) {
			tb.Errorf("message %q does not contain the hint %q", e.Message, want)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Run("FirstRun", func(t *testing.T) {
		dir := MustKeysDir(t)
		k := MustOpen(t, dir)
		if got := mode(t, dir); got != 0o700 {
			t.Errorf("keys directory mode %04o, want 0700", got)
		}
		for _, name := range allFiles {
			if got := mode(t, filepath.Join(dir, name)); got != 0o600 {
				t.Errorf("%s mode %04o, want 0600", name, got)
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(allFiles) {
			t.Errorf("keys directory holds %d entries, want %d (no temporary files left)", len(entries), len(allFiles))
		}
		if k.Dir() != dir {
			t.Errorf("Dir = %q, want %q", k.Dir(), dir)
		}
		if got := k.KEKs(); len(got) != 1 || !got[0].Primary || got[0].Status != "enabled" || got[0].ID != k.PrimaryKEK() {
			t.Errorf("KEKs = %+v, want one enabled primary", got)
		}

		// Opening again reads the same keys.
		k2 := MustOpen(t, dir)
		if !bytes.Equal(k.BlindIndex("email", "a@example.com"), k2.BlindIndex("email", "a@example.com")) {
			t.Error("blind index changed after reopening")
		}
		if k.PrimaryKEK() != k2.PrimaryKEK() {
			t.Error("primary KEK changed after reopening")
		}
		if !k.AuditSigner().PublicKey().Equal(k2.AuditSigner().PublicKey()) {
			t.Error("audit signing key changed after reopening")
		}
	})

	t.Run("ExistingEmptyDir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "keys")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		MustOpen(t, dir)
		for _, name := range allFiles {
			if got := mode(t, filepath.Join(dir, name)); got != 0o600 {
				t.Errorf("%s mode %04o, want 0600", name, got)
			}
		}
	})

	t.Run("ConcurrentFirstRun", func(t *testing.T) {
		dir := MustKeysDir(t)
		const n = 8
		var wg sync.WaitGroup
		idx := make([][]byte, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				k, err := seal.Open(dir)
				if err != nil {
					errs[i] = err
					return
				}
				defer k.Close()
				idx[i] = k.BlindIndex("nik", "3273010101800019")
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Open %d: %v", i, errs[i])
			}
			if !bytes.Equal(idx[i], idx[0]) {
				t.Fatalf("Open %d uses other keys than Open 0", i)
			}
		}
	})

	t.Run("ErrFileMode", func(t *testing.T) {
		for _, name := range allFiles {
			t.Run(name, func(t *testing.T) {
				dir := MustKeysDir(t)
				MustOpen(t, dir)
				if err := os.Chmod(filepath.Join(dir, name), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := seal.Open(dir)
				wantInvalid(t, err, "chmod 700 "+dir, "chmod 600 "+dir+"/*")
			})
		}
	})

	t.Run("ErrDirMode", func(t *testing.T) {
		dir := MustKeysDir(t)
		MustOpen(t, dir)
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := seal.Open(dir)
		wantInvalid(t, err, "chmod 700 "+dir+" && chmod 600 "+dir+"/*")
	})

	t.Run("HintQuotesPath", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "my vault", "keys")
		MustOpen(t, dir)
		if err := os.Chmod(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		_, err := seal.Open(dir)
		wantInvalid(t, err, "chmod 700 '"+dir+"'")
	})

	t.Run("ErrIncomplete", func(t *testing.T) {
		for _, name := range allFiles {
			t.Run(name, func(t *testing.T) {
				dir := MustKeysDir(t)
				MustOpen(t, dir)
				if err := os.Remove(filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
				_, err := seal.Open(dir)
				wantInvalid(t, err, "restore")
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			})
		}
	})

	t.Run("ErrDamaged", func(t *testing.T) {
		for _, name := range allFiles {
			if name == seal.ErasureJournalFile {
				continue // verified by Erasures, not by Open
			}
			t.Run(name, func(t *testing.T) {
				dir := MustKeysDir(t)
				MustOpen(t, dir)
				if err := os.WriteFile(filepath.Join(dir, name), []byte("garbage\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				_, err := seal.Open(dir)
				wantInvalid(t, err, "restore")
			})
		}
	})

	t.Run("ConcurrentFirstRunExistingEmptyDir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "keys")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				k, err := seal.Open(dir)
				if err != nil {
					t.Error(err)
					return
				}
				k.Close()
			})
		}
		wg.Wait()
	})

	t.Run("ErrEmptyPath", func(t *testing.T) {
		_, err := seal.Open("")
		wantInvalid(t, err)
	})

	t.Run("ErrNotAKeysDir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "jaga.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := seal.Open(dir)
		wantInvalid(t, err, "keys/")
		if _, err := os.Stat(filepath.Join(dir, seal.KEKFile)); err == nil {
			t.Error("keys were created in a directory holding other files")
		}
	})

	t.Run("ErrNotDir", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "keys")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := seal.Open(path)
		wantInvalid(t, err)
	})
}

func TestNoKeyPrinted(t *testing.T) {
	k := MustOpen(t, MustKeysDir(t))
	d, _ := MustNewDEK(t, k, Subject(1))
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"DEK", d, "[dek]"},
		{"Keyring", k, "[keyring " + k.Dir() + "]"},
		{"AuditSigner", k.AuditSigner(), "[" + seal.AuditKeyFile + " " + k.AuditSigner().KeyID() + "]"},
		{"ConsentSigner", k.ConsentSigner(), "[" + seal.ConsentKeyFile + " " + k.ConsentSigner().KeyID() + "]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
				got := fmt.Sprintf(verb, c.v)
				if verb == "%T" {
					continue
				}
				if got != c.want {
					t.Errorf("Sprintf(%q) = %q, want %q", verb, got, c.want)
				}
			}
			if got := fmt.Sprint(struct{ V any }{c.v}); got != "{"+c.want+"}" {
				t.Errorf("inside a struct: %q", got)
			}
		})
	}
}

func TestSigners(t *testing.T) {
	k := MustOpen(t, MustKeysDir(t))
	a, c := k.AuditSigner(), k.ConsentSigner()
	msg := []byte("checkpoint 42")
	for _, s := range []seal.Signer{a, c} {
		sig := s.Sign(msg)
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(s.PublicKey(), msg, sig) {
			t.Errorf("%v: signature does not verify", s)
		}
		if len(s.KeyID()) != 16 {
			t.Errorf("%v: KeyID %q, want 16 hex digits", s, s.KeyID())
		}
	}
	if a.PublicKey().Equal(c.PublicKey()) {
		t.Error("audit and consent signers share a key")
	}
	if ed25519.Verify(c.PublicKey(), msg, a.Sign(msg)) {
		t.Error("an audit signature verifies under the consent key")
	}
	pub := a.PublicKey()
	pub[0] ^= 1
	if !ed25519.Verify(a.PublicKey(), msg, a.Sign(msg)) {
		t.Error("PublicKey returns the signer's own slice")
	}
}
