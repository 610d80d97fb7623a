package storetest

import (
	"bytes"
	"testing"
	"time"

	"jaga"
)

// Pending purchases (migration 0012, jaga.PendingPurchaseTx).

func init() {
	extra = append(extra,
		suiteCase{"PendingPurchases", testPendingPurchases},
		suiteCase{"PurgePendingPurchases", testPurgePendingPurchases},
		suiteCase{"EraseSubjectPendingPurchases", testErasePendingPurchases},
	)
}

func pendingHolder(g *Gen, sourceKey []byte) *jaga.PendingPurchaseHolder {
	return &jaga.PendingPurchaseHolder{SourceKey: sourceKey, ID: NewSubjectID(), WrappedDEK: g.Bytes(60)}
}

func pendingLine(g *Gen, sourceKey []byte) *jaga.PendingPurchase {
	return &jaga.PendingPurchase{Key: g.Bytes(32), SourceKey: sourceKey, Sealed: g.Bytes(90)}
}

func countPending(t *testing.T, s jaga.Store) int {
	t.Helper()
	var n int
	MustView(t, s, func(tx jaga.Tx) (err error) {
		n, err = tx.CountPendingPurchases(ctx)
		return err
	})
	return n
}

// testPendingPurchases: holders and lines are stored and read back with their holder's
// wrapped key; a line stored again is skipped, a holder stored again is ECONFLICT, a
// line without a holder ENOTFOUND; deleting source keys deletes their lines and
// holders, and no other.
func testPendingPurchases(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(401)
	ka, kb := g.Bytes(32), g.Bytes(32)
	ha, hb := pendingHolder(g, ka), pendingHolder(g, kb)
	a1, a2, b1 := pendingLine(g, ka), pendingLine(g, ka), pendingLine(g, kb)
	var n int
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		n, err = tx.InsertPendingPurchases(ctx, []*jaga.PendingPurchaseHolder{ha, hb}, []*jaga.PendingPurchase{a1, a2, b1})
		return err
	})
	if n != 3 || ha.CreatedAt.IsZero() || a1.CreatedAt.IsZero() {
		t.Fatalf("InsertPendingPurchases = %d (created %v, %v); want 3 with times", n, ha.CreatedAt, a1.CreatedAt)
	}
	t.Run("Read", func(t *testing.T) {
		MustView(t, s, func(tx jaga.Tx) error {
			hs, err := tx.PendingPurchaseHolders(ctx, [][]byte{ka, g.Bytes(32)})
			if err != nil {
				return err
			}
			if h := hs[string(ka)]; len(hs) != 1 || h == nil || h.ID != ha.ID || !bytes.Equal(h.WrappedDEK, ha.WrappedDEK) || !trunc(h.CreatedAt).Equal(trunc(ha.CreatedAt)) {
				t.Errorf("PendingPurchaseHolders = %+v; want only %+v", hs, ha)
			}
			lines, err := tx.PendingPurchases(ctx, [][]byte{ka})
			if err != nil {
				return err
			}
			if len(lines) != 2 {
				t.Fatalf("PendingPurchases(a) = %d lines; want 2", len(lines))
			}
			for _, l := range lines {
				want := a1
				if bytes.Equal(l.Key, a2.Key) {
					want = a2
				}
				if !bytes.Equal(l.Key, want.Key) || !bytes.Equal(l.Sealed, want.Sealed) || !bytes.Equal(l.SourceKey, ka) ||
					l.Holder == nil || l.Holder.ID != ha.ID || !bytes.Equal(l.Holder.WrappedDEK, ha.WrappedDEK) {
					t.Errorf("line %x: %+v; want %+v with holder %s", l.Key, l, want, ha.ID)
				}
			}
			if bytes.Compare(lines[0].Key, lines[1].Key) > 0 {
				t.Error("lines of one source key not in key order")
			}
			return nil
		})
	})
	t.Run("Idempotent", func(t *testing.T) {
		again := *a1
		again.Sealed = g.Bytes(90)
		MustUpdate(t, s, func(tx jaga.Tx) (err error) {
			n, err = tx.InsertPendingPurchases(ctx, nil, []*jaga.PendingPurchase{&again})
			return err
		})
		if n != 0 || countPending(t, s) != 3 {
			t.Fatalf("a line stored again: %d stored, %d pending; want 0, 3", n, countPending(t, s))
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			_, err := tx.InsertPendingPurchases(ctx, []*jaga.PendingPurchaseHolder{pendingHolder(g, ka)}, nil)
			return err
		})
		wantCode(t, err, jaga.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			_, err := tx.InsertPendingPurchases(ctx, nil, []*jaga.PendingPurchase{pendingLine(g, g.Bytes(32))})
			return err
		})
		wantCode(t, err, jaga.ENOTFOUND)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			_, err := tx.InsertPendingPurchases(ctx, nil, []*jaga.PendingPurchase{{Key: g.Bytes(32), SourceKey: ka}})
			return err
		})
		wantCode(t, err, jaga.EINVALID)
	})
	t.Run("Delete", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) (err error) {
			n, err = tx.DeletePendingPurchases(ctx, [][]byte{ka, g.Bytes(32)})
			return err
		})
		if n != 2 || countPending(t, s) != 1 {
			t.Fatalf("DeletePendingPurchases = %d, %d left; want 2, 1", n, countPending(t, s))
		}
		MustView(t, s, func(tx jaga.Tx) error {
			hs, err := tx.PendingPurchaseHolders(ctx, [][]byte{ka, kb})
			if err != nil {
				return err
			}
			if len(hs) != 1 || hs[string(kb)] == nil {
				t.Errorf("holders left: %v; want only b's", hs)
			}
			lines, err := tx.PendingPurchases(ctx, [][]byte{ka, kb})
			if len(lines) != 1 || !bytes.Equal(lines[0].Key, b1.Key) {
				t.Errorf("lines left: %d; want b's one", len(lines))
			}
			return err
		})
	})
}

// testPurgePendingPurchases: lines stored before the time are deleted, and so are the
// holders left without a line; newer lines and their holders stay.
func testPurgePendingPurchases(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(409)
	ka, kb := g.Bytes(32), g.Bytes(32)
	now := time.Now().UTC()
	old, old2, fresh := pendingLine(g, ka), pendingLine(g, kb), pendingLine(g, kb)
	old.CreatedAt, old2.CreatedAt, fresh.CreatedAt = now.Add(-100*24*time.Hour), now.Add(-91*24*time.Hour), now.Add(-time.Hour)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		_, err := tx.InsertPendingPurchases(ctx, []*jaga.PendingPurchaseHolder{pendingHolder(g, ka), pendingHolder(g, kb)},
			[]*jaga.PendingPurchase{old, old2, fresh})
		return err
	})
	var n int
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		n, err = tx.PurgePendingPurchases(ctx, now.Add(-90*24*time.Hour))
		return err
	})
	if n != 2 || countPending(t, s) != 1 {
		t.Fatalf("PurgePendingPurchases = %d, %d left; want 2, 1", n, countPending(t, s))
	}
	MustView(t, s, func(tx jaga.Tx) error {
		hs, err := tx.PendingPurchaseHolders(ctx, [][]byte{ka, kb})
		if len(hs) != 1 || hs[string(kb)] == nil {
			t.Errorf("holders left: %v; want only the one with a fresh line", hs)
		}
		return err
	})
}

// testErasePendingPurchases: erasing a subject deletes the pending lines and holders of
// its source keys (its own import key and those import_keys maps to it), no others.
func testErasePendingPurchases(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(419)
	a, b := g.Subject(), g.Subject()
	MustInsertSubjects(t, s, a, b)
	merged := g.Bytes(32)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		if err := tx.InsertImportKeys(ctx, [][]byte{merged}, []jaga.SubjectID{a.ID}, nil); err != nil {
			return err
		}
		_, err := tx.InsertPendingPurchases(ctx,
			[]*jaga.PendingPurchaseHolder{pendingHolder(g, a.ImportKey), pendingHolder(g, merged), pendingHolder(g, b.ImportKey)},
			[]*jaga.PendingPurchase{pendingLine(g, a.ImportKey), pendingLine(g, merged), pendingLine(g, b.ImportKey)})
		return err
	})
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, time.Time{}) })
	if n := countPending(t, s); n != 1 {
		t.Fatalf("%d pending lines after erasing a; want b's 1", n)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		hs, err := tx.PendingPurchaseHolders(ctx, [][]byte{a.ImportKey, merged, b.ImportKey})
		if len(hs) != 1 || hs[string(b.ImportKey)] == nil {
			t.Errorf("holders left: %v; want only b's", hs)
		}
		return err
	})
}
