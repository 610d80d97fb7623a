package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore"
	"jaga/sqlstore/sqlite"
	"jaga/sqlstore/storetest"
)

var ctx = context.Background()

// MustOpen opens a store on a new file in a temporary data directory and closes it when
// the test ends.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return MustOpenPath(tb, filepath.Join(tb.TempDir(), "data", "jaga.db"))
}

// MustOpenPath opens the store at path and closes it when the test ends.
func MustOpenPath(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	return storetest.MustOpen(tb, func() (*sqlite.DB, error) { return sqlite.Open(ctx, path, sqlite.Options{}) })
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) jaga.Store { return MustOpen(t) })
}

func TestOpen(t *testing.T) {
	t.Run("Modes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		db := MustOpenPath(t, filepath.Join(dir, "jaga.db"))
		storetest.MustInsertSubjects(t, db, storetest.NewGen(1).Subject())
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("data dir mode %v, want 0700", fi.Mode().Perm())
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) < 3 {
			t.Errorf("files %v, want jaga.db, -wal and -shm", entries)
		}
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
			}
		}
	})
	t.Run("ExistingFileMadePrivate", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jaga.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		MustOpenPath(t, path)
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	})
	t.Run("Pragmas", func(t *testing.T) {
		db := MustOpen(t)
		if got := db.Dialect(); got != "sqlite" {
			t.Fatalf("Dialect() = %q", got)
		}
		// Both pools: the writer through Update, a reader through View.
		for name, run := range map[string]func(context.Context, func(jaga.Tx) error) error{"writer": db.Update, "reader": db.View} {
			err := run(ctx, func(tx jaga.Tx) error {
				stx := tx.(interface{ SQL() *sqlTx }).SQL()
				// The writer commits at synchronous=NORMAL (1) and Update flushes the WAL
				// itself (syncWAL); readers keep FULL (2).
				sync := map[string]string{"writer": "1", "reader": "2"}[name]
				for pragma, want := range map[string]string{
					"journal_mode": "wal", "foreign_keys": "1", "secure_delete": "1", "synchronous": sync, "busy_timeout": "5000",
				} {
					var got string
					if err := stx.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
						return err
					}
					if got != want {
						t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
					}
				}
				if name == "reader" {
					var mmap int64
					if err := stx.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&mmap); err != nil {
						return err
					}
					if mmap <= 0 {
						t.Errorf("reader: PRAGMA mmap_size = %d, want the file mapped", mmap)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("PageSize", func(t *testing.T) {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jaga.db"), sqlite.Options{PageSize: 8192})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		storetest.MustView(t, db, func(tx jaga.Tx) error {
			var size int
			if err := tx.(interface{ SQL() *sqlTx }).SQL().QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
				return err
			}
			if size != 8192 {
				t.Fatalf("page_size = %d, want 8192", size)
			}
			return nil
		})
	})
	t.Run("Reopen", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jaga.db")
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sub := storetest.NewGen(2).Subject()
		storetest.MustInsertSubjects(t, db, sub)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = MustOpenPath(t, path)
		storetest.MustView(t, db, func(tx jaga.Tx) error {
			got, err := tx.Subject(ctx, sub.ID)
			if err != nil {
				return err
			}
			if !bytes.Equal(got.WrappedDEK, sub.WrappedDEK) {
				t.Fatal("wrapped DEK changed across reopen")
			}
			return nil
		})
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jaga.db")
		db := MustOpenPath(t, path)
		storetest.MustUpdate(t, db, func(tx jaga.Tx) error {
			_, err := tx.(interface{ SQL() *sqlTx }).SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_future', 0)`)
			return err
		})
		_, err := sqlite.Open(ctx, path, sqlite.Options{})
		if jaga.ErrorCode(err) != jaga.EINTERNAL {
			t.Fatalf("Open of a newer schema: %v", err)
		}
	})
	t.Run("ErrPath", func(t *testing.T) {
		for _, p := range []string{"", ":memory:"} {
			if _, err := sqlite.Open(ctx, p, sqlite.Options{}); jaga.ErrorCode(err) != jaga.EINVALID {
				t.Errorf("Open(%q) = %v, want EINVALID", p, err)
			}
		}
	})
}

// TestBusyRetry holds the write lock from another connection, as another process
// would, longer than the busy timeout: Update gets SQLITE_BUSY at BEGIN and retries
// with back-off until the lock is free, without an error reaching the caller.
func TestBusyRetry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jaga.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{BusyTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Released after 60ms: the retries (back-off from 20ms, doubling, four times,
	// at least 150ms in all) outlast it.
	go func() {
		time.Sleep(60 * time.Millisecond)
		_ = lock.Rollback()
	}()
	start := time.Now()
	storetest.MustInsertSubjects(t, db, storetest.NewGen(3).Subject())
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("Update returned after %v, before the lock was released", d)
	}

	t.Run("ErrBusyAfterRetries", func(t *testing.T) {
		lock, err := other.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Rollback()
		err = db.Update(ctx, func(tx jaga.Tx) error { return nil })
		if jaga.ErrorCode(err) != jaga.EINTERNAL || !errors.Is(err, sqlstore.ErrBusy) {
			t.Fatalf("Update under a held lock = %v, want EINTERNAL wrapping ErrBusy", err)
		}
	})
}
