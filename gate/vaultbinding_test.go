package gate_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
)

// vaultState is what a refused node must not change: subjects, the audit log, its
// checkpoints and the purpose registry.
type vaultState struct {
	Subjects       int
	Audit, CPSize  int64
	Registry       int64
	Binding        string
	LatestCPLength int
}

func mustVaultState(tb testing.TB, st jaga.Store) vaultState {
	tb.Helper()
	var s vaultState
	err := st.View(context.Background(), func(tx jaga.Tx) error {
		ctx := context.Background()
		var err error
		if s.Subjects, err = tx.CountSubjects(ctx); err != nil {
			return err
		}
		h, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		s.Audit, s.CPSize = h.Size, h.CheckpointSize
		if s.Registry, err = tx.RegistryVersion(ctx); err != nil {
			return err
		}
		b, err := tx.VaultBinding(ctx)
		if err != nil {
			return err
		}
		if b != nil {
			s.Binding = string(b.KeyCheck) + "|" + b.AuditKeyID + "|" + b.BoundAt.String()
		}
		cp, err := tx.LatestAuditCheckpoint(ctx)
		if cp != nil {
			s.LatestCPLength = len(cp.Note)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// mustKeys opens (creating) keys/ in a new temporary vault directory.
func mustKeys(tb testing.TB) *seal.Keyring {
	tb.Helper()
	k, err := seal.Open(filepath.Join(tb.TempDir(), "keys"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

// mustSQLite opens the SQLite database of vault directory dir once more.
func mustSQLite(tb testing.TB, dir string) *sqlite.DB {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "jaga.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// newGate is gate.New with the default policy; the gate is closed at cleanup.
func newGate(tb testing.TB, st jaga.Store, keys *seal.Keyring, log *slog.Logger) (*gate.Gate, error) {
	tb.Helper()
	g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default(), Logger: log})
	if err == nil {
		tb.Cleanup(func() { g.Close() })
	}
	return g, err
}

// wantForeign checks that err is New's refusal of keys for the reason differs, naming
// the refused vault directory and no key material.
func wantForeign(tb testing.TB, err error, keys *seal.Keyring, differs string) {
	tb.Helper()
	var fe *gate.ForeignKeysError
	if !errors.Is(err, gate.ErrForeignKeys) || !errors.As(err, &fe) {
		tb.Fatalf("gate.New: %v, want the refusal of another vault's keys", err)
	}
	msg := err.Error()
	want := "the database belongs to another vault's keys: keys/ in " + filepath.Dir(keys.Dir()) + " do not match (" + differs + " differs)"
	if msg != want {
		tb.Errorf("error %q,\nwant %q", msg, want)
	}
}

// keyFiles copies every key file of from into a new keys directory and returns its path.
func keyFiles(tb testing.TB, from string) string {
	tb.Helper()
	to := filepath.Join(tb.TempDir(), "keys")
	if err := os.Mkdir(to, 0o700); err != nil {
		tb.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return to
}

// deleteBinding removes the binding row, as in a database from before migration 0013.
func deleteBinding(tb testing.TB, st jaga.Store) {
	tb.Helper()
	err := st.Update(context.Background(), func(tx jaga.Tx) error {
		_, err := tx.(interface{ SQL() *sql.Tx }).SQL().ExecContext(context.Background(), `DELETE FROM vault_binding`)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestForeignKeysRefused: a vault's data/ opened with the keys/ of another vault (fresh
// keys, or its own keys with another audit key) is refused before anything is written;
// with its own keys it opens.
func TestForeignKeysRefused(t *testing.T) {
	f := MustFixture(t)
	f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	if f.g.Binding() != gate.BindingNew {
		t.Errorf("first open: Binding %v, want BindingNew", f.g.Binding())
	}
	f.g.Close()
	st := mustSQLite(t, f.dir)
	before := mustVaultState(t, st)
	if before.Binding == "" || before.Subjects != 1 || before.Audit == 0 {
		t.Fatalf("vault state %+v: want a binding, a subject and audit events", before)
	}

	t.Run("NewKeys", func(t *testing.T) {
		other := mustKeys(t)
		_, err := newGate(t, st, other, nil)
		wantForeign(t, err, other, "blind-index key check")
		if after := mustVaultState(t, st); after != before {
			t.Errorf("the refused node wrote: before %+v, after %+v", before, after)
		}
	})
	t.Run("OtherAuditKey", func(t *testing.T) {
		dir := keyFiles(t, f.keys.Dir())
		foreign := mustKeys(t)
		b, err := os.ReadFile(filepath.Join(foreign.Dir(), seal.AuditKeyFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, seal.AuditKeyFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		keys, err := seal.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer keys.Close()
		_, err = newGate(t, st, keys, nil)
		wantForeign(t, err, keys, "audit signing key")
		if after := mustVaultState(t, st); after != before {
			t.Errorf("the refused node wrote: before %+v, after %+v", before, after)
		}
	})
	t.Run("OwnKeys", func(t *testing.T) {
		keys, err := seal.Open(f.keys.Dir())
		if err != nil {
			t.Fatal(err)
		}
		defer keys.Close()
		g, err := newGate(t, st, keys, nil)
		if err != nil {
			t.Fatalf("own keys refused: %v", err)
		}
		if g.Binding() != gate.BindingFound {
			t.Errorf("Binding %v, want BindingFound", g.Binding())
		}
		g.Close()
	})
}

// TestBindingUpgrade: a database holding a vault but no binding (made before
// migration 0013) is bound to its own keys at the next open, with an info line; with
// fresh keys it is refused, by its audit checkpoint or, without one, by its wrapped
// keys, and stays unbound.
func TestBindingUpgrade(t *testing.T) {
	f := MustFixture(t)
	f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	f.g.Close()
	st := mustSQLite(t, f.dir)
	deleteBinding(t, st)

	other := mustKeys(t)
	_, err := newGate(t, st, other, nil)
	wantForeign(t, err, other, "audit checkpoint signature")
	if s := mustVaultState(t, st); s.Binding != "" {
		t.Fatalf("refused upgrade bound the database: %+v", s)
	}
	err = st.Update(context.Background(), func(tx jaga.Tx) error {
		_, err := tx.(interface{ SQL() *sql.Tx }).SQL().ExecContext(context.Background(), `DELETE FROM audit_checkpoints`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = newGate(t, st, other, nil)
	wantForeign(t, err, other, "key-encryption key")

	keys, err := seal.Open(f.keys.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	var logs bytes.Buffer
	g, err := newGate(t, st, keys, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("upgrade with the vault's own keys: %v", err)
	}
	if g.Binding() != gate.BindingUpgraded {
		t.Errorf("Binding %v, want BindingUpgraded", g.Binding())
	}
	if !strings.Contains(logs.String(), "level=INFO") || !strings.Contains(logs.String(), "bound it to these keys") {
		t.Errorf("no info line for the upgrade in %q", logs.String())
	}
	if s := mustVaultState(t, st); s.Binding == "" {
		t.Errorf("upgrade left the database unbound")
	}
	g.Close()
	_, err = newGate(t, st, other, nil)
	wantForeign(t, err, other, "blind-index key check")
}
