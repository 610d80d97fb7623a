package storetest

import (
	"testing"

	"jaga"
)

func testTryLock(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	CheckTryLock(t, s, s)
}

// CheckTryLock checks jaga.Store.TryLock on a and b, two handles of one database (two
// nodes; or the same store twice): a lock held through one is refused through the
// other until released, names do not interfere, and a bad name is EINVALID.
func CheckTryLock(t *testing.T, a, b jaga.Store) {
	t.Helper()
	release, ok, err := a.TryLock(ctx, "kek_rewrap")
	if err != nil || !ok {
		t.Fatalf("TryLock(free) = %v, %v", ok, err)
	}
	if r, ok, err := b.TryLock(ctx, "kek_rewrap"); err != nil || ok || r != nil {
		t.Fatalf("TryLock(held) = %v, %v; want not taken", ok, err)
	}
	other, ok, err := b.TryLock(ctx, "deadlines")
	if err != nil || !ok {
		t.Fatalf("TryLock(another name) = %v, %v", ok, err)
	}
	other()
	release()
	again, ok, err := b.TryLock(ctx, "kek_rewrap")
	if err != nil || !ok {
		t.Fatalf("TryLock(after release) = %v, %v", ok, err)
	}
	again()
	if _, _, err := a.TryLock(ctx, "Not A Name"); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Fatalf("TryLock(bad name) = %v, want EINVALID", err)
	}
}
