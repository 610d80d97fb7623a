package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"jaga"
)

// testConsentTies checks the tie key of records of one instant (jaga.CompareConsents):
// the record in force, the proof at a time and the listing do not depend on the order
// the files were imported in.
func testConsentTies(t *testing.T, open func(t *testing.T) jaga.Store) {
	sub := NewSubjectID()
	rec := func(file string, line int, st jaga.ConsentStatus) *jaga.Consent {
		return &jaga.Consent{Subject: sub, Purpose: jaga.PurposeCrossSelling, Status: st, Channel: jaga.ChannelImport, Evidence: "F-1", At: t0,
			ConsentDetails: jaga.ConsentDetails{SourceFile: file, SourceRow: line}}
	}
	// Same instant: b.csv line 2 (refused) sorts after a.csv line 9 and b.csv line 1,
	// so it is in force whatever the insertion order.
	records := func() []*jaga.Consent {
		return []*jaga.Consent{rec("a.csv", 9, jaga.ConsentGiven), rec("b.csv", 2, jaga.ConsentRefused), rec("b.csv", 1, jaga.ConsentGiven)}
	}
	orders := [][]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}}
	for _, order := range orders {
		for _, batched := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/batched=%v", order, batched), func(t *testing.T) {
				s := open(t)
				all := records()
				var in []*jaga.Consent
				for _, i := range order {
					in = append(in, all[i])
				}
				if batched {
					MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, in) })
				} else {
					for _, c := range in {
						MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, []*jaga.Consent{c}) })
					}
				}
				MustView(t, s, func(tx jaga.Tx) error {
					cur, err := tx.CurrentConsent(ctx, sub, jaga.PurposeCrossSelling)
					if err != nil || cur == nil || cur.SourceFile != "b.csv" || cur.SourceRow != 2 {
						t.Fatalf("CurrentConsent = %+v, %v; want b.csv line 2", cur, err)
					}
					at, err := tx.ConsentAt(ctx, sub, jaga.PurposeCrossSelling, t0)
					if err != nil || at == nil || at.ID != cur.ID {
						t.Fatalf("ConsentAt = %+v, %v; want record %d", at, err, cur.ID)
					}
					cs, err := tx.Consents(ctx, sub)
					if err != nil || len(cs) != 3 || cs[0].SourceFile != "a.csv" || cs[2].ID != cur.ID {
						t.Fatalf("Consents order = %+v, %v", cs, err)
					}
					var listed []jaga.SubjectID
					err = tx.ListSubjects(ctx, jaga.SubjectListFilter{Purpose: jaga.PurposeCrossSelling, Consent: true, Now: t0},
						func(id jaga.SubjectID) error { listed = append(listed, id); return nil })
					if err != nil || len(listed) != 0 {
						t.Fatalf("refusal in force, yet listed: %v, %v", listed, err)
					}
					return nil
				})
				// A record made live at the same instant comes after every imported one.
				live := &jaga.Consent{Subject: sub, Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, Channel: jaga.ChannelAPI, Evidence: "F-2", At: t0}
				MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, []*jaga.Consent{live}) })
				MustView(t, s, func(tx jaga.Tx) error {
					cur, err := tx.CurrentConsent(ctx, sub, jaga.PurposeCrossSelling)
					if err != nil || cur == nil || cur.ID != live.ID {
						t.Fatalf("CurrentConsent after a live record = %+v, %v", cur, err)
					}
					return nil
				})
			})
		}
	}
}

// testListChildren checks that a consent listing leaves out a child whose consent in
// force was not given by the linked guardian, until the child is adult.
func testListChildren(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(12)
	subs := g.Subjects(5)
	slices.SortFunc(subs, func(a, b *jaga.SealedSubject) int { return compareID(a.ID, b.ID) })
	MustInsertSubjects(t, s, subs...)
	adult, ownChild, guardedChild, guardian, otherGuardianChild := subs[0].ID, subs[1].ID, subs[2].ID, subs[3].ID, subs[4].ID
	given := func(sub jaga.SubjectID, by jaga.SubjectID) *jaga.Consent {
		c := &jaga.Consent{Subject: sub, Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, Channel: jaga.ChannelWebForm,
			NoticeVersion: "notice-id-v3", At: t0, ConsentDetails: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}
		if by != "" {
			c.GivenBy, c.Guardian = jaga.GivenByGuardian, by
		}
		return c
	}
	adultAt := t0.Add(24 * time.Hour)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		return errors.Join(
			tx.InsertConsents(ctx, []*jaga.Consent{given(adult, ""), given(ownChild, ""), given(guardedChild, guardian),
				given(guardian, ""), given(otherGuardianChild, adult)}),
			tx.SetGuardianship(ctx, &jaga.Guardianship{Subject: ownChild, Guardian: guardian, AdultAt: adultAt}),
			tx.SetGuardianship(ctx, &jaga.Guardianship{Subject: guardedChild, Guardian: guardian, AdultAt: adultAt}),
			tx.SetGuardianship(ctx, &jaga.Guardianship{Subject: otherGuardianChild, Guardian: guardian, AdultAt: adultAt}))
	})
	list := func(now time.Time) []jaga.SubjectID {
		var out []jaga.SubjectID
		MustView(t, s, func(tx jaga.Tx) error {
			return tx.ListSubjects(ctx, jaga.SubjectListFilter{Purpose: jaga.PurposeCrossSelling, Consent: true, Now: now},
				func(id jaga.SubjectID) error { out = append(out, id); return nil })
		})
		return out
	}
	if got, want := list(t0), []jaga.SubjectID{adult, guardedChild, guardian}; !slices.Equal(got, want) {
		t.Fatalf("children: listed %v, want %v (a child's own consent and another guardian's do not count)", got, want)
	}
	if got, want := list(adultAt), []jaga.SubjectID{adult, ownChild, guardedChild, guardian, otherGuardianChild}; !slices.Equal(got, want) {
		t.Fatalf("once adult: listed %v, want %v", got, want)
	}
	// The guardian's consent recorded later counts; the child's own record after it
	// does not.
	MustUpdate(t, s, func(tx jaga.Tx) error {
		c := given(ownChild, guardian)
		c.At = t0.Add(time.Minute)
		d := given(guardedChild, "")
		d.At = t0.Add(time.Minute)
		return tx.InsertConsents(ctx, []*jaga.Consent{c, d})
	})
	if got, want := list(t0.Add(time.Hour)), []jaga.SubjectID{adult, ownChild, guardian}; !slices.Equal(got, want) {
		t.Fatalf("after new records: listed %v, want %v", got, want)
	}
}

// testDueDeletions checks the deletion job's store methods: the pending deletions due
// by a time, paged by ID, and marking one done; and deleting a subject's purchases.
func testDueDeletions(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(13)
	a, b := g.Subject(), g.Subject()
	MustInsertSubjects(t, s, a, b)
	ds := []*jaga.ScheduledDeletion{
		{Subject: a.ID, Purpose: jaga.PurposeCrossSelling, Fields: []string{"full_name", "purchases"}, DueAt: t0},
		{Subject: b.ID, Purpose: jaga.PurposeCrossSelling, Fields: []string{"education"}, DueAt: t0.Add(time.Hour)},
		{Subject: a.ID, Purpose: jaga.PurposeServiceImprovement, Fields: []string{"gender"}, DueAt: t0.Add(-time.Hour)},
	}
	MustUpdate(t, s, func(tx jaga.Tx) error {
		for _, d := range ds {
			if err := tx.ScheduleDeletion(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	due := func(at time.Time, after int64, limit int) []int64 {
		var ids []int64
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.DueDeletions(ctx, at, after, limit)
			for _, d := range got {
				ids = append(ids, d.ID)
			}
			return err
		})
		return ids
	}
	if got, want := due(t0, 0, 10), []int64{ds[0].ID, ds[2].ID}; !slices.Equal(got, want) {
		t.Fatalf("due at t0: %v, want %v", got, want)
	}
	if got, want := due(t0.Add(time.Hour), ds[0].ID, 1), []int64{ds[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("due at t0+1h after the first, limit 1: %v, want %v", got, want)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		_, err := tx.DueDeletions(ctx, t0, 0, 0)
		wantCode(t, err, jaga.EINVALID)
		return nil
	})
	done := t0.Add(2 * time.Hour)
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.FinishDeletion(ctx, ds[0].ID, done, []string{"full_name"}) })
	if got, want := due(done, 0, 10), []int64{ds[1].ID, ds[2].ID}; !slices.Equal(got, want) {
		t.Fatalf("after one is done: %v, want %v", got, want)
	}
	err := s.Update(ctx, func(tx jaga.Tx) error { return tx.FinishDeletion(ctx, ds[0].ID, done, nil) })
	wantCode(t, err, jaga.ENOTFOUND)
	MustView(t, s, func(tx jaga.Tx) error {
		got, err := tx.ScheduledDeletions(ctx, a.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("ScheduledDeletions = %+v, %v", got, err)
		}
		want := *ds[0]
		want.DoneAt, want.Deleted = done, []string{"full_name"}
		if !reflect.DeepEqual(got[0], &want) || !got[1].DoneAt.IsZero() || got[1].Deleted != nil {
			t.Fatalf("ScheduledDeletions = %+v, %+v; want %+v first", got[0], got[1], want)
		}
		return nil
	})

	ps := []*jaga.SealedPurchase{{Subject: a.ID, Sealed: g.Bytes(40)}, {Subject: a.ID, Sealed: g.Bytes(40)}, {Subject: b.ID, Sealed: g.Bytes(40)}}
	MustUpdate(t, s, func(tx jaga.Tx) error { _, err := tx.InsertPurchases(ctx, ps); return err })
	var n int
	MustUpdate(t, s, func(tx jaga.Tx) (err error) { n, err = tx.DeletePurchases(ctx, a.ID); return err })
	MustView(t, s, func(tx jaga.Tx) error {
		left, err := tx.CountPurchases(ctx)
		if n != 2 || err != nil || left != 1 {
			t.Fatalf("DeletePurchases = %d, then %d left (%v); want 2, 1", n, left, err)
		}
		return nil
	})
}
