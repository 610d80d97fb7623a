package importer_test

import (
	"bufio"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/importer"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
	"jaga/synth"
)

var (
	benchN     = flag.Int("import.n", 1_000_000, "subjects in BenchmarkImportSynthetic")
	benchBatch = flag.Int("import.batch", 0, "rows per transaction in the import benchmarks (0: the importer's default)")
)

// MustGate opens a real vault (key files and a SQLite file) in a temporary directory.
func MustGate(tb testing.TB) (*gate.Gate, *sqlite.DB) {
	tb.Helper()
	dir := tb.TempDir()
	keys, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "jaga.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { g.Close(); st.Close(); keys.Close() })
	return g, st
}

var importer_ = &jaga.Actor{ID: "act_bench", Name: "bench", Kind: jaga.ActorSystem, Role: jaga.RoleService}

// writeSynthetic writes -import.n rows of generator gen to a file name in a temporary
// directory and returns its path.
func writeSynthetic(b *testing.B, name string, gen func(io.Writer, int, uint64) error) string {
	path := filepath.Join(b.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gen(w, *benchN, 1); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkImportSynthetic imports -import.n synthetic subjects (all nine fields, the
// marketing attributes, two consents each) end to end from a CSV file: parse, map,
// normalise, seal 9 fields and the attributes under a new DEK, 3 blind indexes, insert,
// audit. Run it once: go test -run xxx -bench ImportSynthetic -benchtime 1x ./importer/
func BenchmarkImportSynthetic(b *testing.B) {
	path := writeSynthetic(b, "synthetic.csv", synth.Write)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g, st := MustGate(b)
		b.StartTimer()
		mem := trackMemory(b)
		start := time.Now()
		rep, err := importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_, BatchSize: *benchBatch})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		mem()
		if rep.Created != *benchN || rep.Quarantined+rep.Rejected != 0 {
			b.Fatalf("created %d, quarantined %d, rejected %d", rep.Created, rep.Quarantined, rep.Rejected)
		}
		b.ReportMetric(float64(rep.Created)/el.Seconds(), "subjects/s")
		b.StopTimer()
		var n int
		st.View(context.Background(), func(tx jaga.Tx) error { n, err = tx.CountSubjects(context.Background()); return err })
		if n != *benchN {
			b.Fatalf("%d subjects stored", n)
		}
		b.StartTimer()
	}
}

// BenchmarkImportDuplicates imports -import.n rows in the shape of customers_id.csv of
// which half are other records of earlier people written differently
// (synth.WriteWithDuplicates): parse, map, normalise, resolve identities by blind index
// (merging the duplicates), seal, store, audit. Rows per second counts every row. Run
// it once: go test -run xxx -bench ImportDuplicates -benchtime 1x ./importer/
func BenchmarkImportDuplicates(b *testing.B) {
	path := writeSynthetic(b, "duplicates.csv", synth.WriteWithDuplicates)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g, _ := MustGate(b)
		b.StartTimer()
		mem := trackMemory(b)
		start := time.Now()
		rep, err := importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_, BatchSize: *benchBatch})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		mem()
		if rep.RowsRead != *benchN || rep.Created+rep.Merged != *benchN || rep.Merged < *benchN/2-*benchN/100 {
			b.Fatalf("read %d, created %d, merged %d, quarantined %d %v, rejected %d %v", rep.RowsRead, rep.Created, rep.Merged,
				rep.Quarantined, rep.QuarantinedBy, rep.Rejected, rep.RejectedBy)
		}
		b.ReportMetric(float64(rep.RowsRead)/el.Seconds(), "rows/s")
		b.ReportMetric(float64(rep.Merged), "merged")
	}
}
