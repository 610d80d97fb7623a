package storetest

import (
	"testing"
	"time"

	"jaga"
)

const dsrSubject = jaga.SubjectID("sub_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b")

func testDSR(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		r := &jaga.DSR{ID: "dsr_1", Subject: dsrSubject, Type: jaga.DSRErase, Channel: jaga.DSRChannelPortal, Status: jaga.DSRReceived,
			ReceivedAt: t0, DueAt: t0.Add(72 * time.Hour), Detail: map[string]string{"purpose": "cross_selling"},
			Sealed: []byte{1, 2, 3}, SealedKey: []byte{4, 5}}
		late := &jaga.DSR{ID: "dsr_2", Subject: dsrSubject, Type: jaga.DSRAccess, Channel: jaga.DSRChannelEmail, Status: jaga.DSRReceived,
			Statutory: true, ReceivedAt: t0, DueAt: t0.Add(time.Hour)}
		MustUpdate(t, s, func(tx jaga.Tx) error {
			if err := tx.InsertDSR(ctx, r); err != nil {
				return err
			}
			return tx.InsertDSR(ctx, late)
		})
		var got *jaga.DSR
		MustView(t, s, func(tx jaga.Tx) (err error) { got, err = tx.DSR(ctx, "dsr_1"); return err })
		if got.Type != jaga.DSRErase || !got.DueAt.Equal(trunc(r.DueAt)) || got.Detail["purpose"] != "cross_selling" || string(got.Sealed) != "\x01\x02\x03" || got.Statutory {
			t.Fatalf("read back %+v", got)
		}
		got.Status, got.Outcome, got.Sealed, got.SealedKey, got.ClosedAt = jaga.DSRFulfilled, "erased", nil, nil, t0.Add(time.Hour)
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.UpdateDSR(ctx, got) })
		MustView(t, s, func(tx jaga.Tx) (err error) { got, err = tx.DSR(ctx, "dsr_1"); return err })
		if got.Status != jaga.DSRFulfilled || got.Sealed != nil || got.SealedKey != nil || got.ClosedAt.IsZero() {
			t.Fatalf("after update %+v", got)
		}
		var open []*jaga.DSR
		MustView(t, s, func(tx jaga.Tx) (err error) {
			open, err = tx.DSRs(ctx, jaga.DSRFilter{Open: true, DueBefore: t0.Add(2 * time.Hour)})
			return err
		})
		if len(open) != 1 || open[0].ID != "dsr_2" || !open[0].Statutory {
			t.Fatalf("open and due: %+v", open)
		}
		var all []*jaga.DSR
		MustView(t, s, func(tx jaga.Tx) (err error) { all, err = tx.DSRs(ctx, jaga.DSRFilter{Subject: dsrSubject}); return err })
		if len(all) != 2 || all[0].ID != "dsr_2" {
			t.Fatalf("by subject, due order: %+v", all)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		s := open(t)
		r := &jaga.DSR{ID: "dsr_1", Subject: dsrSubject, Type: jaga.DSRAccess, Channel: jaga.DSRChannelPhone, Status: jaga.DSRReceived, ReceivedAt: t0, DueAt: t0}
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertDSR(ctx, r) })
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertDSR(ctx, r) }), jaga.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		wantCode(t, s.View(ctx, func(tx jaga.Tx) error { _, err := tx.DSR(ctx, "dsr_none"); return err }), jaga.ENOTFOUND)
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.UpdateDSR(ctx, &jaga.DSR{ID: "dsr_none"}) }), jaga.ENOTFOUND)
	})
}

func testLegalHolds(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	a := &jaga.LegalHold{Subject: dsrSubject, Basis: "tax_records", Ref: "CASE-2025-01", PlacedBy: "act_x", PlacedAt: t0}
	b := &jaga.LegalHold{Subject: dsrSubject, Basis: "litigation", PlacedBy: "act_x", PlacedAt: t0, Until: t0.Add(time.Hour)}
	MustUpdate(t, s, func(tx jaga.Tx) error {
		if err := tx.InsertLegalHold(ctx, a); err != nil {
			return err
		}
		return tx.InsertLegalHold(ctx, b)
	})
	if a.ID == 0 || b.ID <= a.ID {
		t.Fatalf("ids %d %d", a.ID, b.ID)
	}
	var got []*jaga.LegalHold
	MustView(t, s, func(tx jaga.Tx) (err error) {
		got, err = tx.LegalHolds(ctx, dsrSubject, t0.Add(2*time.Hour))
		return err
	})
	if len(got) != 1 || got[0].Basis != "tax_records" || got[0].Ref != "CASE-2025-01" {
		t.Fatalf("holds in force later: %+v", got)
	}
	MustView(t, s, func(tx jaga.Tx) (err error) { got, err = tx.LegalHolds(ctx, dsrSubject, t0); return err })
	if len(got) != 2 {
		t.Fatalf("holds in force at t0: %+v", got)
	}
	wantCode(t, s.Update(ctx, func(tx jaga.Tx) error {
		return tx.InsertLegalHold(ctx, &jaga.LegalHold{Subject: dsrSubject, Basis: "Not A Name"})
	}), jaga.EINVALID)
}

func testLoginCodes(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	c := &jaga.LoginCode{ID: "lc_1", Subject: dsrSubject, CodeMAC: []byte("0123456789abcdef"), ExpiresAt: t0.Add(10 * time.Minute)}
	unknown := &jaga.LoginCode{ID: "lc_2", CodeMAC: []byte("fedcba9876543210"), ExpiresAt: t0.Add(10 * time.Minute)}
	MustUpdate(t, s, func(tx jaga.Tx) error {
		if err := tx.InsertLoginCode(ctx, c); err != nil {
			return err
		}
		return tx.InsertLoginCode(ctx, unknown)
	})
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.UpdateLoginCode(ctx, "lc_1", 3, true) })
	var got *jaga.LoginCode
	MustView(t, s, func(tx jaga.Tx) (err error) { got, err = tx.LoginCode(ctx, "lc_1"); return err })
	if got.Subject != dsrSubject || got.Attempts != 3 || !got.Used || !got.ExpiresAt.Equal(trunc(c.ExpiresAt)) || got.CreatedAt.IsZero() {
		t.Fatalf("read back %+v", got)
	}
	MustView(t, s, func(tx jaga.Tx) (err error) { got, err = tx.LoginCode(ctx, "lc_2"); return err })
	if got.Subject != "" || got.Used {
		t.Fatalf("unknown-address challenge %+v", got)
	}
	wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertLoginCode(ctx, c) }), jaga.ECONFLICT)
	wantCode(t, s.View(ctx, func(tx jaga.Tx) error { _, err := tx.LoginCode(ctx, "lc_none"); return err }), jaga.ENOTFOUND)
	wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.UpdateLoginCode(ctx, "lc_none", 1, false) }), jaga.ENOTFOUND)
}
