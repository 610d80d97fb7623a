package storetest

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"jaga"
)

// Intake (issue 4) and redaction-token (issue 8) methods of jaga.Tx.

func init() {
	extra = append(extra,
		suiteCase{"FindByIndexes", testFindByIndexes},
		suiteCase{"ImportKeysInsertDelete", testInsertImportKeys},
		suiteCase{"LockResolution", testLockResolution},
		suiteCase{"Quarantine", testQuarantine},
		suiteCase{"DiscardQuarantinedOf", testDiscardQuarantinedOf},
		suiteCase{"Merges", testMerges},
		suiteCase{"ReviewFlags", testReviewFlags},
		suiteCase{"PendingSignups", testPendingSignups},
		suiteCase{"PurgeExpiredSignups", testPurgeExpiredSignups},
		suiteCase{"Tokens", testTokens},
	)
}

func testFindByIndexes(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		g := NewGen(301)
		a, b, c := g.Subject(), g.Subject(), g.Subject()
		b.Indexes[0].Value = a.Indexes[0].Value // a and b share an e-mail
		MustInsertSubjects(t, s, a, b, c)
		unknown := g.Bytes(16)
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.FindByIndexes(ctx, "email", [][]byte{a.Indexes[0].Value, c.Indexes[0].Value, unknown, c.Indexes[1].Value})
			if err != nil {
				return err
			}
			want := map[string][]jaga.SubjectID{
				string(a.Indexes[0].Value): {a.ID, b.ID},
				string(c.Indexes[0].Value): {c.ID},
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("FindByIndexes = %v, want %v (a phone index is not an e-mail one; unknown values absent)", got, want)
			}
			if got, err := tx.FindByIndexes(ctx, "email", nil); err != nil || len(got) != 0 {
				t.Fatalf("FindByIndexes(nil) = %v, %v", got, err)
			}
			return nil
		})
	})
	t.Run("ManyValues", func(t *testing.T) {
		// More values than one statement takes (the store chunks them).
		s := open(t)
		g := NewGen(302)
		subs := g.Subjects(700)
		MustInsertSubjects(t, s, subs...)
		values := make([][]byte, 0, 1400)
		for _, x := range subs {
			values = append(values, x.Indexes[2].Value, g.Bytes(16))
		}
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.FindByIndexes(ctx, "nik", values)
			if err != nil {
				return err
			}
			if len(got) != len(subs) {
				t.Fatalf("FindByIndexes over %d values found %d, want %d", len(values), len(got), len(subs))
			}
			for _, x := range subs {
				if ids := got[string(x.Indexes[2].Value)]; len(ids) != 1 || ids[0] != x.ID {
					t.Fatalf("nik index of %s found %v", x.ID, ids)
				}
			}
			return nil
		})
	})
	t.Run("ErasedLeftOut", func(t *testing.T) {
		s := open(t)
		g := NewGen(303)
		a := g.Subject()
		MustInsertSubjects(t, s, a)
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.FindByIndexes(ctx, "email", [][]byte{a.Indexes[0].Value})
			if err != nil || len(got) != 0 {
				t.Fatalf("FindByIndexes after erasure = %v, %v", got, err)
			}
			return nil
		})
	})
}

func testInsertImportKeys(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(311)
	a, b := g.Subject(), g.Subject()
	MustInsertSubjects(t, s, a, b)
	k1, k2 := g.Bytes(32), g.Bytes(32)
	t.Run("OK", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.InsertImportKeys(ctx, [][]byte{k1, k2}, []jaga.SubjectID{a.ID, a.ID}, nil)
		})
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.ImportKeys(ctx, [][]byte{k1, k2, a.ImportKey, b.ImportKey, g.Bytes(32)})
			if err != nil {
				return err
			}
			want := map[string]jaga.SubjectID{string(k1): a.ID, string(k2): a.ID, string(a.ImportKey): a.ID, string(b.ImportKey): b.ID}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("ImportKeys = %v, want %v", got, want)
			}
			return nil
		})
	})
	t.Run("Contents", func(t *testing.T) {
		// The version first imported under a key: stored with a subject's own key or
		// with a merged row's key; a key stored without one is absent.
		c := g.Subject()
		c.ImportContent = g.Bytes(16)
		MustInsertSubjects(t, s, c)
		k3, k4, v3 := g.Bytes(32), g.Bytes(32), g.Bytes(16)
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.InsertImportKeys(ctx, [][]byte{k3, k4}, []jaga.SubjectID{c.ID, c.ID}, [][]byte{v3, nil})
		})
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.ImportKeyContents(ctx, [][]byte{c.ImportKey, k3, k4, k1, g.Bytes(32)})
			if err != nil {
				return err
			}
			want := map[string][]byte{string(c.ImportKey): c.ImportContent, string(k3): v3}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("ImportKeyContents = %x, want %x", got, want)
			}
			none, err := tx.ImportKeyContents(ctx, nil)
			if err != nil || len(none) != 0 {
				t.Fatalf("ImportKeyContents(nil) = %v, %v", none, err)
			}
			return nil
		})
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.InsertImportKeys(ctx, [][]byte{g.Bytes(32)}, []jaga.SubjectID{c.ID}, [][]byte{})
		})
		wantCode(t, err, jaga.EINVALID)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertImportKeys(ctx, [][]byte{k1}, []jaga.SubjectID{b.ID}, nil) })
		wantCode(t, err, jaga.ECONFLICT)
		err = s.Update(ctx, func(tx jaga.Tx) error {
			return tx.InsertImportKeys(ctx, [][]byte{b.ImportKey}, []jaga.SubjectID{a.ID}, nil)
		})
		wantCode(t, err, jaga.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertImportKeys(ctx, [][]byte{g.Bytes(32)}, nil, nil) })
		wantCode(t, err, jaga.EINVALID)
	})
	t.Run("Delete", func(t *testing.T) {
		// An unmerge: the row's key leaves a and is recorded for b.
		MustUpdate(t, s, func(tx jaga.Tx) error {
			if err := tx.DeleteImportKey(ctx, k2); err != nil {
				return err
			}
			return tx.InsertImportKeys(ctx, [][]byte{k2}, []jaga.SubjectID{b.ID}, nil)
		})
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.ImportKeys(ctx, [][]byte{k1, k2})
			if err != nil {
				return err
			}
			if got[string(k1)] != a.ID || got[string(k2)] != b.ID {
				t.Fatalf("ImportKeys after moving k2 = %v", got)
			}
			return nil
		})
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.DeleteImportKey(ctx, g.Bytes(32)) }) // unknown: no error
	})
}

func testLockResolution(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(321)
	a := g.Subject()
	MustUpdate(t, s, func(tx jaga.Tx) error {
		if err := tx.LockResolution(ctx); err != nil {
			return err
		}
		if err := tx.LockResolution(ctx); err != nil { // taken twice in one transaction
			return err
		}
		return tx.InsertSubjects(ctx, []*jaga.SealedSubject{a})
	})
	// The lock ends with its transaction: the next one takes it again.
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.LockResolution(ctx) })
	mustSubject(t, s, a.ID)
}

func quarantinedRow(g *Gen, line int) *jaga.QuarantinedRow {
	return &jaga.QuarantinedRow{ID: NewSubjectID(), RowKey: g.Bytes(32), File: "expo.xlsx", Line: line,
		Reasons:    []jaga.RowReason{{Field: "nik", Code: "nik_precision_lost", Reason: "a numeric cell lost digits"}},
		WrappedDEK: g.Bytes(60), Sealed: g.Bytes(120)}
}

// testDiscardQuarantinedOf: the open quarantined rows whose source key is one of the
// subject's import keys (its own, or a merged row's in import_keys) are discarded with
// their key and sealed values emptied; released rows, rows of other sources and rows
// without a source key stay as they are.
func testDiscardQuarantinedOf(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(337)
	a, b := g.Subject(), g.Subject()
	MustInsertSubjects(t, s, a, b)
	merged := g.Bytes(32)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		return tx.InsertImportKeys(ctx, [][]byte{merged}, []jaga.SubjectID{a.ID}, nil)
	})
	own, viaMerge, released, others, none := quarantinedRow(g, 2), quarantinedRow(g, 3), quarantinedRow(g, 4), quarantinedRow(g, 5), quarantinedRow(g, 6)
	own.SourceKey, viaMerge.SourceKey, released.SourceKey, others.SourceKey = a.ImportKey, merged, a.ImportKey, b.ImportKey
	released.Status = jaga.QuarantineReleased
	rows := []*jaga.QuarantinedRow{own, viaMerge, released, others, none}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, rows) })
	var got []jaga.SubjectID
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.DiscardQuarantinedOf(ctx, a.ID)
		return err
	})
	want := []jaga.SubjectID{own.ID, viaMerge.ID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("DiscardQuarantinedOf = %v, want %v", got, want)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		for _, r := range rows {
			q, err := tx.QuarantinedRow(ctx, r.ID)
			if err != nil {
				return err
			}
			discarded := r == own || r == viaMerge
			if discarded && (q.Status != jaga.QuarantineDiscarded || len(q.WrappedDEK) != 0 || len(q.Sealed) != 0) {
				t.Errorf("row of line %d: status %s, %d key bytes, %d sealed bytes; want discarded, shredded", r.Line, q.Status, len(q.WrappedDEK), len(q.Sealed))
			}
			if !discarded && (q.Status != r.Status || len(q.Sealed) == 0) {
				t.Errorf("row of line %d: status %s, %d sealed bytes; want it untouched", r.Line, q.Status, len(q.Sealed))
			}
		}
		// Rows stored with a source key (an empty one for none) are not unkeyed.
		left, err := tx.UnkeyedQuarantine(ctx, "", 10)
		if err != nil {
			return err
		}
		if len(left) != 0 {
			t.Errorf("UnkeyedQuarantine = %v, want none", left)
		}
		return nil
	})
	// A second call finds nothing left to discard.
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.DiscardQuarantinedOf(ctx, a.ID)
		return err
	})
	if len(got) != 0 {
		t.Fatalf("second DiscardQuarantinedOf = %v, want none", got)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		wantCode(t, tx.SetQuarantineSource(ctx, others.ID, g.Bytes(32)), jaga.EINTERNAL)
		return nil
	})
	err := s.Update(ctx, func(tx jaga.Tx) error { return tx.SetQuarantineSource(ctx, others.ID, g.Bytes(32)) })
	wantCode(t, err, jaga.ENOTFOUND)
}

func testQuarantine(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(331)
	rows := []*jaga.QuarantinedRow{quarantinedRow(g, 7), quarantinedRow(g, 9), quarantinedRow(g, 12)}
	t.Run("Insert", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, rows) })
		for _, r := range rows {
			if r.Status != jaga.QuarantineOpen || r.CreatedAt.IsZero() || !r.UpdatedAt.Equal(r.CreatedAt) {
				t.Fatalf("inserted row: status %q, created %v, updated %v", r.Status, r.CreatedAt, r.UpdatedAt)
			}
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		dup := quarantinedRow(g, 7)
		dup.RowKey = rows[0].RowKey
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, []*jaga.QuarantinedRow{dup}) }), jaga.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := quarantinedRow(g, 1)
		bad.ID = "q_1"
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, []*jaga.QuarantinedRow{bad}) }), jaga.EINVALID)
		bad = quarantinedRow(g, 1)
		bad.RowKey = nil
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertQuarantine(ctx, []*jaga.QuarantinedRow{bad}) }), jaga.EINVALID)
	})
	t.Run("Keys", func(t *testing.T) {
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.QuarantineKeys(ctx, [][]byte{rows[0].RowKey, rows[2].RowKey, g.Bytes(32)})
			if err != nil {
				return err
			}
			want := map[string]jaga.SubjectID{string(rows[0].RowKey): rows[0].ID, string(rows[2].RowKey): rows[2].ID}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("QuarantineKeys = %v, want %v", got, want)
			}
			return nil
		})
	})
	t.Run("Row", func(t *testing.T) {
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.QuarantinedRow(ctx, rows[1].ID)
			if err != nil {
				return err
			}
			w := *rows[1]
			w.CreatedAt, w.UpdatedAt = trunc(w.CreatedAt), trunc(w.UpdatedAt)
			if !reflect.DeepEqual(got, &w) {
				t.Fatalf("QuarantinedRow:\n got %+v\nwant %+v", got, &w)
			}
			_, err = tx.QuarantinedRow(ctx, NewSubjectID())
			wantCode(t, err, jaga.ENOTFOUND)
			return nil
		})
	})
	t.Run("UpdateAndList", func(t *testing.T) {
		r := *rows[0]
		r.Status, r.Subject, r.WrappedDEK, r.Sealed = jaga.QuarantineReleased, NewSubjectID(), nil, nil
		r.Reasons = []jaga.RowReason{}
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.UpdateQuarantine(ctx, &r) })
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.QuarantinedRow(ctx, r.ID)
			if err != nil {
				return err
			}
			if got.Status != jaga.QuarantineReleased || got.Subject != r.Subject || len(got.WrappedDEK) != 0 || len(got.Sealed) != 0 || len(got.Reasons) != 0 {
				t.Fatalf("released row = %+v; want released, its subject, key and values destroyed", got)
			}
			open, err := tx.Quarantined(ctx, jaga.QuarantineFilter{Status: jaga.QuarantineOpen})
			if err != nil {
				return err
			}
			want := []jaga.SubjectID{rows[1].ID, rows[2].ID}
			slices.Sort(want)
			if ids := quarantineIDs(open); !slices.Equal(ids, want) {
				t.Fatalf("open rows = %v, want %v", ids, want)
			}
			for _, q := range open {
				if q.WrappedDEK != nil || q.Sealed != nil || q.File != "expo.xlsx" || len(q.Reasons) != 1 {
					t.Fatalf("listed row %+v: want file and reasons without sealed values", q)
				}
			}
			all, err := tx.Quarantined(ctx, jaga.QuarantineFilter{})
			if err != nil {
				return err
			}
			if len(all) != 3 {
				t.Fatalf("all rows = %d, want 3", len(all))
			}
			page, err := tx.Quarantined(ctx, jaga.QuarantineFilter{After: all[0].ID, Limit: 1})
			if err != nil {
				return err
			}
			if ids := quarantineIDs(page); !slices.Equal(ids, []jaga.SubjectID{all[1].ID}) {
				t.Fatalf("page after %s = %v, want %v", all[0].ID, ids, all[1].ID)
			}
			return nil
		})
		unknown := *rows[1]
		unknown.ID = NewSubjectID()
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.UpdateQuarantine(ctx, &unknown) }), jaga.ENOTFOUND)
	})
}

func quarantineIDs(rs []*jaga.QuarantinedRow) []jaga.SubjectID {
	out := make([]jaga.SubjectID, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testMerges(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(341)
	a, b := g.Subject(), g.Subject()
	MustInsertSubjects(t, s, a, b)
	cs := []*jaga.Consent{
		{Subject: a.ID, Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, Channel: jaga.ChannelExhibition, Evidence: "form-7", At: t0},
		{Subject: a.ID, Purpose: jaga.PurposeServiceImprovement, Status: jaga.ConsentRefused, Channel: jaga.ChannelExhibition, Evidence: "form-7", At: t0},
	}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, cs) })
	ms := []*jaga.MergeRecord{
		{Subject: a.ID, RowKey: g.Bytes(32), File: "expo.xlsx", Line: 4, At: t0, Fields: []string{"phone"}, Consents: []int64{cs[0].ID, cs[1].ID}, Sealed: g.Bytes(80)},
		{Subject: a.ID, RowKey: g.Bytes(32), File: "d2d.csv", Line: 9, At: t0.Add(time.Hour), Sealed: g.Bytes(80)},
	}
	t.Run("Insert", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertMerges(ctx, ms) })
		if ms[0].ID == 0 || ms[1].ID <= ms[0].ID || ms[0].CreatedAt.IsZero() {
			t.Fatalf("merge IDs %d, %d, created %v: want increasing IDs and a time", ms[0].ID, ms[1].ID, ms[0].CreatedAt)
		}
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertMerges(ctx, nil) })
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.Merges(ctx, a.ID)
			if err != nil {
				return err
			}
			if len(got) != 2 {
				t.Fatalf("Merges = %d records, want 2", len(got))
			}
			m := got[0]
			if m.ID != ms[0].ID || m.File != "expo.xlsx" || m.Line != 4 || !m.At.Equal(t0.Truncate(time.Microsecond)) ||
				!slices.Equal(m.Fields, []string{"phone"}) || !slices.Equal(m.Consents, []int64{cs[0].ID, cs[1].ID}) ||
				!bytes.Equal(m.Sealed, ms[0].Sealed) || !bytes.Equal(m.RowKey, ms[0].RowKey) || !m.UndoneAt.IsZero() {
				t.Fatalf("first merge = %+v, want %+v", m, ms[0])
			}
			if len(got[1].Fields) != 0 || len(got[1].Consents) != 0 {
				t.Fatalf("second merge has fields %v consents %v; want none", got[1].Fields, got[1].Consents)
			}
			if none, err := tx.Merges(ctx, b.ID); err != nil || len(none) != 0 {
				t.Fatalf("Merges(b) = %v, %v", none, err)
			}
			return nil
		})
	})
	t.Run("Undo", func(t *testing.T) {
		at := t0.Add(2 * time.Hour)
		MustUpdate(t, s, func(tx jaga.Tx) error {
			if err := tx.UndoMerge(ctx, ms[0].ID, b.ID, at); err != nil {
				return err
			}
			return tx.MoveConsents(ctx, ms[0].Consents, b.ID)
		})
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.Merges(ctx, a.ID)
			if err != nil {
				return err
			}
			if !got[0].UndoneAt.Equal(at) || got[0].UndoneInto != b.ID || len(got[0].Sealed) != 0 {
				t.Fatalf("undone merge = %+v; want undone into b with its sealed copy destroyed", got[0])
			}
			if !got[1].UndoneAt.IsZero() {
				t.Fatalf("the other merge was undone too")
			}
			ca, err := tx.Consents(ctx, a.ID)
			if err != nil {
				return err
			}
			cb, err := tx.Consents(ctx, b.ID)
			if err != nil {
				return err
			}
			if len(ca) != 0 || len(cb) != 2 {
				t.Fatalf("after moving consents: a has %d, b has %d; want 0 and 2", len(ca), len(cb))
			}
			return nil
		})
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.UndoMerge(ctx, ms[0].ID, b.ID, at) }), jaga.ENOTFOUND)
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.UndoMerge(ctx, ms[1].ID+1000, b.ID, at) }), jaga.ENOTFOUND)
	})
	t.Run("ErasedWithSubject", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
		MustView(t, s, func(tx jaga.Tx) error {
			if got, err := tx.Merges(ctx, a.ID); err != nil || len(got) != 0 {
				t.Fatalf("Merges after erasure = %d, %v; want the sealed rows deleted", len(got), err)
			}
			return nil
		})
	})
}

func testReviewFlags(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	a, b := NewSubjectID(), NewSubjectID()
	flags := []*jaga.ReviewFlag{
		{Subject: a, Reason: "identity_conflict", Other: b, File: "customers_id.csv", Line: 17},
		{Subject: b, Reason: "identity_conflict", Other: a, File: "customers_id.csv", Line: 17},
		{Subject: a, Reason: "pii_in_free_text:nik"},
	}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertReviewFlags(ctx, flags) })
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertReviewFlags(ctx, nil) })
	if flags[0].ID == 0 || flags[1].ID <= flags[0].ID || flags[2].ID <= flags[1].ID {
		t.Fatalf("flag IDs %d %d %d: want increasing", flags[0].ID, flags[1].ID, flags[2].ID)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		all, err := tx.ReviewFlags(ctx, "", 0)
		if err != nil {
			return err
		}
		if len(all) != 3 {
			t.Fatalf("ReviewFlags = %d, want 3", len(all))
		}
		f := all[0]
		if f.ID != flags[0].ID || f.Subject != a || f.Other != b || f.Reason != "identity_conflict" || f.File != "customers_id.csv" || f.Line != 17 ||
			!f.CreatedAt.Equal(trunc(flags[0].CreatedAt)) || !f.ResolvedAt.IsZero() {
			t.Fatalf("first flag = %+v, want %+v", f, flags[0])
		}
		ofA, err := tx.ReviewFlags(ctx, a, 0)
		if err != nil {
			return err
		}
		if len(ofA) != 2 || ofA[0].ID != flags[0].ID || ofA[1].Reason != "pii_in_free_text:nik" {
			t.Fatalf("flags of a = %+v", ofA)
		}
		if one, err := tx.ReviewFlags(ctx, "", 1); err != nil || len(one) != 1 {
			t.Fatalf("ReviewFlags(limit 1) = %d, %v", len(one), err)
		}
		return nil
	})
	// A resolved flag is not open.
	resolved := &jaga.ReviewFlag{Subject: b, Reason: "phone_unverified", ResolvedAt: t0}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertReviewFlags(ctx, []*jaga.ReviewFlag{resolved}) })
	MustView(t, s, func(tx jaga.Tx) error {
		ofB, err := tx.ReviewFlags(ctx, b, 0)
		if err != nil || len(ofB) != 1 {
			t.Fatalf("open flags of b = %d, %v; want the resolved one left out", len(ofB), err)
		}
		return nil
	})
}

// testPurgeExpiredSignups: sign-ups never confirmed whose link expired before the time
// given are deleted; those still valid, and confirmed ones, stay.
func testPurgeExpiredSignups(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(353)
	signup := func(expires time.Time) *jaga.PendingSignup {
		return &jaga.PendingSignup{ID: NewSubjectID(), TokenHash: g.Bytes(32), Form: "newsletter", WrappedDEK: g.Bytes(60), Sealed: g.Bytes(90), ExpiresAt: expires}
	}
	expired, valid, confirmed := signup(t0.Add(time.Hour)), signup(t0.Add(100*time.Hour)), signup(t0.Add(time.Hour))
	a := g.Subject()
	MustInsertSubjects(t, s, a)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		for _, p := range []*jaga.PendingSignup{expired, valid, confirmed} {
			if err := tx.InsertPendingSignup(ctx, p); err != nil {
				return err
			}
		}
		return tx.ConfirmPendingSignup(ctx, confirmed.ID, a.ID)
	})
	var n int
	MustUpdate(t, s, func(tx jaga.Tx) (err error) {
		n, err = tx.PurgeExpiredSignups(ctx, t0.Add(2*time.Hour))
		return err
	})
	if n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		_, err := tx.PendingSignupByToken(ctx, expired.TokenHash)
		wantCode(t, err, jaga.ENOTFOUND)
		for _, p := range []*jaga.PendingSignup{valid, confirmed} {
			if _, err := tx.PendingSignupByToken(ctx, p.TokenHash); err != nil {
				t.Errorf("sign-up expiring %v: %v", p.ExpiresAt, err)
			}
		}
		return nil
	})
}

func testPendingSignups(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(351)
	p := &jaga.PendingSignup{ID: NewSubjectID(), TokenHash: g.Bytes(32), Form: "newsletter", WrappedDEK: g.Bytes(60), Sealed: g.Bytes(90),
		ExpiresAt: t0.Add(72 * time.Hour)}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertPendingSignup(ctx, p) })
	t.Run("ByToken", func(t *testing.T) {
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.PendingSignupByToken(ctx, p.TokenHash)
			if err != nil {
				return err
			}
			w := *p
			w.CreatedAt, w.ExpiresAt = trunc(w.CreatedAt), trunc(w.ExpiresAt)
			if !reflect.DeepEqual(got, &w) {
				t.Fatalf("PendingSignupByToken:\n got %+v\nwant %+v", got, &w)
			}
			_, err = tx.PendingSignupByToken(ctx, g.Bytes(32))
			wantCode(t, err, jaga.ENOTFOUND)
			return nil
		})
	})
	t.Run("ErrConflict", func(t *testing.T) {
		dup := *p
		dup.TokenHash = g.Bytes(32)
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertPendingSignup(ctx, &dup) }), jaga.ECONFLICT)
	})
	t.Run("Confirm", func(t *testing.T) {
		sub := NewSubjectID()
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.ConfirmPendingSignup(ctx, p.ID, sub) })
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.PendingSignupByToken(ctx, p.TokenHash)
			if err != nil {
				return err
			}
			if got.Confirmed != sub || len(got.WrappedDEK) != 0 || len(got.Sealed) != 0 {
				t.Fatalf("confirmed sign-up = %+v; want the subject and the sealed copy destroyed", got)
			}
			return nil
		})
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.ConfirmPendingSignup(ctx, p.ID, sub) }), jaga.ENOTFOUND)
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.ConfirmPendingSignup(ctx, NewSubjectID(), sub) }), jaga.ENOTFOUND)
	})
}

func testTokens(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(361)
	a := g.Subject()
	MustInsertSubjects(t, s, a)
	linked := &jaga.Token{Index: g.Bytes(16), Kind: "nik", Subject: a.ID, WrappedKey: g.Bytes(60), Sealed: g.Bytes(44)}
	loose := &jaga.Token{Index: g.Bytes(16), Kind: "npwp", WrappedKey: g.Bytes(60), Sealed: g.Bytes(43)}
	t.Run("OK", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertTokens(ctx, []*jaga.Token{linked, loose}) })
		MustView(t, s, func(tx jaga.Tx) error {
			for _, want := range []*jaga.Token{linked, loose} {
				got, err := tx.TokenByIndex(ctx, want.Index)
				if err != nil {
					return err
				}
				w := *want
				w.CreatedAt = trunc(w.CreatedAt)
				if w.CreatedAt.IsZero() || !reflect.DeepEqual(got, &w) {
					t.Fatalf("TokenByIndex:\n got %+v\nwant %+v", got, &w)
				}
			}
			_, err := tx.TokenByIndex(ctx, g.Bytes(16))
			wantCode(t, err, jaga.ENOTFOUND)
			return nil
		})
	})
	t.Run("ErrConflict", func(t *testing.T) {
		dup := *loose
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertTokens(ctx, []*jaga.Token{&dup}) }), jaga.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for i, bad := range []*jaga.Token{
			{Kind: "nik", WrappedKey: g.Bytes(60), Sealed: g.Bytes(40)},
			{Index: g.Bytes(16), WrappedKey: g.Bytes(60), Sealed: g.Bytes(40)},
			{Index: g.Bytes(16), Kind: "nik", Sealed: g.Bytes(40)},
			{Index: g.Bytes(16), Kind: "nik", WrappedKey: g.Bytes(60), Sealed: g.Bytes(40), Subject: "sub_x"},
		} {
			err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertTokens(ctx, []*jaga.Token{bad}) })
			if jaga.ErrorCode(err) != jaga.EINVALID {
				t.Fatalf("bad token %d: %v, want EINVALID", i, err)
			}
		}
	})
	t.Run("ErasedWithSubject", func(t *testing.T) {
		// Invariant 4: erasing a subject deletes its tokens; a token of no known subject stays.
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
		MustView(t, s, func(tx jaga.Tx) error {
			_, err := tx.TokenByIndex(ctx, linked.Index)
			wantCode(t, err, jaga.ENOTFOUND)
			if _, err := tx.TokenByIndex(ctx, loose.Index); err != nil {
				return fmt.Errorf("token of no subject after an erasure: %w", err)
			}
			return nil
		})
	})
}
