package importer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga/importer"
)

// TestImportStoppedCounts: an import stopped half-way (its context cancelled once 1,000
// rows were read) reports the file's rows read but not processed and the last line it
// read, so that the counts add up; a run that ends reports neither.
func TestImportStoppedCounts(t *testing.T) {
	g, _ := MustGate(t)
	var b strings.Builder
	b.WriteString("source_id,full_name,email\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "S%d,Pelanggan Setia,p%d@example.com\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err := importer.ImportFile(ctx, g, path, importer.Options{Actor: importer_, BatchSize: 400,
		Progress: func(done, total int64) {
			if done < total {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) || rep == nil {
		t.Fatalf("error %v, want context.Canceled and a report", err)
	}
	f := rep.Files[0]
	if f.RowsRead != 1000 || f.StoppedAfterLine != 1001 ||
		f.Created+f.Merged+f.Unchanged+f.Quarantined+f.Rejected+f.NotProcessed != f.RowsRead {
		t.Errorf("rows read %d, created %d, not processed %d, stopped after line %d", f.RowsRead, f.Created, f.NotProcessed, f.StoppedAfterLine)
	}
	rep, err = importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_, BatchSize: 400})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Files[0]; f.NotProcessed != 0 || f.StoppedAfterLine != 0 || f.Created+f.Unchanged != 3000 {
		t.Errorf("second run: created %d, unchanged %d, not processed %d, stopped after line %d", f.Created, f.Unchanged, f.NotProcessed, f.StoppedAfterLine)
	}
}
