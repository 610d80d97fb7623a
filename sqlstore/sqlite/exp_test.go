package sqlite_test

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
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
	cache, _ := strconv.Atoi(os.Getenv("CACHE"))
	db, err := sqlite.Open(ctx, filepath.Join(dir, "jaga.db"), sqlite.Options{PageSize: ps, WriterCacheKiB: cache})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := storetest.NewGen(1)
	noIdx, noKey := os.Getenv("NOIDX") != "", os.Getenv("NOKEY") != ""
	var spent, stretch time.Duration
	batch := 2000
	if v := os.Getenv("BATCH"); v != "" {
		batch, _ = strconv.Atoi(v)
	}
	for done := 0; done < total; {
		subs := g.Subjects(batch)
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
		done += batch
		if done%(total/5) == 0 {
			fi, _ := os.Stat(db.Path() + "-wal")
			t.Logf("%7d: %6.0f/s wal %d MB", done, float64(total/5)/stretch.Seconds(), fi.Size()>>20)
			stretch = 0
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	t.Logf("overall %.0f/s; process CPU %.0f µs/subject (incl. data generation)", float64(total)/spent.Seconds(), float64(cpu.Microseconds())/float64(total))
}
