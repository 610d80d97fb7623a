package gate_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
)

// mustPG opens the PostgreSQL database at url as one more node would.
func mustPG(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	st, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// mustOpenKeys opens the keys directory dir (creating it).
func mustOpenKeys(tb testing.TB, dir string) *seal.Keyring {
	tb.Helper()
	k, err := seal.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

// TestForeignKeysRefusedPostgres: nodes on one PostgreSQL database (docs/postgres.md).
// Nodes sharing keys/ all start; a node with a vault directory of its own (new keys/)
// is refused before it writes anything; a database from before the binding is bound
// on its next open by its own keys.
func TestForeignKeysRefusedPostgres(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	shared := filepath.Join(t.TempDir(), "keys")

	n1, err := newGate(t, mustPG(t, url), mustOpenKeys(t, shared), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n1.Binding() != gate.BindingNew {
		t.Errorf("first node: Binding %v, want BindingNew", n1.Binding())
	}
	svc, _, err := n1.CreateActor(ctx, gate.Request{}, "svc", jaga.RoleService)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n1.Create(ctx, gate.CreateRequest{
		Request: gate.Request{Actor: svc, Purpose: jaga.PurposeServiceProvision},
		Values:  map[string]string{"full_name": "Rina Sari", "nik": "3273055712859902"},
		Channel: jaga.ChannelStoreVisit,
	}); err != nil {
		t.Fatal(err)
	}
	n2, err := newGate(t, mustPG(t, url), mustOpenKeys(t, shared), nil)
	if err != nil {
		t.Fatalf("second node with the same keys/: %v", err)
	}
	if n2.Binding() != gate.BindingFound {
		t.Errorf("second node: Binding %v, want BindingFound", n2.Binding())
	}

	st := mustPG(t, url)
	before := mustVaultState(t, st)
	other := mustKeys(t)
	_, err = newGate(t, st, other, nil)
	wantForeign(t, err, other, "blind-index key check")
	if after := mustVaultState(t, st); after != before {
		t.Errorf("the refused node wrote: before %+v, after %+v", before, after)
	}

	t.Run("Upgrade", func(t *testing.T) {
		n1.Close()
		n2.Close()
		deleteBinding(t, st)
		_, err := newGate(t, st, other, nil)
		wantForeign(t, err, other, "audit checkpoint signature")
		g, err := newGate(t, mustPG(t, url), mustOpenKeys(t, shared), nil)
		if err != nil {
			t.Fatalf("upgrade with the vault's own keys: %v", err)
		}
		if g.Binding() != gate.BindingUpgraded {
			t.Errorf("Binding %v, want BindingUpgraded", g.Binding())
		}
		if s := mustVaultState(t, st); s.Binding == "" {
			t.Errorf("upgrade left the database unbound")
		}
		_, err = newGate(t, st, other, nil)
		wantForeign(t, err, other, "blind-index key check")
	})
}

// TestBindingRacePostgres: two nodes with different keys/ starting together on an
// empty PostgreSQL database: exactly one binds it and starts, the other is refused.
func TestBindingRacePostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	const n = 4
	keys := make([]*seal.Keyring, n)
	stores := make([]*postgres.DB, n)
	for i := range n {
		keys[i], stores[i] = mustKeys(t), mustPG(t, url)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			g, err := gate.New(gate.Config{Store: stores[i], Keys: keys[i], Policy: policy.Default()})
			if err == nil {
				mu.Lock()
				t.Cleanup(func() { g.Close() })
				mu.Unlock()
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	started := 0
	for i, err := range errs {
		switch {
		case err == nil:
			started++
		case !errors.Is(err, gate.ErrForeignKeys):
			t.Errorf("node %d: %v, want started or refused", i, err)
		}
	}
	if started != 1 {
		t.Errorf("%d nodes with different keys/ started on one database, want 1 (%v)", started, errs)
	}
}
