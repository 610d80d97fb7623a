package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/storetest"
)

// BenchmarkInsertSubjects inserts b.N subjects in batches of 2,000:
//
//	go test -run xxx -bench 'InsertSubjects$' -benchtime 200000x ./sqlstore/sqlite/
func BenchmarkInsertSubjects(b *testing.B) {
	storetest.BenchInsertSubjects(b, MustOpen(b), 2000)
}

// BenchmarkInsertSubjects1M inserts 1,000,000 subjects in batches of 2,000 into a new
// file, whatever b.N, reporting the rate of each 100,000 and overall, and how long a
// Compact that must VACUUM (after one erasure) takes at that size:
//
//	go test -run xxx -bench InsertSubjects1M -benchtime 1x -timeout 30m ./sqlstore/sqlite/
func BenchmarkInsertSubjects1M(b *testing.B) {
	const total, batch, every = 1_000_000, 2000, 100_000
	db := MustOpen(b)
	rate := storetest.InsertRate(b, db, total, batch, every, func(done int, rate float64) {
		b.Logf("%7d subjects: %6.0f subjects/s over the last %d", done, rate, every)
	})
	b.ReportMetric(rate, "subjects/s")
	if fi, err := os.Stat(db.Path()); err == nil {
		b.ReportMetric(float64(fi.Size())/total, "file-bytes/subject")
	}

	var first []jaga.DEKRecord
	storetest.MustView(b, db, func(tx jaga.Tx) (err error) {
		first, err = tx.WrappedDEKs(ctx, "", 1)
		return err
	})
	storetest.MustUpdate(b, db, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, first[0].Subject, time.Now()) })
	t := time.Now()
	if err := db.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(t).Seconds(), "compact-vacuum-s")
}

// BenchmarkReads measures the read paths on 100,000 subjects:
//
//	go test -run xxx -bench Reads ./sqlstore/sqlite/
func BenchmarkReads(b *testing.B) {
	storetest.BenchReads(b, MustOpenPath(b, filepath.Join(b.TempDir(), "jaga.db")), 100_000)
}
