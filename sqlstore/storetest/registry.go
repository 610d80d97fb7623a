package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"jaga"
)

func testRegistry(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	version := func() int64 {
		var v int64
		MustView(t, s, func(tx jaga.Tx) (err error) { v, err = tx.RegistryVersion(ctx); return err })
		return v
	}
	v0 := version()
	ps := jaga.DefaultPurposes()
	cs := &ps[3]
	cs.DPIA = &jaga.Assessment{Ref: "DPIA-2025-01", Approved: true, ApprovedBy: "act_dpo", ApprovedAt: t0}
	MustUpdate(t, s, func(tx jaga.Tx) error {
		for i := range ps {
			if err := tx.PutPurpose(ctx, &ps[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if v := version(); v != v0+int64(len(ps)) {
		t.Fatalf("registry version %d after %d puts from %d", v, len(ps), v0)
	}
	cs.Status = jaga.PurposeActive
	cs.Pending = &jaga.PurposeChange{Fields: []string{"full_name"}, RetentionDays: 30, RequestedAt: t0}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.PutPurpose(ctx, cs) })
	var got []*jaga.Purpose
	MustView(t, s, func(tx jaga.Tx) (err error) { got, err = tx.Purposes(ctx); return err })
	if len(got) != len(ps) {
		t.Fatalf("got %d purposes, want %d", len(got), len(ps))
	}
	i := slices.IndexFunc(got, func(p *jaga.Purpose) bool { return p.ID == jaga.PurposeCrossSelling })
	if i < 0 || !reflect.DeepEqual(got[i], cs) {
		t.Fatalf("cross_selling read back as %+v, want %+v", got[i], cs)
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.PutPurpose(ctx, &jaga.Purpose{ID: "Bad Name", Status: jaga.PurposeActive})
		})
		wantCode(t, err, jaga.EINVALID)
		err = s.Update(ctx, func(tx jaga.Tx) error { return tx.PutNotice(ctx, &jaga.Notice{Version: "v", Status: "maybe"}) })
		wantCode(t, err, jaga.EINVALID)
	})

	n1 := &jaga.Notice{Version: "notice-id-v1", Status: jaga.NoticeApproved, InForceAt: t0, TextID: "teks", TextEN: "text",
		TextHash: jaga.NoticeTextHash("teks", "text"), Purposes: map[string]string{"cross_selling": cs.Material().Hash()}, CreatedAt: t0}
	n2 := &jaga.Notice{Version: "notice-id-v2-draft", Status: jaga.NoticeDraft, TextID: "a", TextEN: "b", CreatedAt: t0.Add(time.Hour)}
	before := version()
	MustUpdate(t, s, func(tx jaga.Tx) error { return errors.Join(tx.PutNotice(ctx, n1), tx.PutNotice(ctx, n2)) })
	n2.Status, n2.InForceAt, n2.ApprovedBy = jaga.NoticeApproved, t0.Add(2*time.Hour), "act_dpo"
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.PutNotice(ctx, n2) })
	if v := version(); v != before+3 {
		t.Fatalf("registry version %d, want %d", v, before+3)
	}
	var ns []*jaga.Notice
	MustView(t, s, func(tx jaga.Tx) (err error) { ns, err = tx.Notices(ctx); return err })
	if len(ns) != 2 || !reflect.DeepEqual(ns[0], n1) || !reflect.DeepEqual(ns[1], n2) {
		t.Fatalf("notices read back as %+v", ns)
	}
}

func testConsentState(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(11)
	subs := g.Subjects(6)
	slices.SortFunc(subs, func(a, b *jaga.SealedSubject) int { return compareID(a.ID, b.ID) })
	MustInsertSubjects(t, s, subs...)
	id := func(i int) jaga.SubjectID { return subs[i].ID }
	c := func(i int, st jaga.ConsentStatus, at time.Time) *jaga.Consent {
		return &jaga.Consent{Subject: id(i), Purpose: jaga.PurposeCrossSelling, Status: st, Channel: jaga.ChannelWebForm,
			NoticeVersion: "notice-id-v3", At: at, ConsentDetails: jaga.ConsentDetails{Zone: "WITA", TextHash: "ab12", UserAgent: "Mozilla/5.0"}}
	}
	invalid := c(2, jaga.ConsentGiven, t0)
	invalid.Flag = jaga.FlagDraftNotice
	expiring := c(4, jaga.ConsentGiven, t0)
	expiring.ExpiresAt = t0.Add(24 * time.Hour)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		// In one batch: subject 0 given then withdrawn; subject 1 given; 2 invalid; 3
		// refused; 4 expiring; 5 withdrawn then, with a later At, given again.
		return tx.InsertConsents(ctx, []*jaga.Consent{c(0, jaga.ConsentGiven, t0), c(0, jaga.ConsentWithdrawn, t0.Add(time.Hour)),
			c(1, jaga.ConsentGiven, t0), invalid, c(3, jaga.ConsentRefused, t0), expiring,
			c(5, jaga.ConsentGiven, t0.Add(2*time.Hour)), c(5, jaga.ConsentWithdrawn, t0.Add(time.Hour))})
	})
	list := func(f jaga.SubjectListFilter) []jaga.SubjectID {
		var out []jaga.SubjectID
		MustView(t, s, func(tx jaga.Tx) error {
			return tx.ListSubjects(ctx, f, func(id jaga.SubjectID) error { out = append(out, id); return nil })
		})
		return out
	}
	f := jaga.SubjectListFilter{Purpose: jaga.PurposeCrossSelling, Consent: true, Now: t0.Add(time.Hour)}
	if got, want := list(f), []jaga.SubjectID{id(1), id(4), id(5)}; !slices.Equal(got, want) {
		t.Fatalf("consenting = %v, want %v", got, want)
	}
	f.Now = t0.Add(48 * time.Hour)
	if got, want := list(f), []jaga.SubjectID{id(1), id(5)}; !slices.Equal(got, want) {
		t.Fatalf("after expiry: consenting = %v, want %v", got, want)
	}
	// A later withdrawal takes subject 1 out; restriction takes 5 out unless included.
	MustUpdate(t, s, func(tx jaga.Tx) error {
		return errors.Join(tx.InsertConsents(ctx, []*jaga.Consent{c(1, jaga.ConsentWithdrawn, t0.Add(3*time.Hour))}), tx.SetRestricted(ctx, id(5), true))
	})
	if got := list(f); len(got) != 0 {
		t.Fatalf("after withdrawal and restriction: %v", got)
	}
	f.IncludeRestricted = true
	if got, want := list(f), []jaga.SubjectID{id(5)}; !slices.Equal(got, want) {
		t.Fatalf("restricted included: %v, want %v", got, want)
	}
	f.After, f.Limit = id(0), 1
	if got := list(jaga.SubjectListFilter{Purpose: jaga.PurposeServiceProvision, After: id(0), Limit: 2}); !slices.Equal(got, []jaga.SubjectID{id(1), id(2)}) {
		t.Fatalf("all subjects after %s, limit 2: %v", id(0), got)
	}
	if got := list(jaga.SubjectListFilter{Purpose: jaga.PurposeServiceProvision}); len(got) != 5 {
		t.Fatalf("all unrestricted subjects: %d, want 5", len(got))
	}
	stop := errors.New("stop")
	if err := s.View(ctx, func(tx jaga.Tx) error {
		return tx.ListSubjects(ctx, jaga.SubjectListFilter{Purpose: jaga.PurposeServiceProvision}, func(jaga.SubjectID) error { return stop })
	}); !errors.Is(err, stop) {
		t.Fatalf("fn's error not returned: %v", err)
	}

	// Proof at a time: before the withdrawal subject 1 had given consent.
	MustView(t, s, func(tx jaga.Tx) error {
		at, err := tx.ConsentAt(ctx, id(1), jaga.PurposeCrossSelling, t0.Add(time.Minute))
		if err != nil {
			return err
		}
		if at == nil || at.Status != jaga.ConsentGiven || at.Zone != "WITA" || at.UserAgent != "Mozilla/5.0" {
			t.Fatalf("consent at t0+1m = %+v", at)
		}
		if at, err = tx.ConsentAt(ctx, id(1), jaga.PurposeCrossSelling, t0.Add(-time.Minute)); err != nil || at != nil {
			t.Fatalf("consent before any record = %+v, %v", at, err)
		}
		now, err := tx.ConsentAt(ctx, id(1), jaga.PurposeCrossSelling, t0.Add(4*time.Hour))
		if err != nil || now == nil || now.Status != jaga.ConsentWithdrawn {
			t.Fatalf("consent now = %+v, %v", now, err)
		}
		return nil
	})

	// Erasure removes the subject from every listing; its records stay as proof.
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, id(4), t0) })
	if got := list(jaga.SubjectListFilter{Purpose: jaga.PurposeCrossSelling, Consent: true, Now: t0}); slices.Contains(got, id(4)) {
		t.Fatalf("erased subject listed: %v", got)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		cs, err := tx.Consents(ctx, id(4))
		if err == nil && len(cs) != 1 {
			t.Fatalf("erased subject's consent records: %d, want 1", len(cs))
		}
		return err
	})
}

func compareID(a, b jaga.SubjectID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testGuardianship(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	child, guardian := NewSubjectID(), NewSubjectID()
	MustView(t, s, func(tx jaga.Tx) error {
		g, err := tx.Guardianship(ctx, child)
		if err != nil || g != nil {
			t.Fatalf("no guardianship: got %+v, %v", g, err)
		}
		return nil
	})
	want := &jaga.Guardianship{Subject: child, Guardian: guardian, AdultAt: t0.Add(365 * 24 * time.Hour), CreatedAt: t0}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.SetGuardianship(ctx, want) })
	MustView(t, s, func(tx jaga.Tx) error {
		g, err := tx.Guardianship(ctx, child)
		if err != nil || !reflect.DeepEqual(g, want) {
			t.Fatalf("guardianship = %+v, %v; want %+v", g, err, want)
		}
		return nil
	})
	d := &jaga.ScheduledDeletion{Subject: child, Purpose: jaga.PurposeCrossSelling, Fields: []string{"education", "income"}, DueAt: t0.Add(72 * time.Hour)}
	d2 := &jaga.ScheduledDeletion{Subject: child, Purpose: jaga.PurposeServiceImprovement, Fields: []string{"kidhome"}, DueAt: t0}
	MustUpdate(t, s, func(tx jaga.Tx) error { return errors.Join(tx.ScheduleDeletion(ctx, d), tx.ScheduleDeletion(ctx, d2)) })
	if d.ID == 0 || d2.ID <= d.ID || d.CreatedAt.IsZero() {
		t.Fatalf("IDs %d, %d; created %v", d.ID, d2.ID, d.CreatedAt)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		ds, err := tx.ScheduledDeletions(ctx, child)
		if err != nil || len(ds) != 2 || !reflect.DeepEqual(ds[0], d) {
			t.Fatalf("scheduled deletions = %+v, %v", ds, err)
		}
		return nil
	})
}
