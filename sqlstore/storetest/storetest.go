// Package storetest is the test suite every jaga.Store passes: Run opens a fresh store
// per subtest and checks each jaga.Tx method, its OK cases and its error codes, against
// the documentation in package jaga. SQLite runs it always; PostgreSQL wherever a
// server can be started (STYLE.md rule 10). It also holds the benchmark bodies, so that
// both dialects are measured the same way, and generators of realistic test data.
//
// It imports jaga and the standard library only.
package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga"
)

// Run runs the suite. open must return an empty store and close it when the test ends
// (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) jaga.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) jaga.Store)
	}{
		{"Dialect", testDialect},
		{"Update", testUpdate},
		{"View", testView},
		{"InsertSubjects", testInsertSubjects},
		{"Subject", testSubject},
		{"FindByIndex", testFindByIndex},
		{"ImportKeys", testImportKeys},
		{"UpdateSubject", testUpdateSubject},
		{"SetRestricted", testSetRestricted},
		{"EraseSubject", testEraseSubject},
		{"CountSubjects", testCountSubjects},
		{"Purchases", testPurchases},
		{"Consents", testConsents},
		{"Registry", testRegistry},
		{"ConsentState", testConsentState},
		{"Guardianship", testGuardianship},
		{"ConsentTies", testConsentTies},
		{"ListChildren", testListChildren},
		{"DueDeletions", testDueDeletions},
		{"Audit", testAudit},
		{"Actors", testActors},
		{"Compact", testCompact},
		{"DSR", testDSR},
		{"LegalHolds", testLegalHolds},
		{"LoginCodes", testLoginCodes},
		{"TryLock", testTryLock},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
	for _, tt := range extra {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// suiteCase is one named test of the suite.
type suiteCase struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) jaga.Store)
}

// extra holds the cases other files of the suite register in init (intake.go), so that
// adding a file of cases does not touch the table above.
var extra []suiteCase

var ctx = context.Background()

// t0 is a fixed instant; times in the suite are offsets from it.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 123456000, time.UTC)

// MustOpen opens a store with open and closes it when the test ends; a failed Open or
// Close fails the test.
func MustOpen[S jaga.Store](tb testing.TB, open func() (S, error)) S {
	tb.Helper()
	s, err := open()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// MustUpdate runs fn in s.Update and fails the test on error.
func MustUpdate(tb testing.TB, s jaga.Store, fn func(jaga.Tx) error) {
	tb.Helper()
	if err := s.Update(ctx, fn); err != nil {
		tb.Fatal(err)
	}
}

// MustView runs fn in s.View and fails the test on error.
func MustView(tb testing.TB, s jaga.Store, fn func(jaga.Tx) error) {
	tb.Helper()
	if err := s.View(ctx, fn); err != nil {
		tb.Fatal(err)
	}
}

// MustInsertSubjects stores subjects in one Update.
func MustInsertSubjects(tb testing.TB, s jaga.Store, subjects ...*jaga.SealedSubject) {
	tb.Helper()
	MustUpdate(tb, s, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, subjects) })
}

// wantCode fails the test unless err carries the jaga error code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := jaga.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func mustSubject(tb testing.TB, s jaga.Store, id jaga.SubjectID) *jaga.SealedSubject {
	tb.Helper()
	var out *jaga.SealedSubject
	MustView(tb, s, func(tx jaga.Tx) (err error) {
		out, err = tx.Subject(ctx, id)
		return err
	})
	return out
}

// stored returns s as the store gives it back: times in UTC at microsecond precision,
// indexes sorted, empty sealed map for nil.
func stored(s *jaga.SealedSubject) *jaga.SealedSubject {
	c := *s
	c.CollectedAt = trunc(c.CollectedAt)
	c.CreatedAt = trunc(c.CreatedAt)
	c.UpdatedAt = trunc(c.UpdatedAt)
	if c.Sealed == nil {
		c.Sealed = map[string][]byte{}
	}
	c.Indexes = slices.Clone(c.Indexes)
	slices.SortFunc(c.Indexes, func(a, b jaga.BlindIndex) int {
		if a.Field != b.Field {
			if a.Field < b.Field {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.Value, b.Value)
	})
	if len(c.Indexes) == 0 {
		c.Indexes = nil
	}
	if len(c.ImportKey) == 0 {
		c.ImportKey = nil
	}
	return &c
}

func trunc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

func diffSubject(tb testing.TB, got, want *jaga.SealedSubject) {
	tb.Helper()
	w := stored(want)
	if !reflect.DeepEqual(got, w) {
		tb.Fatalf("subject %s:\n got %+v\nwant %+v", want.ID, got, w)
	}
}

func ix(field string, b byte) jaga.BlindIndex {
	return jaga.BlindIndex{Field: field, Value: bytes.Repeat([]byte{b}, 16)}
}

func testDialect(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	if d := s.Dialect(); d != "sqlite" && d != "postgres" {
		t.Fatalf("Dialect() = %q", d)
	}
}

func testUpdate(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("ErrRollback", func(t *testing.T) {
		s := open(t)
		g := NewGen(1)
		sub := g.Subject()
		errFn := errors.New("stop")
		err := s.Update(ctx, func(tx jaga.Tx) error {
			if err := tx.InsertSubjects(ctx, []*jaga.SealedSubject{sub}); err != nil {
				return err
			}
			return errFn
		})
		if err != errFn {
			t.Fatalf("Update error = %v, want fn's error unchanged", err)
		}
		MustView(t, s, func(tx jaga.Tx) error {
			_, err := tx.Subject(ctx, sub.ID)
			wantCode(t, err, jaga.ENOTFOUND)
			return nil
		})
	})
	t.Run("ErrorOfFnWrapped", func(t *testing.T) {
		s := open(t)
		e := &jaga.Error{Code: jaga.EFORBIDDEN, Message: "no"}
		err := s.Update(ctx, func(tx jaga.Tx) error { return fmt.Errorf("wrapped: %w", e) })
		if !errors.Is(err, e) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Panic", func(t *testing.T) {
		s := open(t)
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("panic did not propagate")
				}
			}()
			_ = s.Update(ctx, func(tx jaga.Tx) error { panic("boom") })
		}()
		// The store is still usable: the transaction was rolled back.
		MustInsertSubjects(t, s, NewGen(2).Subject())
	})
}

func testView(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("ErrWrite", func(t *testing.T) {
		s := open(t)
		g := NewGen(3)
		err := s.View(ctx, func(tx jaga.Tx) error {
			return tx.InsertSubjects(ctx, []*jaga.SealedSubject{g.Subject()})
		})
		wantCode(t, err, jaga.EINTERNAL)
	})
	t.Run("SeesCommitted", func(t *testing.T) {
		s := open(t)
		sub := NewGen(4).Subject()
		MustInsertSubjects(t, s, sub)
		diffSubject(t, mustSubject(t, s, sub.ID), sub)
	})
}

func testInsertSubjects(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		g := NewGen(10)
		a, b := g.Subject(), g.Subject()
		a.CreatedAt, a.UpdatedAt = t0, t0.Add(time.Hour)
		a.Restricted = true
		b.Sealed = nil
		b.Indexes = nil
		b.ImportKey = nil
		b.CollectedAt = time.Time{}
		b.Channel = jaga.ChannelWebForm
		MustInsertSubjects(t, s, a, b)
		diffSubject(t, mustSubject(t, s, a.ID), a)
		if b.CreatedAt.IsZero() || !b.UpdatedAt.Equal(b.CreatedAt) {
			t.Fatalf("CreatedAt %v, UpdatedAt %v: want both stamped with the transaction time", b.CreatedAt, b.UpdatedAt)
		}
		diffSubject(t, mustSubject(t, s, b.ID), b)
	})
	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, nil) })
	})
	t.Run("LargeBatch", func(t *testing.T) {
		// 2,345 rows exercise full chunks and every remainder size of the multi-row
		// statements.
		s := open(t)
		subs := NewGen(11).Subjects(2345)
		MustInsertSubjects(t, s, subs...)
		MustView(t, s, func(tx jaga.Tx) error {
			n, err := tx.CountSubjects(ctx)
			if err != nil {
				return err
			}
			if n != len(subs) {
				t.Fatalf("CountSubjects = %d, want %d", n, len(subs))
			}
			for _, i := range []int{0, 1, 1023, 2047, 2344} {
				got, err := tx.Subject(ctx, subs[i].ID)
				if err != nil {
					return err
				}
				diffSubject(t, got, subs[i])
				ids, err := tx.FindByIndex(ctx, "nik", subs[i].Indexes[2].Value)
				if err != nil {
					return err
				}
				if !slices.Equal(ids, []jaga.SubjectID{subs[i].ID}) {
					t.Fatalf("FindByIndex = %v", ids)
				}
			}
			return nil
		})
	})
	t.Run("DuplicateIndexOnce", func(t *testing.T) {
		s := open(t)
		a := NewGen(12).Subject()
		a.Indexes = append(a.Indexes, a.Indexes[0])
		MustInsertSubjects(t, s, a)
		if got := mustSubject(t, s, a.ID); len(got.Indexes) != 3 {
			t.Fatalf("got %d indexes, want 3", len(got.Indexes))
		}
	})
	t.Run("ErrConflictID", func(t *testing.T) {
		s := open(t)
		g := NewGen(13)
		a := g.Subject()
		MustInsertSubjects(t, s, a)
		b := g.Subject()
		b.ID = a.ID
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{b}) })
		wantCode(t, err, jaga.ECONFLICT)
	})
	t.Run("ErrConflictImportKey", func(t *testing.T) {
		s := open(t)
		g := NewGen(14)
		a, b := g.Subject(), g.Subject()
		b.ImportKey = a.ImportKey
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{a, b}) })
		wantCode(t, err, jaga.ECONFLICT)
		// Nothing of the failed transaction stays.
		MustView(t, s, func(tx jaga.Tx) error {
			_, err := tx.Subject(ctx, a.ID)
			wantCode(t, err, jaga.ENOTFOUND)
			return nil
		})
		MustInsertSubjects(t, s, a)
		err = s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{b}) })
		wantCode(t, err, jaga.ECONFLICT)
		// Invariant 6: the error names no value, neither the key nor anything sealed.
		msg := err.Error()
		if strings.Contains(msg, string(a.ImportKey)) || strings.Contains(msg, fmt.Sprintf("%x", a.ImportKey)) {
			t.Fatalf("error %q contains the import key", msg)
		}
	})
	t.Run("ErrConflictImportKeyOfErased", func(t *testing.T) {
		s := open(t)
		g := NewGen(15)
		a, b := g.Subject(), g.Subject()
		b.ImportKey = a.ImportKey
		MustInsertSubjects(t, s, a)
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{b}) })
		wantCode(t, err, jaga.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		s := open(t)
		g := NewGen(16)
		for name, mod := range map[string]func(*jaga.SealedSubject){
			"ID":         func(s *jaga.SealedSubject) { s.ID = "sub_123" },
			"WrappedDEK": func(s *jaga.SealedSubject) { s.WrappedDEK = nil },
			"IndexSize":  func(s *jaga.SealedSubject) { s.Indexes[0].Value = []byte("user@example.com-too-long") },
			"IndexField": func(s *jaga.SealedSubject) { s.Indexes[0].Field = "" },
		} {
			t.Run(name, func(t *testing.T) {
				sub := g.Subject()
				mod(sub)
				err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{sub}) })
				wantCode(t, err, jaga.EINVALID)
			})
		}
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{nil}) })
		wantCode(t, err, jaga.EINVALID)
	})
}

func testSubject(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		for _, id := range []jaga.SubjectID{NewSubjectID(), "", "not an id"} {
			err := s.View(ctx, func(tx jaga.Tx) error {
				_, err := tx.Subject(ctx, id)
				return err
			})
			wantCode(t, err, jaga.ENOTFOUND)
		}
	})
	t.Run("Times", func(t *testing.T) {
		s := open(t)
		a := NewGen(20).Subject()
		loc := time.FixedZone("WITA", 8*3600)
		a.CollectedAt = time.Date(1969, 12, 31, 23, 59, 59, 999999999, loc) // before the epoch, ns dropped
		a.CreatedAt = time.Date(2031, 7, 1, 0, 0, 0, 1000, loc)
		a.UpdatedAt = a.CreatedAt
		MustInsertSubjects(t, s, a)
		got := mustSubject(t, s, a.ID)
		if got.CollectedAt.Location() != time.UTC || !got.CollectedAt.Equal(trunc(a.CollectedAt)) {
			t.Fatalf("CollectedAt = %v, want %v in UTC", got.CollectedAt, trunc(a.CollectedAt))
		}
		diffSubject(t, got, a)
	})
}

func testFindByIndex(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	g := NewGen(30)
	subs := g.Subjects(4)
	// subs[0] and subs[2] share an email index; subs[3] has the same bytes for phone.
	subs[0].Indexes[0] = ix("email", 0xee)
	subs[2].Indexes[0] = ix("email", 0xee)
	subs[3].Indexes[1] = ix("phone", 0xee)
	// Insert out of order: the result is oldest (lowest ID) first anyway.
	MustInsertSubjects(t, s, subs[2], subs[0])
	MustInsertSubjects(t, s, subs[1], subs[3])
	MustView(t, s, func(tx jaga.Tx) error {
		ids, err := tx.FindByIndex(ctx, "email", ix("email", 0xee).Value)
		if err != nil {
			return err
		}
		if want := []jaga.SubjectID{subs[0].ID, subs[2].ID}; !slices.Equal(ids, want) {
			t.Fatalf("FindByIndex = %v, want %v", ids, want)
		}
		ids, err = tx.FindByIndex(ctx, "email", ix("email", 0xaa).Value)
		if err != nil || len(ids) != 0 {
			t.Fatalf("FindByIndex(unknown) = %v, %v; want none", ids, err)
		}
		ids, err = tx.FindByIndex(ctx, "nik", ix("email", 0xee).Value)
		if err != nil || len(ids) != 0 {
			t.Fatalf("FindByIndex(other field) = %v, %v; want none", ids, err)
		}
		// FindSubjects: the same subjects, whole, in the same order, as Subject reads them.
		found, err := tx.FindSubjects(ctx, "email", ix("email", 0xee).Value)
		if err != nil {
			return err
		}
		if len(found) != 2 {
			t.Fatalf("FindSubjects found %d subjects, want 2", len(found))
		}
		for i, want := range []*jaga.SealedSubject{subs[0], subs[2]} {
			one, err := tx.Subject(ctx, want.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(found[i], one) {
				t.Fatalf("FindSubjects[%d] = %+v, Subject = %+v", i, found[i], one)
			}
		}
		if none, err := tx.FindSubjects(ctx, "phone", ix("email", 0xaa).Value); err != nil || len(none) != 0 {
			t.Fatalf("FindSubjects(unknown) = %v, %v; want none", none, err)
		}
		return nil
	})
}

func testImportKeys(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	subs := NewGen(40).Subjects(1200)
	subs[5].ImportKey = nil
	MustInsertSubjects(t, s, subs...)
	g := NewGen(41)
	var keys [][]byte
	want := map[string]jaga.SubjectID{}
	for i, sub := range subs {
		if i%2 == 0 && sub.ImportKey != nil {
			keys = append(keys, sub.ImportKey)
			want[string(sub.ImportKey)] = sub.ID
		}
		if i%3 == 0 {
			keys = append(keys, g.Bytes(32)) // unknown
		}
	}
	MustView(t, s, func(tx jaga.Tx) error {
		got, err := tx.ImportKeys(ctx, keys)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ImportKeys: got %d entries, want %d", len(got), len(want))
		}
		got, err = tx.ImportKeys(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("ImportKeys(nil) = %v, %v", got, err)
		}
		return nil
	})
}

func testUpdateSubject(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		a := NewGen(50).Subject()
		a.CreatedAt, a.UpdatedAt = t0, t0
		MustInsertSubjects(t, s, a)
		newEmail := ix("email", 0x11)
		patch := jaga.SubjectPatch{
			Set:         map[string][]byte{"email": []byte("sealed-new-email"), "new_attr": []byte("sealed-new-attr")},
			Remove:      []string{"income", "no_such_field"},
			Indexes:     []jaga.BlindIndex{newEmail},
			IndexFields: []string{"email", "nik"}, // nik loses its index
			UpdatedAt:   t0.Add(time.Minute),
		}
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.UpdateSubject(ctx, a.ID, patch) })

		want := *a
		want.Sealed = map[string][]byte{}
		for k, v := range a.Sealed {
			want.Sealed[k] = v
		}
		delete(want.Sealed, "income")
		want.Sealed["email"] = []byte("sealed-new-email")
		want.Sealed["new_attr"] = []byte("sealed-new-attr")
		want.Indexes = []jaga.BlindIndex{newEmail, a.Indexes[1]}
		want.UpdatedAt = patch.UpdatedAt
		diffSubject(t, mustSubject(t, s, a.ID), &want)

		MustView(t, s, func(tx jaga.Tx) error {
			for _, c := range []struct {
				ix   jaga.BlindIndex
				want int
			}{{a.Indexes[0], 0}, {a.Indexes[2], 0}, {newEmail, 1}, {a.Indexes[1], 1}} {
				ids, err := tx.FindByIndex(ctx, c.ix.Field, c.ix.Value)
				if err != nil {
					return err
				}
				if len(ids) != c.want {
					t.Fatalf("FindByIndex(%s) = %v, want %d", c.ix.Field, ids, c.want)
				}
			}
			return nil
		})
	})
	t.Run("OnlyIndexes", func(t *testing.T) {
		s := open(t)
		a := NewGen(51).Subject()
		MustInsertSubjects(t, s, a)
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.UpdateSubject(ctx, a.ID, jaga.SubjectPatch{Indexes: []jaga.BlindIndex{ix("phone", 7)}})
		})
		got := mustSubject(t, s, a.ID)
		want := stored(a)
		want.Indexes = []jaga.BlindIndex{a.Indexes[0], a.Indexes[2], ix("phone", 7)}
		want.UpdatedAt = got.UpdatedAt
		diffSubject(t, got, want)
		if !got.UpdatedAt.After(trunc(a.UpdatedAt)) && !got.UpdatedAt.Equal(trunc(a.UpdatedAt)) {
			t.Fatalf("UpdatedAt went back: %v", got.UpdatedAt)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		for _, p := range []jaga.SubjectPatch{{}, {Set: map[string][]byte{"x": {1}}}} {
			err := s.Update(ctx, func(tx jaga.Tx) error { return tx.UpdateSubject(ctx, NewSubjectID(), p) })
			wantCode(t, err, jaga.ENOTFOUND)
		}
	})
	t.Run("ErrInvalidIndex", func(t *testing.T) {
		s := open(t)
		a := NewGen(52).Subject()
		MustInsertSubjects(t, s, a)
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.UpdateSubject(ctx, a.ID, jaga.SubjectPatch{Indexes: []jaga.BlindIndex{{Field: "email", Value: []byte("short")}}})
		})
		wantCode(t, err, jaga.EINVALID)
	})
}

func testSetRestricted(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	a := NewGen(60).Subject()
	MustInsertSubjects(t, s, a)
	for _, r := range []bool{true, false, true} {
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.SetRestricted(ctx, a.ID, r) })
		if got := mustSubject(t, s, a.ID); got.Restricted != r {
			t.Fatalf("Restricted = %v, want %v", got.Restricted, r)
		}
	}
	err := s.Update(ctx, func(tx jaga.Tx) error { return tx.SetRestricted(ctx, NewSubjectID(), true) })
	wantCode(t, err, jaga.ENOTFOUND)
}

func testEraseSubject(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		g := NewGen(70)
		a, b := g.Subject(), g.Subject()
		MustInsertSubjects(t, s, a, b)
		MustUpdate(t, s, func(tx jaga.Tx) error {
			if _, err := tx.InsertPurchases(ctx, []*jaga.SealedPurchase{
				{Subject: a.ID, Sealed: g.Bytes(50), SourceKey: g.Bytes(32)},
				{Subject: b.ID, Sealed: g.Bytes(50), SourceKey: g.Bytes(32)},
			}); err != nil {
				return err
			}
			return tx.InsertConsents(ctx, []*jaga.Consent{{Subject: a.ID, Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, Channel: jaga.ChannelWebForm, Evidence: "form-1", At: t0}})
		})
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0.Add(time.Hour)) })

		MustView(t, s, func(tx jaga.Tx) error {
			_, err := tx.Subject(ctx, a.ID)
			wantCode(t, err, jaga.ENOTFOUND)
			for _, x := range a.Indexes {
				ids, err := tx.FindByIndex(ctx, x.Field, x.Value)
				if err != nil {
					return err
				}
				if len(ids) != 0 {
					t.Fatalf("FindByIndex(%s) after erasure = %v", x.Field, ids)
				}
			}
			keys, err := tx.ImportKeys(ctx, [][]byte{a.ImportKey})
			if err != nil {
				return err
			}
			if keys[string(a.ImportKey)] != a.ID {
				t.Fatalf("ImportKeys after erasure = %v, want the erased subject", keys)
			}
			if erased, err := tx.Erased(ctx, a.ID); err != nil || !erased {
				t.Fatalf("Erased(a) = %v, %v", erased, err)
			}
			if erased, err := tx.Erased(ctx, b.ID); err != nil || erased {
				t.Fatalf("Erased(b) = %v, %v", erased, err)
			}
			if ps, err := tx.Purchases(ctx, a.ID); err != nil || len(ps) != 0 {
				t.Fatalf("Purchases after erasure = %d, %v", len(ps), err)
			}
			if n, err := tx.CountPurchases(ctx); err != nil || n != 1 {
				t.Fatalf("CountPurchases = %d, %v; want 1", n, err)
			}
			if n, err := tx.CountSubjects(ctx); err != nil || n != 1 {
				t.Fatalf("CountSubjects = %d, %v; want 1", n, err)
			}
			if cs, err := tx.Consents(ctx, a.ID); err != nil || len(cs) != 1 {
				t.Fatalf("Consents after erasure = %d, %v; want the record kept", len(cs), err)
			}
			deks, err := tx.WrappedKeys(ctx, jaga.WrappedSubjectDEK, "", 10)
			if err != nil {
				return err
			}
			if len(deks) != 1 || deks[0].ID != string(b.ID) {
				t.Fatalf("WrappedKeys after erasure = %v", deks)
			}
			return nil
		})
		diffSubject(t, mustSubject(t, s, b.ID), b)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, NewSubjectID(), t0) })
		wantCode(t, err, jaga.ENOTFOUND)
	})
	t.Run("ErrAlreadyErased", func(t *testing.T) {
		s := open(t)
		a := NewGen(71).Subject()
		MustInsertSubjects(t, s, a)
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
		wantCode(t, err, jaga.ENOTFOUND)
		for name, fn := range map[string]func(tx jaga.Tx) error{
			"UpdateSubject": func(tx jaga.Tx) error { return tx.UpdateSubject(ctx, a.ID, jaga.SubjectPatch{}) },
			"SetRestricted": func(tx jaga.Tx) error { return tx.SetRestricted(ctx, a.ID, true) },
			"SetWrappedKey": func(tx jaga.Tx) error {
				return tx.SetWrappedKey(ctx, jaga.WrappedSubjectDEK, string(a.ID), []byte("k"))
			},
			"InsertPurchases": func(tx jaga.Tx) error {
				_, err := tx.InsertPurchases(ctx, []*jaga.SealedPurchase{{Subject: a.ID, Sealed: []byte("p")}})
				return err
			},
		} {
			err := s.Update(ctx, fn)
			if jaga.ErrorCode(err) != jaga.ENOTFOUND {
				t.Errorf("%s on an erased subject: %v, want ENOTFOUND", name, err)
			}
		}
	})
}

func testCountSubjects(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	MustView(t, s, func(tx jaga.Tx) error {
		if n, err := tx.CountSubjects(ctx); err != nil || n != 0 {
			t.Fatalf("CountSubjects(empty) = %d, %v", n, err)
		}
		return nil
	})
	MustInsertSubjects(t, s, NewGen(80).Subjects(7)...)
	MustView(t, s, func(tx jaga.Tx) error {
		if n, err := tx.CountSubjects(ctx); err != nil || n != 7 {
			t.Fatalf("CountSubjects = %d, %v; want 7", n, err)
		}
		return nil
	})
}

func testPurchases(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		g := NewGen(90)
		a, b := g.Subject(), g.Subject()
		MustInsertSubjects(t, s, a, b)
		var ps []*jaga.SealedPurchase
		for i := range 700 {
			sub := a.ID
			if i%3 == 0 {
				sub = b.ID
			}
			ps = append(ps, &jaga.SealedPurchase{Subject: sub, Sealed: g.Bytes(40 + i%20), SourceKey: g.Bytes(32), CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		}
		ps[1].SourceKey = nil // stored without idempotence
		insert := func(batch []*jaga.SealedPurchase) (n int) {
			t.Helper()
			MustUpdate(t, s, func(tx jaga.Tx) (err error) {
				n, err = tx.InsertPurchases(ctx, batch)
				return err
			})
			return n
		}
		if n := insert(ps[:400]); n != 400 {
			t.Fatalf("InsertPurchases = %d, want 400", n)
		}
		// Re-import: the overlap is skipped; a repeat inside one batch counts once.
		dup := &jaga.SealedPurchase{Subject: a.ID, Sealed: []byte("other"), SourceKey: ps[450].SourceKey}
		batch := append(slices.Clone(ps[300:]), dup)
		if n := insert(batch); n != 300 {
			t.Fatalf("InsertPurchases(overlap) = %d, want 300", n)
		}
		if n := insert(ps[2:]); n != 0 {
			t.Fatalf("InsertPurchases(again) = %d, want 0", n)
		}
		if n := insert(nil); n != 0 {
			t.Fatalf("InsertPurchases(nil) = %d", n)
		}
		MustView(t, s, func(tx jaga.Tx) error {
			if n, err := tx.CountPurchases(ctx); err != nil || n != 700 {
				t.Fatalf("CountPurchases = %d, %v; want 700", n, err)
			}
			got, err := tx.Purchases(ctx, a.ID)
			if err != nil {
				return err
			}
			var want []*jaga.SealedPurchase
			for _, p := range ps {
				if p.Subject == a.ID {
					want = append(want, p)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("Purchases = %d, want %d", len(got), len(want))
			}
			for i := range got {
				w := want[i]
				if got[i].ID == 0 || i > 0 && got[i].ID <= got[i-1].ID {
					t.Fatalf("purchase IDs not increasing at %d", i)
				}
				if got[i].Subject != a.ID || !bytes.Equal(got[i].Sealed, w.Sealed) || !bytes.Equal(got[i].SourceKey, w.SourceKey) || !got[i].CreatedAt.Equal(trunc(w.CreatedAt)) {
					t.Fatalf("purchase %d = %+v, want %+v", i, got[i], w)
				}
			}
			if got, err := tx.Purchases(ctx, NewSubjectID()); err != nil || len(got) != 0 {
				t.Fatalf("Purchases(unknown) = %v, %v", got, err)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		g := NewGen(91)
		a := g.Subject()
		MustInsertSubjects(t, s, a)
		err := s.Update(ctx, func(tx jaga.Tx) error {
			_, err := tx.InsertPurchases(ctx, []*jaga.SealedPurchase{
				{Subject: a.ID, Sealed: g.Bytes(10), SourceKey: g.Bytes(32)},
				{Subject: NewSubjectID(), Sealed: g.Bytes(10), SourceKey: g.Bytes(32)},
			})
			return err
		})
		wantCode(t, err, jaga.ENOTFOUND)
		MustView(t, s, func(tx jaga.Tx) error {
			if n, err := tx.CountPurchases(ctx); err != nil || n != 0 {
				t.Fatalf("CountPurchases = %d, %v; want 0", n, err)
			}
			return nil
		})
	})
}

func testConsents(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	a, b := NewSubjectID(), NewSubjectID()
	c := func(sub jaga.SubjectID, purpose string, st jaga.ConsentStatus, at time.Time) *jaga.Consent {
		return &jaga.Consent{Subject: sub, Purpose: purpose, Status: st, NoticeVersion: "2025-01", Channel: jaga.ChannelWebForm, Evidence: "doi-42", At: at}
	}
	given := c(a, jaga.PurposeCrossSelling, jaga.ConsentGiven, t0)
	given.Flag = jaga.FlagNoEvidence
	given.RecordedAt = t0.Add(time.Second)
	withdrawn := c(a, jaga.PurposeCrossSelling, jaga.ConsentWithdrawn, t0.Add(time.Hour))
	// Recorded later but given earlier: it is history, not the record in force.
	late := c(a, jaga.PurposeCrossSelling, jaga.ConsentGiven, t0.Add(30*time.Minute))
	// Same At as withdrawn, recorded after it: the higher ID wins the tie.
	tie := c(a, jaga.PurposeCrossSelling, jaga.ConsentRefused, t0.Add(time.Hour))
	other := c(a, jaga.PurposeServiceImprovement, jaga.ConsentGiven, t0)
	ofB := c(b, jaga.PurposeCrossSelling, jaga.ConsentGiven, t0.Add(2*time.Hour))

	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, []*jaga.Consent{given, withdrawn}) })
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, []*jaga.Consent{late, tie, other, ofB}) })
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, nil) })

	all := []*jaga.Consent{given, withdrawn, late, tie, other, ofB}
	for i, x := range all {
		if x.ID == 0 || i > 0 && x.ID <= all[i-1].ID {
			t.Fatalf("consent IDs not set in increasing order: %v", x.ID)
		}
		if x.RecordedAt.IsZero() {
			t.Fatalf("RecordedAt not stamped")
		}
	}
	norm := func(x *jaga.Consent) *jaga.Consent {
		y := *x
		y.At, y.RecordedAt = trunc(y.At), trunc(y.RecordedAt)
		return &y
	}
	MustView(t, s, func(tx jaga.Tx) error {
		cur, err := tx.CurrentConsent(ctx, a, jaga.PurposeCrossSelling)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(cur, norm(tie)) {
			t.Fatalf("CurrentConsent = %+v, want %+v", cur, norm(tie))
		}
		cur, err = tx.CurrentConsent(ctx, a, jaga.PurposeServiceImprovement)
		if err != nil || !reflect.DeepEqual(cur, norm(other)) {
			t.Fatalf("CurrentConsent(other purpose) = %+v, %v", cur, err)
		}
		cur, err = tx.CurrentConsent(ctx, a, jaga.PurposeSecurity)
		if err != nil || cur != nil {
			t.Fatalf("CurrentConsent(none) = %+v, %v; want nil, nil", cur, err)
		}
		cur, err = tx.CurrentConsent(ctx, NewSubjectID(), jaga.PurposeCrossSelling)
		if err != nil || cur != nil {
			t.Fatalf("CurrentConsent(unknown subject) = %+v, %v; want nil, nil", cur, err)
		}
		list, err := tx.Consents(ctx, a)
		if err != nil {
			return err
		}
		want := []*jaga.Consent{norm(given), norm(other), norm(late), norm(withdrawn), norm(tie)}
		if !reflect.DeepEqual(list, want) {
			t.Fatalf("Consents:\n got %v\nwant %v", list, want)
		}
		return nil
	})
	// A later withdrawal takes over.
	again := c(a, jaga.PurposeCrossSelling, jaga.ConsentGiven, t0.Add(3*time.Hour))
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.InsertConsents(ctx, []*jaga.Consent{again}) })
	MustView(t, s, func(tx jaga.Tx) error {
		cur, err := tx.CurrentConsent(ctx, a, jaga.PurposeCrossSelling)
		if err != nil || cur.ID != again.ID || !cur.Counts() {
			t.Fatalf("CurrentConsent after new record = %+v, %v", cur, err)
		}
		return nil
	})
}

// auditRecords returns n records whose data name their position.
func auditRecords(n int) []*jaga.AuditRecord {
	out := make([]*jaga.AuditRecord, n)
	for i := range out {
		out[i] = &jaga.AuditRecord{Data: []byte(fmt.Sprintf("event %d", i))}
	}
	return out
}

// indexEntries returns entries naming subjects (at positions 0, 1, …) in the records.
func indexEntries(recs []*jaga.AuditRecord, subjects ...jaga.SubjectID) []jaga.AuditIndexEntry {
	var out []jaga.AuditIndexEntry
	for _, r := range recs {
		for j, s := range subjects {
			out = append(out, jaga.AuditIndexEntry{Subject: s, Seq: r.Seq, Pos: j})
		}
	}
	return out
}

// sealRecords is the seal function of AppendAudit for tests: Seq from the head's size,
// as many hashes as the log stores with the leaf (1 + trailing ones of Seq-1), each the
// 32-byte big-endian Seq; the edge is the new size in 32 bytes.
func sealRecords(recs []*jaga.AuditRecord) func(jaga.AuditHead) ([]byte, error) {
	return func(h jaga.AuditHead) ([]byte, error) {
		for i, r := range recs {
			r.Seq = h.Size + int64(i) + 1
			n := 1 + bits.TrailingZeros64(^uint64(r.Seq-1))
			r.Hashes = make([]byte, 32*n)
			for j := range n {
				binary.BigEndian.PutUint64(r.Hashes[32*j+24:], uint64(r.Seq))
			}
		}
		edge := make([]byte, 32)
		binary.BigEndian.PutUint64(edge[24:], uint64(h.Size+int64(len(recs))))
		return edge, nil
	}
}

func testAudit(t *testing.T, open func(t *testing.T) jaga.Store) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		a, b := NewSubjectID(), NewSubjectID()
		MustView(t, s, func(tx jaga.Tx) error {
			h, err := tx.AuditHead(ctx)
			if err != nil || h.Size != 0 || h.CheckpointSize != 0 || h.IndexedSize != 0 || len(h.Edge) != 0 {
				t.Fatalf("AuditHead(empty) = %+v, %v", h, err)
			}
			cp, err := tx.LatestAuditCheckpoint(ctx)
			if err != nil || cp != nil {
				t.Fatalf("LatestAuditCheckpoint(empty) = %+v, %v", cp, err)
			}
			return nil
		})
		first := auditRecords(100)
		first[2].Members = bytes.Repeat([]byte{7}, 32)
		second := auditRecords(150)
		var sizes []int64
		for _, recs := range [][]*jaga.AuditRecord{first, second, nil} {
			MustUpdate(t, s, func(tx jaga.Tx) error {
				return tx.AppendAudit(ctx, recs, func(h jaga.AuditHead) ([]byte, error) {
					sizes = append(sizes, h.Size)
					return sealRecords(recs)(h)
				})
			})
		}
		if !slices.Equal(sizes, []int64{0, 100}) {
			t.Fatalf("seal saw sizes %v", sizes)
		}
		MustUpdate(t, s, func(tx jaga.Tx) error {
			entries := append(indexEntries(first[:1], a), indexEntries(first[2:], a)...)
			return tx.IndexAudit(ctx, 100, entries)
		})
		MustUpdate(t, s, func(tx jaga.Tx) error {
			// b at 0, a at 1; the last 50 stay unindexed.
			return tx.IndexAudit(ctx, 200, indexEntries(second[:100], b, a))
		})
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.InsertAuditCheckpoint(ctx, &jaga.AuditCheckpoint{Size: 100, Note: []byte("cp 100"), Time: t0})
		})
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.InsertAuditCheckpoint(ctx, &jaga.AuditCheckpoint{Size: 250, Note: []byte("cp 250")})
		})
		MustView(t, s, func(tx jaga.Tx) error {
			h, err := tx.AuditHead(ctx)
			if err != nil || h.Size != 250 || h.CheckpointSize != 250 || h.IndexedSize != 200 || binary.BigEndian.Uint64(h.Edge[24:]) != 250 {
				t.Fatalf("AuditHead = %+v, %v", h, err)
			}
			got, err := tx.AuditRecords(ctx, jaga.AuditFilter{Limit: 3})
			if err != nil {
				return err
			}
			if len(got) != 3 || string(got[0].Data) != "event 0" || got[0].Seq != 1 || !bytes.Equal(got[2].Members, first[2].Members) || got[1].Members != nil {
				t.Fatalf("AuditRecords round trip: %+v", got)
			}
			hs, err := tx.AuditHashes(ctx, []int64{1, 250, 251})
			if err != nil || len(hs) != 2 || !bytes.Equal(hs[250], second[149].Hashes) {
				t.Fatalf("AuditHashes = %v, %v", hs, err)
			}
			seqs := func(f jaga.AuditFilter) (out []int64) {
				rs, err := tx.AuditRecords(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					out = append(out, r.Seq*10+int64(r.Pos))
				}
				return out
			}
			var wantA, wantB []int64
			for seq := int64(1); seq <= 200; seq++ {
				if seq != 2 {
					pos := int64(0)
					if seq > 100 {
						pos = 1
					}
					wantA = append(wantA, seq*10+pos)
				}
				if seq > 100 {
					wantB = append(wantB, seq*10)
				}
			}
			for _, c := range []struct {
				name string
				f    jaga.AuditFilter
				want []int64
			}{
				{"Default", jaga.AuditFilter{}, func() (o []int64) {
					for i := int64(1); i <= 100; i++ {
						o = append(o, i*10)
					}
					return o
				}()},
				{"After", jaga.AuditFilter{AfterSeq: 245}, []int64{2460, 2470, 2480, 2490, 2500}},
				{"Subject", jaga.AuditFilter{Subject: a, Limit: 1000}, wantA},
				{"SubjectAfter", jaga.AuditFilter{Subject: b, AfterSeq: 150, Limit: 3}, wantB[50:53]},
				{"None", jaga.AuditFilter{Subject: NewSubjectID()}, nil},
			} {
				if got := seqs(c.f); !slices.Equal(got, c.want) {
					t.Errorf("%s: %v, want %v", c.name, got, c.want)
				}
			}
			var scanned []int64
			if err := tx.ScanAudit(ctx, 240, func(r *jaga.AuditRecord) error {
				if string(r.Data) != fmt.Sprintf("event %d", (r.Seq-101)) {
					t.Errorf("scan: record %d has data %q", r.Seq, r.Data)
				}
				scanned = append(scanned, r.Seq)
				return nil
			}); err != nil {
				return err
			}
			if !slices.Equal(scanned, []int64{241, 242, 243, 244, 245, 246, 247, 248, 249, 250}) {
				t.Errorf("ScanAudit: %v", scanned)
			}
			cps, err := tx.AuditCheckpoints(ctx, 0, 10)
			if err != nil || len(cps) != 2 || cps[0].Size != 100 || string(cps[1].Note) != "cp 250" || !cps[0].Time.Equal(t0) || cps[1].Time.IsZero() {
				t.Fatalf("AuditCheckpoints = %+v, %v", cps, err)
			}
			cp, err := tx.LatestAuditCheckpoint(ctx)
			if err != nil || cp.Size != 250 {
				t.Fatalf("LatestAuditCheckpoint = %+v, %v", cp, err)
			}
			return nil
		})
	})
	t.Run("ErrSealRollsBack", func(t *testing.T) {
		s := open(t)
		boom := errors.New("boom")
		recs := auditRecords(3)
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.AppendAudit(ctx, recs, func(jaga.AuditHead) ([]byte, error) { return nil, boom })
		})
		if err != boom {
			t.Fatalf("got %v, want the seal error unchanged", err)
		}
		MustView(t, s, func(tx jaga.Tx) error {
			if h, err := tx.AuditHead(ctx); err != nil || h.Size != 0 {
				t.Fatalf("head after failed append: %+v, %v", h, err)
			}
			return nil
		})
	})
	t.Run("ErrUnsealed", func(t *testing.T) {
		s := open(t)
		recs := auditRecords(2)
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.AppendAudit(ctx, recs, func(jaga.AuditHead) ([]byte, error) { return nil, nil })
		})
		wantCode(t, err, jaga.EINVALID)
	})
	t.Run("Epochs", func(t *testing.T) {
		s := open(t)
		recs := auditRecords(jaga.AuditIndexEpoch + 10)
		a := NewSubjectID()
		MustUpdate(t, s, func(tx jaga.Tx) error {
			if err := tx.AppendAudit(ctx, recs, sealRecords(recs)); err != nil {
				return err
			}
			return tx.IndexAudit(ctx, int64(len(recs)), append(indexEntries(recs[4:5], a), indexEntries(recs[jaga.AuditIndexEpoch+3:jaga.AuditIndexEpoch+4], a)...))
		})
		MustView(t, s, func(tx jaga.Tx) error {
			for _, after := range []int64{0, 5} {
				got, err := tx.AuditRecords(ctx, jaga.AuditFilter{Subject: a, AfterSeq: after})
				if err != nil {
					return err
				}
				var seqs []int64
				for _, r := range got {
					seqs = append(seqs, r.Seq)
				}
				want := []int64{5, jaga.AuditIndexEpoch + 4}
				if after == 5 {
					want = want[1:]
				}
				if !slices.Equal(seqs, want) {
					t.Errorf("after %d: %v, want %v", after, seqs, want)
				}
			}
			return nil
		})
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.IndexAudit(ctx, 3, indexEntries(recs[4:5], a))
		})
		wantCode(t, err, jaga.EINVALID)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		s := open(t)
		recs := auditRecords(1)
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.AppendAudit(ctx, recs, sealRecords(recs)) })
		MustUpdate(t, s, func(tx jaga.Tx) error {
			return tx.InsertAuditCheckpoint(ctx, &jaga.AuditCheckpoint{Size: 1, Note: []byte("cp")})
		})
		err := s.Update(ctx, func(tx jaga.Tx) error {
			return tx.InsertAuditCheckpoint(ctx, &jaga.AuditCheckpoint{Size: 1, Note: []byte("again")})
		})
		wantCode(t, err, jaga.ECONFLICT)
	})
}

func testActors(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	alice := &jaga.Actor{ID: "act_a", Name: "alice", Kind: jaga.ActorStaff, Role: jaga.RoleSupport, KeyHash: bytes.Repeat([]byte{1}, 32), CreatedAt: t0.Add(time.Hour)}
	bob := &jaga.Actor{ID: "act_b", Name: "bob", Kind: jaga.ActorService, Role: jaga.RoleService, KeyHash: bytes.Repeat([]byte{2}, 32), CreatedAt: t0}
	carol := &jaga.Actor{ID: "act_c", Name: "carol", Kind: jaga.ActorStaff, Role: jaga.RoleDPO} // no key; CreatedAt stamped
	dave := &jaga.Actor{ID: "act_d", Name: "dave", Kind: jaga.ActorStaff, Role: jaga.RoleAnalyst}
	for _, a := range []*jaga.Actor{alice, bob, carol, dave} {
		MustUpdate(t, s, func(tx jaga.Tx) error { return tx.CreateActor(ctx, a) })
	}
	if carol.CreatedAt.IsZero() {
		t.Fatal("CreatedAt not stamped")
	}
	for name, a := range map[string]*jaga.Actor{
		"Name":    {ID: "act_x", Name: "alice", Kind: jaga.ActorStaff, Role: jaga.RoleAdmin},
		"ID":      {ID: "act_a", Name: "alex", Kind: jaga.ActorStaff, Role: jaga.RoleAdmin},
		"KeyHash": {ID: "act_y", Name: "yan", Kind: jaga.ActorStaff, Role: jaga.RoleAdmin, KeyHash: alice.KeyHash},
	} {
		err := s.Update(ctx, func(tx jaga.Tx) error { return tx.CreateActor(ctx, a) })
		if jaga.ErrorCode(err) != jaga.ECONFLICT {
			t.Errorf("CreateActor(duplicate %s) = %v, want ECONFLICT", name, err)
		}
	}
	norm := func(a *jaga.Actor) *jaga.Actor {
		c := *a
		c.CreatedAt = trunc(c.CreatedAt)
		return &c
	}
	MustView(t, s, func(tx jaga.Tx) error {
		got, err := tx.ActorByKeyHash(ctx, bob.KeyHash)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, norm(bob)) {
			t.Fatalf("ActorByKeyHash = %+v, want %+v", got, bob)
		}
		for _, h := range [][]byte{nil, {}, bytes.Repeat([]byte{9}, 32)} {
			_, err = tx.ActorByKeyHash(ctx, h)
			wantCode(t, err, jaga.ENOTFOUND)
		}
		list, err := tx.Actors(ctx)
		if err != nil {
			return err
		}
		// By CreatedAt; carol and dave were stamped now, later than t0, and by ID on a tie.
		want := []*jaga.Actor{norm(bob), norm(alice), norm(carol), norm(dave)}
		if !reflect.DeepEqual(list, want) {
			t.Fatalf("Actors:\n got %+v\nwant %+v", list, want)
		}
		return nil
	})
}

func testCompact(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	a := NewGen(110).Subject()
	MustInsertSubjects(t, s, a)
	MustUpdate(t, s, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, a.ID, t0) })
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
}

// testConcurrent runs writers and readers at once; under -race it checks the store's
// own synchronisation, and it checks that no busy error escapes Update or View.
func testConcurrent(t *testing.T, open func(t *testing.T) jaga.Store) {
	s := open(t)
	const writers, readers, rounds = 4, 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	ids := make(chan jaga.SubjectID, writers*rounds*5)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := NewGen(uint64(200 + w))
			for range rounds {
				subs := g.Subjects(5)
				if err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, subs) }); err != nil {
					errs <- err
					return
				}
				for _, sub := range subs {
					ids <- sub.ID
				}
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds * 2 {
				if err := s.View(ctx, func(tx jaga.Tx) error {
					select {
					case id := <-ids:
						if _, err := tx.Subject(ctx, id); err != nil {
							return err
						}
						ids <- id
					default:
					}
					_, err := tx.CountSubjects(ctx)
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	MustView(t, s, func(tx jaga.Tx) error {
		if n, err := tx.CountSubjects(ctx); err != nil || n != writers*rounds*5 {
			t.Fatalf("CountSubjects = %d, %v", n, err)
		}
		return nil
	})
}
