// Package vaulttest opens a real vault for tests: key files in keys/, a SQLite file in
// data/jaga.db and a gate over them, in a temporary directory, closed at cleanup.
//
// Like cmd/jaga it wires concrete types (seal, sqlstore/sqlite), so only test files may
// import it: TestImportGraph fails when a package's own code does.
package vaulttest

import (
	"context"
	"path/filepath"
	"testing"

	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
)

// Options change the vault New opens.
type Options struct {
	// Gate is the gate's configuration. New sets its Store and Keys; a nil Policy is
	// policy.Default(); its Clock (nil: the system's) is the database's clock too.
	Gate gate.Config
	// Bare leaves the registry empty; by default New seeds the demo's notices, DPIA and
	// balancing test (gate.SeedDemo).
	Bare bool
}

// Vault is an open test vault.
type Vault struct {
	Dir   string // the vault directory (keys/ and data/ below it)
	Gate  *gate.Gate
	Store *sqlite.DB
	Keys  *seal.Keyring
}

// New opens a vault in a new temporary directory of tb and closes the gate, the
// database and the keys, in that order, at tb's cleanup. Any failure fails tb.
func New(tb testing.TB, o Options) *Vault {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	keys, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { keys.Close() })
	st, err := sqlite.Open(ctx, filepath.Join(dir, "data", "jaga.db"), sqlite.Options{Clock: o.Gate.Clock})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	cfg := o.Gate
	cfg.Store, cfg.Keys = st, keys
	if cfg.Policy == nil {
		cfg.Policy = policy.Default()
	}
	g, err := gate.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { g.Close() })
	if !o.Bare {
		if err := g.SeedDemo(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	return &Vault{Dir: dir, Gate: g, Store: st, Keys: keys}
}
