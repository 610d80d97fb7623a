package storetest

import (
	"slices"
	"testing"

	"jaga"
)

// Blind indexes of open quarantined rows (migration 0011).

func init() {
	extra = append(extra, suiteCase{"DiscardQuarantinedByIndex", testDiscardQuarantinedByIndex})
}

// testDiscardQuarantinedByIndex: DiscardQuarantinedOf also discards the open
// quarantined rows without the subject's source key that share one of its blind
// indexes (same field, same value), the ones SetQuarantineIndexes gave it included;
// a row whose indexes were replaced by others, someone else's row, a row with the same
// bytes under another field and a released row stay as they are (invariant 4).
func testDiscardQuarantinedByIndex(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(353)
	a, b := g.Subject(), g.Subject()
	MustInsertSubjects(t, s, a, b)
	email, phone, nik := a.Indexes[0], a.Indexes[1], a.Indexes[2]
	ix := func(ixs ...jaga.BlindIndex) []jaga.BlindIndex { return ixs }
	byEmail, byPhone, bothWays, later := quarantinedRow(g, 2), quarantinedRow(g, 3), quarantinedRow(g, 4), quarantinedRow(g, 5)
	moved, others, otherField, released := quarantinedRow(g, 6), quarantinedRow(g, 7), quarantinedRow(g, 8), quarantinedRow(g, 9)
	byEmail.Indexes = ix(email)
	byPhone.Indexes = ix(jaga.BlindIndex{Field: "email", Value: g.Bytes(16)}, phone)
	bothWays.SourceKey, bothWays.Indexes = a.ImportKey, ix(email, nik)
	moved.Indexes = ix(email)
	others.Indexes = ix(b.Indexes...)
	otherField.Indexes = ix(jaga.BlindIndex{Field: "phone", Value: email.Value})
	released.Indexes, released.Status = ix(email), jaga.QuarantineReleased
	rows := []*jaga.QuarantinedRow{byEmail, byPhone, bothWays, later, moved, others, otherField, released}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, rows) })
	MustUpdate(t, s, func(tx jaga.Tx) error {
		if err := tx.SetQuarantineIndexes(ctx, later.ID, ix(nik)); err != nil {
			return err
		}
		return tx.SetQuarantineIndexes(ctx, moved.ID, ix(b.Indexes[0]))
	})
	var got []jaga.SubjectID
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.DiscardQuarantinedOf(ctx, a.ID)
		return err
	})
	discarded := []*jaga.QuarantinedRow{byEmail, byPhone, bothWays, later}
	want := quarantineIDs(discarded)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("DiscardQuarantinedOf = %v, want %v (lines 2-5)", got, want)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		for _, r := range rows {
			q, err := tx.QuarantinedRow(ctx, r.ID)
			if err != nil {
				return err
			}
			if slices.Contains(discarded, r) {
				if q.Status != jaga.QuarantineDiscarded || len(q.WrappedDEK) != 0 || len(q.Sealed) != 0 {
					t.Errorf("row of line %d: status %s, %d key bytes, %d sealed bytes; want discarded, shredded", r.Line, q.Status, len(q.WrappedDEK), len(q.Sealed))
				}
			} else if q.Status != r.Status || len(q.Sealed) == 0 {
				t.Errorf("row of line %d: status %s, %d sealed bytes; want it untouched", r.Line, q.Status, len(q.Sealed))
			}
		}
		// Rows stored by InsertQuarantine have their indexes: none is left to index.
		left, err := tx.UnindexedQuarantine(ctx, "", 10)
		if err != nil {
			return err
		}
		if len(left) != 0 {
			t.Errorf("UnindexedQuarantine = %v, want none", left)
		}
		wantCode(t, tx.SetQuarantineIndexes(ctx, moved.ID, ix(email)), jaga.EINTERNAL) // read-only
		return nil
	})
	// b's erasure takes the rows that now have its indexes.
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.DiscardQuarantinedOf(ctx, b.ID)
		return err
	})
	want = quarantineIDs([]*jaga.QuarantinedRow{moved, others})
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("DiscardQuarantinedOf(b) = %v, want %v (lines 6-7)", got, want)
	}
	// Erased, a subject has no indexes left to match, and nothing is discarded twice.
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.DiscardQuarantinedOf(ctx, a.ID)
		return err
	})
	if len(got) != 0 {
		t.Fatalf("DiscardQuarantinedOf after the erasure = %v, want none", got)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []jaga.SubjectID{byEmail.ID, released.ID, NewSubjectID()} {
			wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.SetQuarantineIndexes(ctx, id, ix(email)) }), jaga.ENOTFOUND)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		short := jaga.BlindIndex{Field: "email", Value: g.Bytes(15)}
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.SetQuarantineIndexes(ctx, otherField.ID, ix(short)) }), jaga.EINVALID)
		bad := quarantinedRow(g, 10)
		bad.Indexes = ix(jaga.BlindIndex{Value: g.Bytes(16)})
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, []*jaga.QuarantinedRow{bad}) }), jaga.EINVALID)
	})
}
