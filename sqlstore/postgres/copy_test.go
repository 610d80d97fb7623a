package postgres_test

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/sqlite"
	"jaga/sqlstore/storetest"
)

// sqliteSource opens a SQLite store with subjects, purchases, consents, audit events,
// an actor and an erasure in it.
func sqliteSource(t *testing.T) (*sqlite.DB, []*jaga.SealedSubject) {
	t.Helper()
	src, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "data", "jaga.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	g := storetest.NewGen(21)
	subs := g.Subjects(25)
	subs[3].Restricted = true
	storetest.MustInsertSubjects(t, src, subs...)
	storetest.MustUpdate(t, src, func(tx jaga.Tx) error {
		var ps []*jaga.SealedPurchase
		var cs []*jaga.Consent
		for _, s := range subs {
			ps = append(ps, &jaga.SealedPurchase{Subject: s.ID, Sealed: g.Bytes(40), SourceKey: g.Bytes(32)})
			cs = append(cs, &jaga.Consent{Subject: s.ID, Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, Channel: jaga.ChannelWebForm, Evidence: "f", At: time.Now()})
		}
		if _, err := tx.InsertPurchases(ctx, ps); err != nil {
			return err
		}
		if err := tx.InsertConsents(ctx, cs); err != nil {
			return err
		}
		if err := tx.CreateActor(ctx, &jaga.Actor{ID: "act_1", Name: "support", Kind: jaga.ActorStaff, Role: jaga.RoleSupport, KeyHash: g.Bytes(32)}); err != nil {
			return err
		}
		rec := &jaga.AuditRecord{Data: []byte("event"), Hashes: g.Bytes(32)}
		if err := tx.AppendAudit(ctx, []*jaga.AuditRecord{rec}, func(h jaga.AuditHead) ([]byte, error) {
			rec.Seq = h.Size + 1
			return g.Bytes(32), nil // any edge: the copy moves bytes, it does not verify
		}); err != nil {
			return err
		}
		return tx.EraseSubject(ctx, subs[24].ID, time.Now())
	})
	return src, subs
}

func TestCopyFrom(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		src, subs := sqliteSource(t)
		tables, err := src.Tables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dst := MustOpen(t)
		counts, err := dst.CopyFrom(ctx, postgres.Source{DB: src.Reader(), Tables: tables}, postgres.CopyOptions{Batch: 7})
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != len(tables) {
			t.Fatalf("%d tables copied, source has %d", len(counts), len(tables))
		}
		for _, s := range subs[:24] {
			want, got := mustSubject(t, src, s.ID), mustSubject(t, dst, s.ID)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("subject %s differs after copy", s.ID)
			}
		}
		var before, after []*jaga.Consent
		storetest.MustView(t, src, func(tx jaga.Tx) (err error) { before, err = tx.Consents(ctx, subs[5].ID); return err })
		storetest.MustView(t, dst, func(tx jaga.Tx) (err error) { after, err = tx.Consents(ctx, subs[5].ID); return err })
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("consents differ: %+v against %+v", after, before)
		}
		storetest.MustView(t, dst, func(tx jaga.Tx) error {
			if erased, err := tx.Erased(ctx, subs[24].ID); err != nil || !erased {
				t.Errorf("tombstone not copied: %v %v", erased, err)
			}
			a, err := tx.ActorByKeyHash(ctx, mustActorHash(t, src))
			if err != nil || a.ID != "act_1" {
				t.Errorf("actor not copied: %v", err)
			}
			return nil
		})
		// The sequences moved past the copied IDs: new records get new IDs.
		c := &jaga.Consent{Subject: subs[5].ID, Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentWithdrawn, Channel: jaga.ChannelAPI, At: time.Now()}
		storetest.MustUpdate(t, dst, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, []*jaga.Consent{c}) })
		if c.ID <= before[len(before)-1].ID {
			t.Fatalf("new consent id %d not after the copied ones", c.ID)
		}
		storetest.MustUpdate(t, dst, func(tx jaga.Tx) error {
			_, err := tx.InsertPurchases(ctx, []*jaga.SealedPurchase{{Subject: subs[5].ID, Sealed: []byte{1}}})
			return err
		})
	})
	t.Run("ErrSchemaDiffers", func(t *testing.T) {
		src, _ := sqliteSource(t)
		raw, err := sql.Open("sqlite", src.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.ExecContext(ctx, `ALTER TABLE actors ADD COLUMN note TEXT`); err != nil {
			t.Fatal(err)
		}
		tables, err := src.Tables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dst := MustOpen(t)
		if _, err := dst.CopyFrom(ctx, postgres.Source{DB: src.Reader(), Tables: tables}, postgres.CopyOptions{}); jaga.ErrorCode(err) != jaga.EINVALID {
			t.Fatalf("copy with an extra source column = %v, want EINVALID", err)
		}
		storetest.MustView(t, dst, func(tx jaga.Tx) error {
			if n, err := tx.CountSubjects(ctx); err != nil || n != 0 {
				t.Errorf("a failed copy left %d subjects, %v", n, err)
			}
			return nil
		})
	})
}

func mustActorHash(t *testing.T, s jaga.Store) []byte {
	t.Helper()
	var h []byte
	storetest.MustView(t, s, func(tx jaga.Tx) error {
		as, err := tx.Actors(ctx)
		if err == nil {
			h = as[0].KeyHash
		}
		return err
	})
	return h
}
