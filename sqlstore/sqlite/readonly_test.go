package sqlite_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/internal/readonly"
	"jaga/sqlstore"
	"jaga/sqlstore/sqlite"
	"jaga/sqlstore/storetest"
)

// TestReadOnlyFile: a database file Jaga may not write is refused at Open with the
// step and the operating system's cause, and a write that fails mid-run because the
// file became read-only names the step and SQLite's cause, instead of a bare
// "database error" an operator cannot tell from a bug.
func TestReadOnlyFile(t *testing.T) {
	t.Run("AtOpen", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "data", "jaga.db")
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		readonly.Make(t, path)
		db, err = sqlite.Open(ctx, path, sqlite.Options{})
		if err == nil {
			db.Close()
			t.Fatal("a read-only database file opened")
		}
		var se *sqlstore.StepError
		if !errors.As(err, &se) || se.Step != "open database file for reading and writing" || !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("err %q (step error %v), want the step and the permission error", err, se)
		}
		if jaga.ErrorCode(err) != jaga.EINTERNAL || !strings.Contains(se.Error(), path) {
			t.Errorf("code %s, step error %q", jaga.ErrorCode(err), se)
		}
	})
	t.Run("MidRun", func(t *testing.T) {
		if !readonly.Immediate() {
			t.Skip("a file made read-only while open stays writable through its open descriptors for a non-root user")
		}
		path := filepath.Join(t.TempDir(), "data", "jaga.db")
		db := MustOpenPath(t, path)
		g := storetest.NewGen(7)
		storetest.MustInsertSubjects(t, db, g.Subject())
		readonly.Make(t, path, path+"-wal")
		s := g.Subject()
		err := db.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{s}) })
		var se *sqlstore.StepError
		if err == nil || !errors.As(err, &se) || se.Step == "" || se.Err == nil {
			t.Fatalf("err %v, want a step error", err)
		}
		t.Logf("mid-run error: %v", err)
		if !strings.Contains(se.Error(), "disk I/O error") && !strings.Contains(se.Error(), "readonly") {
			t.Errorf("step error %q does not say the file could not be written", se)
		}
	})
}
