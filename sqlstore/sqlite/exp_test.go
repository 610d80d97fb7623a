package sqlite_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/sqlite"
	"jaga/sqlstore/storetest"
)

func TestExpRate(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	ps, _ := strconv.Atoi(os.Getenv("PS"))
	total, _ := strconv.Atoi(os.Getenv("N"))
	dir := t.TempDir()
	if d := os.Getenv("DIR"); d != "" {
		dir, _ = os.MkdirTemp(d, "exp")
		defer os.RemoveAll(dir)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "jaga.db"), sqlite.Options{PageSize: ps})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := storetest.NewGen(1)
	noIdx, noKey := os.Getenv("NOIDX") != "", os.Getenv("NOKEY") != ""
	var spent, stretch time.Duration
	for done := 0; done < total; {
		subs := g.Subjects(2000)
		for _, s := range subs {
			if noIdx {
				s.Indexes = nil
			}
			if noKey {
				s.ImportKey = nil
			}
		}
		t0 := time.Now()
		storetest.MustUpdate(t, db, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, subs) })
		d := time.Since(t0)
		spent += d
		stretch += d
		done += 2000
		if done%(total/5) == 0 {
			t.Logf("%7d: %6.0f/s", done, float64(total/5)/stretch.Seconds())
			stretch = 0
		}
	}
	t.Logf("overall %.0f/s", float64(total)/spent.Seconds())
}
