package importer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/importer"
	"jaga/synth"
)

// TestPipelinedBatchesResolveAsOne imports rows of which half are other records of
// earlier people, written differently, once in one batch and once in batches of 64
// (each resolved while the one before is written): both give the same counts, every
// duplicate merges, and the store holds one subject per person.
func TestPipelinedBatchesResolveAsOne(t *testing.T) {
	const n = 3000
	var buf bytes.Buffer
	if err := synth.WriteWithDuplicates(&buf, n, 7); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dups.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var counts [2][2]int
	for i, size := range []int{n, 64} {
		g, st := MustGate(t)
		rep, err := importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_, BatchSize: size})
		if err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := st.View(context.Background(), func(tx jaga.Tx) error {
			stored, err = tx.CountSubjects(context.Background())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if rep.RowsRead != n || rep.Created+rep.Merged != n || stored != rep.Created || rep.Created != n/2 {
			t.Errorf("batch size %d: read %d, created %d, merged %d, %d subjects stored; want %d created", size, rep.RowsRead, rep.Created, rep.Merged, stored, n/2)
		}
		counts[i] = [2]int{rep.Created, rep.Merged}
	}
	if counts[0] != counts[1] {
		t.Errorf("one batch: created, merged %v; batches of 64: %v", counts[0], counts[1])
	}
}
