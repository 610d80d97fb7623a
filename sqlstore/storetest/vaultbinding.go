package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"jaga"
)

// The vault binding (migration 0013, jaga.VaultBindingTx).

func init() {
	extra = append(extra,
		suiteCase{"VaultBinding", testVaultBinding},
		suiteCase{"VaultBindingConcurrent", testVaultBindingConcurrent},
	)
}

func binding(g *Gen, auditKeyID string) *jaga.VaultBinding {
	return &jaga.VaultBinding{KeyCheck: g.Bytes(jaga.VaultKeyCheckSize), AuditKeyID: auditKeyID}
}

func sameBinding(a, b *jaga.VaultBinding) bool {
	return a != nil && b != nil && bytes.Equal(a.KeyCheck, b.KeyCheck) && a.AuditKeyID == b.AuditKeyID && a.BoundAt.Equal(b.BoundAt)
}

// testVaultBinding: a new store has no binding; a malformed one is EINVALID and stores
// nothing; a rolled-back binding is not kept; the first binding stays and is returned
// to a later one with other keys, which changes nothing.
func testVaultBinding(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(1301)
	readBinding := func() *jaga.VaultBinding {
		t.Helper()
		var b *jaga.VaultBinding
		MustView(t, s, func(tx jaga.Tx) (err error) {
			b, err = tx.VaultBinding(ctx)
			return err
		})
		return b
	}
	if b := readBinding(); b != nil {
		t.Fatalf("new store: binding %+v, want none", b)
	}
	for name, bad := range map[string]*jaga.VaultBinding{
		"short check":  {KeyCheck: g.Bytes(15), AuditKeyID: "0011223344556677"},
		"no check":     {AuditKeyID: "0011223344556677"},
		"no audit key": {KeyCheck: g.Bytes(16)},
	} {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			_, err := tx.BindVault(ctx, bad)
			return err
		})
		if jaga.ErrorCode(err) != jaga.EINVALID {
			t.Errorf("%s: BindVault: %v, want EINVALID", name, err)
		}
	}
	rollback := errors.New("rollback")
	err := s.Update(ctx, func(tx jaga.Tx) error {
		if _, err := tx.BindVault(ctx, binding(g, "aaaaaaaaaaaaaaaa")); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("Update: %v", err)
	}
	if b := readBinding(); b != nil {
		t.Fatalf("after a rollback: binding %+v, want none", b)
	}

	first := binding(g, "0011223344556677")
	var got *jaga.VaultBinding
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.BindVault(ctx, first)
		return err
	})
	if got == nil || !bytes.Equal(got.KeyCheck, first.KeyCheck) || got.AuditKeyID != first.AuditKeyID || got.BoundAt.IsZero() {
		t.Fatalf("BindVault returned %+v, want %+v with a time", got, first)
	}
	if !got.BoundAt.Equal(first.BoundAt) {
		t.Errorf("BindVault: BoundAt %v not written back into the caller's binding (%v)", got.BoundAt, first.BoundAt)
	}
	if b := readBinding(); !sameBinding(b, got) {
		t.Fatalf("VaultBinding: %+v, want %+v", b, got)
	}

	other := binding(g, "8899aabbccddeeff")
	var again *jaga.VaultBinding
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		again, err = tx.BindVault(ctx, other)
		return err
	})
	if !sameBinding(again, got) {
		t.Fatalf("BindVault over a binding: %+v, want the first %+v", again, got)
	}
	if b := readBinding(); !sameBinding(b, got) {
		t.Fatalf("after a second BindVault: %+v, want the first %+v", b, got)
	}
}

// testVaultBindingConcurrent: transactions binding an empty store at once with
// different keys (nodes starting together on a new PostgreSQL database) store one
// binding, and every one of them reads that one back.
func testVaultBindingConcurrent(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(1302)
	const n = 6
	want := make([]*jaga.VaultBinding, n)
	for i := range want {
		want[i] = binding(g, fmt.Sprintf("%016x", i+1))
	}
	got := make([]*jaga.VaultBinding, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.Update(ctx, func(tx jaga.Tx) (err error) {
				got[i], err = tx.BindVault(ctx, want[i])
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	winners := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("BindVault %d: %v", i, errs[i])
		}
		if !sameBinding(got[i], got[0]) {
			t.Errorf("BindVault %d read %+v, BindVault 0 read %+v: two bindings", i, got[i], got[0])
		}
		if bytes.Equal(got[0].KeyCheck, want[i].KeyCheck) && got[0].AuditKeyID == want[i].AuditKeyID {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d of the bindings match the stored one, want exactly 1", winners)
	}
}
