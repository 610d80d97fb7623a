package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/importer"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
	"jaga/synth"
)

// BenchmarkImportSyntheticPostgres is BenchmarkImportSynthetic on PostgreSQL (the
// cluster of JAGA_TEST_POSTGRES_URL; scripts/bench postgres starts one) with one node
// and with two: each node is a gate with its own pool sharing the database and keys/,
// and with two nodes each imports half of -import.n subjects from its own file (another
// source system, so that the halves are distinct customers) at the same time. It
// reports subjects/s over both.
//
//	./scripts/pg run go test -run xxx -bench ImportSyntheticPostgres -benchtime 1x ./importer/ -args -import.n=100000
func BenchmarkImportSyntheticPostgres(b *testing.B) {
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			per := *benchN / nodes
			path := filepath.Join(b.TempDir(), "synthetic.csv")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			if err := synth.Write(w, per, 1); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			f.Close()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				url := pgtest.NewDatabase(b)
				dir := b.TempDir()
				gates := make([]*gate.Gate, nodes)
				var st *postgres.DB
				for n := range gates {
					keys, err := seal.Open(filepath.Join(dir, "keys"))
					if err != nil {
						b.Fatal(err)
					}
					st, err = postgres.Open(context.Background(), url, postgres.Options{})
					if err != nil {
						b.Fatal(err)
					}
					g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default()})
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { g.Close(); st.Close(); keys.Close() })
					gates[n] = g
				}
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				errs := make([]error, nodes)
				for n, g := range gates {
					wg.Go(func() {
						rep, err := importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_, Source: fmt.Sprintf("node%d", n)})
						if err == nil && (rep.Created != per || rep.Quarantined+rep.Rejected != 0) {
							err = fmt.Errorf("node %d created %d, quarantined or rejected %d", n, rep.Created, rep.Quarantined+rep.Rejected)
						}
						errs[n] = err
					})
				}
				wg.Wait()
				el := time.Since(start)
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(per*nodes)/el.Seconds(), "subjects/s")
				b.StopTimer()
				var count int
				st.View(context.Background(), func(tx jaga.Tx) error { count, err = tx.CountSubjects(context.Background()); return err })
				if count != per*nodes {
					b.Fatalf("%d subjects stored, want %d", count, per*nodes)
				}
				b.StartTimer()
			}
		})
	}
}
