package storetest

import (
	"bytes"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"jaga"
)

// Keys wrapped by the KEK, of every kind (re-wrapping after a KEK rotation).

func init() {
	extra = append(extra, suiteCase{"WrappedKeys", testWrappedKeys})
}

// wrappedKeyFixture stores, for every jaga.WrappedKeyKind, live keys and keys already
// destroyed (an erased subject, a released quarantine row, a confirmed sign-up, a
// request whose key was set to NULL), and returns the live ones by kind, in ID order,
// and one destroyed ID of each kind that has them.
func wrappedKeyFixture(t *testing.T, s jaga.Store, g *Gen, perKind int) (live map[jaga.WrappedKeyKind][]jaga.WrappedKeyRecord, dead map[jaga.WrappedKeyKind]string) {
	t.Helper()
	live = map[jaga.WrappedKeyKind][]jaga.WrappedKeyRecord{}
	dead = map[jaga.WrappedKeyKind]string{}
	add := func(kind jaga.WrappedKeyKind, id string, wrapped []byte) {
		live[kind] = append(live[kind], jaga.WrappedKeyRecord{Kind: kind, ID: id, Wrapped: wrapped})
	}
	subs := g.Subjects(perKind + 1)
	MustInsertSubjects(t, s, subs...)
	MustUpdate(t, s, func(tx jaga.Tx) error {
		for _, sub := range subs[1:] {
			add(jaga.WrappedSubjectDEK, string(sub.ID), sub.WrappedDEK)
		}
		if err := tx.EraseSubject(ctx, subs[0].ID, t0); err != nil {
			return err
		}
		dead[jaga.WrappedSubjectDEK] = string(subs[0].ID)

		var qrows []*jaga.QuarantinedRow
		for i := range perKind + 1 {
			qrows = append(qrows, quarantinedRow(g, i+2))
		}
		if err := tx.InsertQuarantine(ctx, qrows); err != nil {
			return err
		}
		released := qrows[0]
		released.Status, released.Subject, released.WrappedDEK, released.Sealed = jaga.QuarantineReleased, subs[1].ID, nil, nil
		if err := tx.UpdateQuarantine(ctx, released); err != nil {
			return err
		}
		dead[jaga.WrappedQuarantineDEK] = string(released.ID)
		for _, r := range qrows[1:] {
			add(jaga.WrappedQuarantineDEK, string(r.ID), r.WrappedDEK)
		}

		for i := range perKind + 1 {
			p := &jaga.PendingSignup{ID: NewSubjectID(), TokenHash: g.Bytes(32), Form: "newsletter", WrappedDEK: g.Bytes(60), Sealed: g.Bytes(90),
				ExpiresAt: t0.Add(72 * time.Hour)}
			if err := tx.InsertPendingSignup(ctx, p); err != nil {
				return err
			}
			if i == 0 {
				if err := tx.ConfirmPendingSignup(ctx, p.ID, subs[1].ID); err != nil {
					return err
				}
				dead[jaga.WrappedSignupDEK] = string(p.ID)
				continue
			}
			add(jaga.WrappedSignupDEK, string(p.ID), p.WrappedDEK)
		}

		var holders []*jaga.PendingPurchaseHolder
		for range perKind {
			h := pendingHolder(g, g.Bytes(32))
			holders = append(holders, h)
			add(jaga.WrappedPendingPurchaseDEK, string(h.ID), h.WrappedDEK)
		}
		if _, err := tx.InsertPendingPurchases(ctx, holders, nil); err != nil {
			return err
		}

		for i := range perKind + 1 {
			r := &jaga.DSR{ID: "dsr_" + hex.EncodeToString(g.Bytes(16)), Subject: subs[1].ID, Type: jaga.DSRErase, Channel: jaga.DSRChannelPortal,
				Status: jaga.DSRReceived, ReceivedAt: t0, DueAt: t0.Add(72 * time.Hour), Sealed: g.Bytes(40), SealedKey: g.Bytes(60)}
			if i == 0 { // completion notice sent: sealed parameters and key are gone
				r.Status, r.Sealed, r.SealedKey = jaga.DSRFulfilled, nil, nil
				dead[jaga.WrappedRequestKey] = r.ID
			}
			if err := tx.InsertDSR(ctx, r); err != nil {
				return err
			}
			if i > 0 {
				add(jaga.WrappedRequestKey, r.ID, r.SealedKey)
			}
		}

		var toks []*jaga.Token
		for range perKind {
			tk := &jaga.Token{Index: g.Bytes(16), Kind: "nik", WrappedKey: g.Bytes(60), Sealed: g.Bytes(44), CreatedAt: t0}
			toks = append(toks, tk)
			add(jaga.WrappedTokenKey, hex.EncodeToString(tk.Index), tk.WrappedKey)
		}
		return tx.InsertTokens(ctx, toks)
	})
	for _, recs := range live {
		slices.SortFunc(recs, func(a, b jaga.WrappedKeyRecord) int { return bytes.Compare([]byte(a.ID), []byte(b.ID)) })
	}
	return live, dead
}

// pageWrappedKeys lists every wrapped key of kind in pages of limit, as the re-wrap job
// does, checking that no page is longer than limit.
func pageWrappedKeys(t *testing.T, s jaga.Store, kind jaga.WrappedKeyKind, limit int) []jaga.WrappedKeyRecord {
	t.Helper()
	var got []jaga.WrappedKeyRecord
	after := ""
	for {
		var page []jaga.WrappedKeyRecord
		MustView(t, s, func(tx jaga.Tx) (err error) {
			page, err = tx.WrappedKeys(ctx, kind, after, limit)
			return err
		})
		if len(page) > limit {
			t.Fatalf("%s: page of %d, limit %d", kind, len(page), limit)
		}
		if len(page) == 0 {
			return got
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
}

// testWrappedKeys: WrappedKeys pages through the live keys of each kind in ID order
// (destroyed ones skipped: an erased subject, a released quarantine row, a confirmed
// sign-up, a request key set to NULL after its notice); SetWrappedKey replaces one and
// refuses a destroyed or missing key (ENOTFOUND); an unknown kind is EINVALID.
func testWrappedKeys(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	const perKind = 12
	live, dead := wrappedKeyFixture(t, s, NewGen(100), perKind)

	t.Run("Paging", func(t *testing.T) {
		for _, kind := range jaga.WrappedKeyKinds() {
			got := pageWrappedKeys(t, s, kind, 5)
			if len(got) != perKind {
				t.Fatalf("%s: %d keys listed, want %d", kind, len(got), perKind)
			}
			for i, r := range got {
				w := live[kind][i]
				if r.Kind != kind || r.ID != w.ID || !bytes.Equal(r.Wrapped, w.Wrapped) {
					t.Fatalf("%s: key %d = %s %s, want %s", kind, i, r.Kind, r.ID, w.ID)
				}
				if r.ID == dead[kind] {
					t.Fatalf("%s: destroyed key %s listed", kind, r.ID)
				}
			}
			MustView(t, s, func(tx jaga.Tx) error {
				all, err := tx.WrappedKeys(ctx, kind, "", 0) // default limit
				if err != nil || len(all) != perKind {
					t.Fatalf("%s: WrappedKeys(limit 0) = %d, %v", kind, len(all), err)
				}
				return nil
			})
		}
	})

	t.Run("SetWrappedKey", func(t *testing.T) {
		rewrapped := bytes.Repeat([]byte{0xab}, 60)
		for _, kind := range jaga.WrappedKeyKinds() {
			id := live[kind][perKind/2].ID
			MustUpdate(t, s, func(tx jaga.Tx) error { return tx.SetWrappedKey(ctx, kind, id, rewrapped) })
			got := pageWrappedKeys(t, s, kind, 100)
			for i, r := range got {
				want := live[kind][i].Wrapped
				if r.ID == id {
					want = rewrapped
				}
				if !bytes.Equal(r.Wrapped, want) {
					t.Fatalf("%s: key %s after SetWrappedKey(%s) is wrong", kind, r.ID, id)
				}
			}
			wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.SetWrappedKey(ctx, kind, id, nil) }), jaga.EINVALID)
			missing := string(NewSubjectID())
			if kind == jaga.WrappedTokenKey {
				missing = hex.EncodeToString(bytes.Repeat([]byte{0xfe}, 16))
			}
			wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.SetWrappedKey(ctx, kind, missing, rewrapped) }), jaga.ENOTFOUND)
		}
	})

	t.Run("ErrDestroyedNotRevived", func(t *testing.T) {
		for kind, id := range dead {
			err := s.Update(ctx, func(tx jaga.Tx) error { return tx.SetWrappedKey(ctx, kind, id, bytes.Repeat([]byte{1}, 60)) })
			if jaga.ErrorCode(err) != jaga.ENOTFOUND {
				t.Errorf("%s: SetWrappedKey on destroyed key %s = %v, want ENOTFOUND", kind, id, err)
			}
		}
		if got := pageWrappedKeys(t, s, jaga.WrappedRequestKey, 100); len(got) != perKind {
			t.Errorf("%d request keys after writing to a NULL one, want %d", len(got), perKind)
		}
	})

	t.Run("ErrUnknownKind", func(t *testing.T) {
		for _, kind := range []jaga.WrappedKeyKind{"", "purchase", "SUBJECT"} {
			wantCode(t, s.View(ctx, func(tx jaga.Tx) error { _, err := tx.WrappedKeys(ctx, kind, "", 10); return err }), jaga.EINVALID)
			wantCode(t, s.Update(ctx, func(tx jaga.Tx) error {
				return tx.SetWrappedKey(ctx, kind, live[jaga.WrappedSubjectDEK][0].ID, []byte("k"))
			}), jaga.EINVALID)
		}
	})

	t.Run("ErrTokenIDNotHex", func(t *testing.T) {
		wantCode(t, s.View(ctx, func(tx jaga.Tx) error { _, err := tx.WrappedKeys(ctx, jaga.WrappedTokenKey, "zz", 10); return err }), jaga.EINVALID)
		wantCode(t, s.Update(ctx, func(tx jaga.Tx) error { return tx.SetWrappedKey(ctx, jaga.WrappedTokenKey, "zz", []byte("k")) }), jaga.EINVALID)
	})
}
