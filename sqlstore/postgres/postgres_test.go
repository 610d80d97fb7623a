package postgres_test

import (
	"context"
	"errors"
	"math/bits"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
	"jaga/sqlstore/storetest"
)

var ctx = context.Background()

// MustOpen opens a store on a new database of the test cluster and closes it when the
// test ends.
func MustOpen(tb testing.TB) *postgres.DB {
	tb.Helper()
	return MustOpenURL(tb, pgtest.NewDatabase(tb))
}

// MustOpenURL opens the store at url and closes it when the test ends.
func MustOpenURL(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	return storetest.MustOpen(tb, func() (*postgres.DB, error) { return postgres.Open(ctx, url, postgres.Options{}) })
}

func TestStore(t *testing.T) {
	t.Parallel()
	pgtest.URL(t) // skip (or fail under CI) once, not in every subtest
	storetest.Run(t, func(t *testing.T) jaga.Store { return MustOpen(t) })
}

func TestOpen(t *testing.T) {
	t.Parallel()
	t.Run("BadURL", func(t *testing.T) {
		_, err := postgres.Open(ctx, "postgres://jaga:s3cret-pw@127.0.0.1:bad/x", postgres.Options{})
		if jaga.ErrorCode(err) != jaga.EINVALID || strings.Contains(err.Error(), "s3cret-pw") {
			t.Fatalf("Open(bad URL) = %v, want EINVALID without the password", err)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := postgres.Open(c, "postgres://jaga:s3cret-pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", postgres.Options{})
		if jaga.ErrorCode(err) != jaga.EUNAVAILABLE || strings.Contains(err.Error(), "s3cret-pw") {
			t.Fatalf("Open(unreachable) = %v, want EUNAVAILABLE without the password", err)
		}
	})
	t.Run("Reopen", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		a := MustOpenURL(t, url)
		storetest.MustInsertSubjects(t, a, storetest.NewGen(1).Subject())
		a.Close()
		b := MustOpenURL(t, url) // migrations recorded: nothing applied twice
		storetest.MustView(t, b, func(tx jaga.Tx) error {
			n, err := tx.CountSubjects(ctx)
			if err == nil && n != 1 {
				t.Errorf("CountSubjects after reopen = %d, want 1", n)
			}
			return err
		})
	})
	t.Run("ConcurrentFirstStart", func(t *testing.T) {
		// Nodes starting at once on an empty database: each migration is applied once.
		url := pgtest.NewDatabase(t)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				db, err := postgres.Open(ctx, url, postgres.Options{})
				if err == nil {
					err = db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	})
}

func TestErrorsCarryNoValue(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	sub := storetest.NewGen(3).Subject()
	storetest.MustInsertSubjects(t, s, sub)
	dup := storetest.NewGen(4).Subject()
	dup.ImportKey = sub.ImportKey
	err := s.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{dup}) })
	if jaga.ErrorCode(err) != jaga.ECONFLICT {
		t.Fatalf("duplicate import key: %v, want ECONFLICT", err)
	}
	var pe *postgres.Error
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("duplicate import key: cause %v, want a redacted *postgres.Error with SQLSTATE 23505", err)
	}
	for _, v := range [][]byte{dup.ImportKey, []byte(dup.ID)} {
		if strings.Contains(err.Error(), string(v)) || strings.Contains(err.Error(), hexOf(v)) {
			t.Fatalf("error %q contains a bound value", err)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestAuditAppendsSerialised has several stores (as several nodes would) append to one
// audit log at once, each reading the head and appending after it in one transaction
// (AppendAudit's seal callback): with the store's audit lock, no two read the same head, so every
// append succeeds without a conflict and the sequence has no gap.
func TestAuditAppendsSerialised(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	const nodes, appends = 3, 25
	stores := make([]*postgres.DB, nodes)
	for i := range stores {
		stores[i] = MustOpenURL(t, url)
	}
	var wg sync.WaitGroup
	errs := make(chan error, nodes*appends)
	for _, s := range stores {
		for range 2 { // two writers per node
			wg.Go(func() {
				for range appends / 2 {
					err := s.Update(ctx, func(tx jaga.Tx) error {
						rec := &jaga.AuditRecord{Data: []byte("event")}
						return tx.AppendAudit(ctx, []*jaga.AuditRecord{rec}, func(h jaga.AuditHead) ([]byte, error) {
							rec.Seq = h.Size + 1
							// The tree hashes a leaf adds: 1 + the trailing ones of its index.
							rec.Hashes = make([]byte, 32*(1+bits.TrailingZeros64(^uint64(h.Size))))
							time.Sleep(time.Millisecond) // widen the window a lost lock would open
							return make([]byte, 32), nil
						})
					})
					if err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := int64(nodes * 2 * (appends / 2))
	storetest.MustView(t, stores[0], func(tx jaga.Tx) error {
		var n int64
		err := tx.ScanAudit(ctx, 0, func(r *jaga.AuditRecord) error {
			if n++; r.Seq != n {
				t.Fatalf("record %d has seq %d: the log has a gap or a duplicate", n, r.Seq)
			}
			return nil
		})
		if err == nil && n != want {
			t.Fatalf("%d records; want %d", n, want)
		}
		return err
	})
}

// TestNoLostUpdate has two stores update different fields of the same subjects at once:
// every change survives (UpdateSubject locks the row it rewrites).
func TestNoLostUpdate(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	a, b := MustOpenURL(t, url), MustOpenURL(t, url)
	g := storetest.NewGen(9)
	subs := g.Subjects(10)
	storetest.MustInsertSubjects(t, a, subs...)
	const rounds = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds*len(subs))
	for n, s := range []*postgres.DB{a, b} {
		wg.Go(func() {
			for r := range rounds {
				for _, sub := range subs {
					field := []string{"node_a", "node_b"}[n] + "_" + string(rune('0'+r))
					if err := s.Update(ctx, func(tx jaga.Tx) error {
						return tx.UpdateSubject(ctx, sub.ID, jaga.SubjectPatch{Set: map[string][]byte{field: {byte(r)}}})
					}); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, sub := range subs {
		got := mustSubject(t, a, sub.ID)
		if want := len(sub.Sealed) + 2*rounds; len(got.Sealed) != want {
			t.Fatalf("subject %s has %d sealed values, want %d: a concurrent update was lost", sub.ID, len(got.Sealed), want)
		}
	}
}

func mustSubject(tb testing.TB, s jaga.Store, id jaga.SubjectID) *jaga.SealedSubject {
	tb.Helper()
	var out *jaga.SealedSubject
	storetest.MustView(tb, s, func(tx jaga.Tx) (err error) {
		out, err = tx.Subject(ctx, id)
		return err
	})
	return out
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	a, b := MustOpenURL(t, url), MustOpenURL(t, url)
	storetest.CheckTryLock(t, a, b)
}
