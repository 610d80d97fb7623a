package sqlite_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/storetest"
)

// readDir returns the contents of every file under dir.
func readDir(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[filepath.Base(p)] = b
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// find returns the names of the files that contain needle.
func find(files map[string][]byte, needle []byte) []string {
	var names []string
	for name, b := range files {
		if bytes.Contains(b, needle) {
			names = append(names, name)
		}
	}
	return names
}

// eraseAll erases ids in Updates of 50.
func eraseAll(tb testing.TB, db jaga.Store, ids []jaga.SubjectID) {
	tb.Helper()
	for len(ids) > 0 {
		n := min(50, len(ids))
		storetest.MustUpdate(tb, db, func(tx jaga.Tx) error {
			for _, id := range ids[:n] {
				if err := tx.EraseSubject(ctx, id, time.Now()); err != nil {
					return err
				}
			}
			return nil
		})
		ids = ids[n:]
	}
}

// checkErased searches every file under dir for the bytes of each subject: the erased
// ones' wrapped DEKs, sealed values (8 bytes or more), blind indexes and purchases must
// be absent, and the live ones' wrapped DEKs present, so that a broken search fails.
func checkErased(t *testing.T, dir string, all []*jaga.SealedSubject, erased map[jaga.SubjectID]bool, purchases map[jaga.SubjectID][]byte) {
	t.Helper()
	files := readDir(t, dir)
	if n := len(files["jaga.db-wal"]); n != 0 {
		t.Errorf("WAL has %d bytes after Compact", n)
	}
	var dek, sealed, index, purchase, live int
	for _, s := range all {
		if !erased[s.ID] {
			if len(find(files, s.WrappedDEK)) == 0 {
				live++
			}
			continue
		}
		if where := find(files, s.WrappedDEK); len(where) > 0 {
			dek++
			t.Errorf("wrapped DEK of erased %s found in %v", s.ID, where)
		}
		for _, v := range s.Sealed {
			if len(v) >= 8 && len(find(files, v)) > 0 {
				sealed++
			}
		}
		for _, x := range s.Indexes {
			if len(find(files, x.Value)) > 0 {
				index++
			}
		}
		if p, ok := purchases[s.ID]; ok && len(find(files, p)) > 0 {
			purchase++
		}
	}
	if live > 0 {
		t.Fatalf("%d live subjects' wrapped DEKs not found: the search is broken", live)
	}
	if dek+sealed+index+purchase > 0 {
		t.Errorf("erased %d subjects; found %d wrapped DEKs, %d sealed values, %d blind indexes, %d purchases of them",
			len(erased), dek, sealed, index, purchase)
	}
}

// TestEraseBytes checks DESIGN.md invariant 4 at the level of bytes: after EraseSubject
// and Compact no file under the data directory (database, -wal, -shm) holds anything of
// an erased subject.
func TestEraseBytes(t *testing.T) {
	t.Run("Realistic", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		db := MustOpenPath(t, filepath.Join(dir, "jaga.db"))
		g := storetest.NewGen(7)
		subs := g.Subjects(400)
		storetest.MustInsertSubjects(t, db, subs...)
		purchases := map[jaga.SubjectID][]byte{}
		storetest.MustUpdate(t, db, func(tx jaga.Tx) error {
			var ps []*jaga.SealedPurchase
			for _, s := range subs[:100] {
				p := &jaga.SealedPurchase{Subject: s.ID, Sealed: g.Bytes(48), SourceKey: g.Bytes(32)}
				purchases[s.ID] = p.Sealed
				ps = append(ps, p)
			}
			_, err := tx.InsertPurchases(ctx, ps)
			return err
		})
		target := subs[42]
		eraseAll(t, db, []jaga.SubjectID{target.ID})
		if err := db.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		checkErased(t, dir, subs, map[jaga.SubjectID]bool{target.ID: true}, purchases)
	})

	// Churn makes SQLite move rows between pages: small rows (many to a page) that grow
	// by updates, and erasures that empty pages. With secure_delete alone (no VACUUM in
	// Compact), this seed leaves copies of a few erased subjects' wrapped DEKs in the
	// database file.
	t.Run("Churn", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		db := MustOpenPath(t, filepath.Join(dir, "jaga.db"))
		g := storetest.NewGen(9)
		rng := rand.New(rand.NewPCG(9, 9))
		var all []*jaga.SealedSubject
		for range 8 {
			subs := g.Subjects(500)
			for _, s := range subs {
				s.Sealed = map[string][]byte{"a": g.Bytes(20 + rng.IntN(200))}
			}
			storetest.MustInsertSubjects(t, db, subs...)
			all = append(all, subs...)
		}
		storetest.MustUpdate(t, db, func(tx jaga.Tx) error {
			for range 400 {
				s := all[rng.IntN(len(all))]
				v := g.Bytes(8 + rng.IntN(400))
				s.Sealed["b"] = v
				if err := tx.UpdateSubject(ctx, s.ID, jaga.SubjectPatch{Set: map[string][]byte{"b": v}}); err != nil {
					return err
				}
			}
			return nil
		})
		erased := map[jaga.SubjectID]bool{}
		var ids []jaga.SubjectID
		for _, i := range rng.Perm(len(all))[:len(all)*6/10] {
			erased[all[i].ID] = true
			ids = append(ids, all[i].ID)
		}
		// Erase in two rounds with a Compact between, so that the second Compact has
		// to find the new deletions too.
		eraseAll(t, db, ids[:len(ids)/2])
		if err := db.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		eraseAll(t, db, ids[len(ids)/2:])
		if err := db.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		checkErased(t, dir, all, erased, nil)
	})
}

// TestCompactWaitsForReader checks that Compact truncates the WAL although a reader
// holds an old snapshot when it starts: it retries until the reader is done.
func TestCompactWaitsForReader(t *testing.T) {
	db := MustOpen(t)
	g := storetest.NewGen(11)
	storetest.MustInsertSubjects(t, db, g.Subjects(10)...)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.View(ctx, func(tx jaga.Tx) error {
			if _, err := tx.CountSubjects(ctx); err != nil {
				return err
			}
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	storetest.MustInsertSubjects(t, db, g.Subjects(10)...) // WAL frames the reader does not see
	go func() {
		time.Sleep(300 * time.Millisecond)
		close(release)
	}()
	if err := db.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(db.Path() + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("WAL has %d bytes after Compact", fi.Size())
	}
}
