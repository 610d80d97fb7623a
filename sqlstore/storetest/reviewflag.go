package storetest

import (
	"testing"
	"time"

	"jaga"
)

// The review desk's methods of jaga.Tx: ListReviewFlags, ReviewFlag, ResolveReviewFlag.

func init() {
	extra = append(extra, suiteCase{"ResolveReviewFlags", testResolveReviewFlags})
}

func testResolveReviewFlags(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	a, b := NewSubjectID(), NewSubjectID()
	flags := []*jaga.ReviewFlag{
		{Subject: a, Reason: "identity_conflict", Other: b, File: "expo.xlsx", Line: 4},
		{Subject: b, Reason: "identity_conflict", Other: a, File: "expo.xlsx", Line: 4},
		{Subject: a, Reason: "phone_unverified"},
		{Subject: b, Reason: "consent_cross_selling_draft_notice"},
	}
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertReviewFlags(ctx, flags) })
	list := func(t *testing.T, f jaga.ReviewFlagFilter) []int64 {
		t.Helper()
		var ids []int64
		MustView(t, s, func(tx jaga.Tx) error {
			got, err := tx.ListReviewFlags(ctx, f)
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			return err
		})
		return ids
	}
	id := func(i ...int) []int64 {
		var out []int64
		for _, k := range i {
			out = append(out, flags[k].ID)
		}
		return out
	}
	eq := func(t *testing.T, got, want []int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("flags %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("flags %v, want %v", got, want)
			}
		}
	}

	t.Run("List", func(t *testing.T) {
		eq(t, list(t, jaga.ReviewFlagFilter{}), id(0, 1, 2, 3))
		eq(t, list(t, jaga.ReviewFlagFilter{Subject: a}), id(0, 2))
		eq(t, list(t, jaga.ReviewFlagFilter{Reason: "identity_conflict"}), id(0, 1))
		eq(t, list(t, jaga.ReviewFlagFilter{Subject: b, Reason: "identity_conflict"}), id(1))
		eq(t, list(t, jaga.ReviewFlagFilter{After: flags[1].ID, Limit: 1}), id(2))
		eq(t, list(t, jaga.ReviewFlagFilter{State: jaga.ReviewFlagsResolved}), nil)
		MustView(t, s, func(tx jaga.Tx) error {
			if _, err := tx.ListReviewFlags(ctx, jaga.ReviewFlagFilter{State: "closed"}); jaga.ErrorCode(err) != jaga.EINVALID {
				t.Fatalf("state closed: %v, want EINVALID", err)
			}
			return nil
		})
	})

	at := t0.Add(time.Hour)
	t.Run("Resolve", func(t *testing.T) {
		res := jaga.ReviewFlagResolution{At: at, By: "act_0123", Resolution: jaga.ResolutionAccepted, Note: "TICKET-4211 two people"}
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.ResolveReviewFlag(ctx, flags[2].ID, res) })
		MustView(t, s, func(tx jaga.Tx) error {
			f, err := tx.ReviewFlag(ctx, flags[2].ID)
			if err != nil {
				return err
			}
			if !f.ResolvedAt.Equal(trunc(at)) || f.ResolvedBy != "act_0123" || f.Resolution != jaga.ResolutionAccepted ||
				f.Note != res.Note || f.Subject != a || f.Reason != "phone_unverified" || !f.CreatedAt.Equal(trunc(flags[2].CreatedAt)) {
				t.Fatalf("resolved flag = %+v", f)
			}
			// An open flag reads back without a resolution.
			if o, err := tx.ReviewFlag(ctx, flags[0].ID); err != nil || !o.ResolvedAt.IsZero() || o.Resolution != "" || o.Other != b || o.Line != 4 {
				t.Fatalf("open flag = %+v, %v", o, err)
			}
			return nil
		})
		eq(t, list(t, jaga.ReviewFlagFilter{}), id(0, 1, 3))
		eq(t, list(t, jaga.ReviewFlagFilter{State: jaga.ReviewFlagsResolved}), id(2))
		eq(t, list(t, jaga.ReviewFlagFilter{State: jaga.ReviewFlagsAll, Subject: a}), id(0, 2))
		// ReviewFlags (open only) agrees.
		MustView(t, s, func(tx jaga.Tx) error {
			if got, err := tx.ReviewFlags(ctx, a, 0); err != nil || len(got) != 1 || got[0].ID != flags[0].ID {
				t.Fatalf("ReviewFlags(a) = %v, %v", got, err)
			}
			return nil
		})
	})

	t.Run("ErrResolved", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.ResolveReviewFlag(ctx, flags[2].ID, jaga.ReviewFlagResolution{By: "act_9", Resolution: jaga.ResolutionDismissed})
		})
		if jaga.ErrorCode(err) != jaga.ECONFLICT {
			t.Fatalf("resolving twice: %v, want ECONFLICT", err)
		}
		MustView(t, s, func(tx jaga.Tx) error {
			f, err := tx.ReviewFlag(ctx, flags[2].ID)
			if err != nil || f.ResolvedBy != "act_0123" || f.Resolution != jaga.ResolutionAccepted {
				t.Fatalf("the first resolution changed: %+v, %v", f, err)
			}
			return nil
		})
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.ResolveReviewFlag(ctx, 1<<40, jaga.ReviewFlagResolution{By: "act_9", Resolution: jaga.ResolutionDismissed})
		})
		if jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("resolving an unknown flag: %v, want ENOTFOUND", err)
		}
		MustView(t, s, func(tx jaga.Tx) error {
			if _, err := tx.ReviewFlag(ctx, 1<<40); jaga.ErrorCode(err) != jaga.ENOTFOUND {
				t.Fatalf("ReviewFlag(unknown): %v, want ENOTFOUND", err)
			}
			return nil
		})
	})

	t.Run("ErrResolution", func(t *testing.T) {
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.ResolveReviewFlag(ctx, flags[3].ID, jaga.ReviewFlagResolution{By: "act_9", Resolution: "fixed"})
		})
		if jaga.ErrorCode(err) != jaga.EUNPROCESSABLE {
			t.Fatalf("resolution fixed: %v, want EUNPROCESSABLE", err)
		}
		eq(t, list(t, jaga.ReviewFlagFilter{}), id(0, 1, 3))
	})

	t.Run("DefaultTime", func(t *testing.T) {
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.ResolveReviewFlag(ctx, flags[3].ID, jaga.ReviewFlagResolution{By: "act_9", Resolution: jaga.ResolutionCorrected})
		})
		MustView(t, s, func(tx jaga.Tx) error {
			f, err := tx.ReviewFlag(ctx, flags[3].ID)
			if err != nil || f.ResolvedAt.IsZero() || f.Note != "" || f.Resolution != jaga.ResolutionCorrected {
				t.Fatalf("flag resolved without a time = %+v, %v", f, err)
			}
			return nil
		})
	})
}
