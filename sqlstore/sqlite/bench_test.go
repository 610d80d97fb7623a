package sqlite_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/sqlite"
	"jaga/sqlstore/storetest"
)

var (
	batchFlag    = flag.Int("batch", 2000, "subjects per Update in the insert benchmarks")
	pageSizeFlag = flag.Int("pagesize", 0, "page size of the benchmark databases (default: Open's)")
)

// benchOpen opens a new database for a benchmark, with the page size of -pagesize.
func benchOpen(b *testing.B) *sqlite.DB {
	b.Helper()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "data", "jaga.db"), sqlite.Options{PageSize: *pageSizeFlag})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkInsertSubjects inserts b.N subjects in Updates of 2,000 (-batch) into a new
// database:
//
//	go test -run xxx -bench 'InsertSubjects$' -benchtime 200000x ./sqlstore/sqlite/
func BenchmarkInsertSubjects(b *testing.B) {
	storetest.BenchInsertSubjects(b, benchOpen(b), *batchFlag)
}

// BenchmarkInsertSubjects1M inserts 1,000,000 subjects in Updates of 2,000 (-batch)
// into a new database, whatever b.N, logging the rate of each 100,000; it reports the
// overall rate, process CPU per subject, file size per subject, and how long a Compact
// that has to VACUUM (after one erasure) takes at that size:
//
//	go test -run xxx -bench InsertSubjects1M -benchtime 1x -timeout 60m ./sqlstore/sqlite/ [-args -batch 20000 -pagesize 8192]
func BenchmarkInsertSubjects1M(b *testing.B) {
	const total, every = 1_000_000, 100_000
	db := benchOpen(b)
	r := storetest.InsertRate(b, db, total, *batchFlag, every, func(done int, rate float64) {
		b.Logf("%7d subjects: %6.0f subjects/s over the last %d", done, rate, every)
	})
	b.ReportMetric(r.PerSecond, "subjects/s")
	b.ReportMetric(r.CPUPerItem, "cpu-µs/subject")
	if err := db.Compact(ctx); err != nil { // empty the WAL so the file holds everything
		b.Fatal(err)
	}
	if fi, err := os.Stat(db.Path()); err == nil {
		b.ReportMetric(float64(fi.Size())/total, "file-bytes/subject")
	}

	var first []jaga.WrappedKeyRecord
	storetest.MustView(b, db, func(tx jaga.Tx) (err error) {
		first, err = tx.WrappedKeys(ctx, jaga.WrappedSubjectDEK, "", 1)
		return err
	})
	storetest.MustUpdate(b, db, func(tx jaga.Tx) error { return tx.EraseSubject(ctx, jaga.SubjectID(first[0].ID), time.Now()) })
	t := time.Now()
	if err := db.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(t).Seconds(), "compact-vacuum-s")
}

// BenchmarkInsertPurchases stores b.N purchase lines in Updates of 2,000, then again
// (all skipped by source key):
//
//	go test -run xxx -bench InsertPurchases -benchtime 200000x ./sqlstore/sqlite/
func BenchmarkInsertPurchases(b *testing.B) {
	storetest.BenchInsertPurchases(b, benchOpen(b), 2000)
}

// BenchmarkAppendAudit appends b.N one-subject audit events in Updates of 100:
//
//	go test -run xxx -bench AppendAudit -benchtime 100000x ./sqlstore/sqlite/
func BenchmarkAppendAudit(b *testing.B) {
	storetest.BenchAppendAudit(b, benchOpen(b), 100)
}

// BenchmarkReads measures Subject, FindByIndex and CurrentConsent on 100,000 subjects,
// inside one View and each in its own View:
//
//	go test -run xxx -bench Reads ./sqlstore/sqlite/
func BenchmarkReads(b *testing.B) {
	storetest.BenchReads(b, benchOpen(b), 100_000)
}
