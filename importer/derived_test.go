package importer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"jaga/demodata"
	"jaga/importer"
)

// TestReimportWithoutDerivation: the demo imports the bundled customers with
// --derive-birth-date; importing the same file again without it is the same source rows,
// so every row is unchanged and no source_row_changed flag is raised (the derived
// birth date is not part of a row's version). A real change of a source row, imported
// without the option, is still merged and flagged.
func TestReimportWithoutDerivation(t *testing.T) {
	ctx := context.Background()
	g, _ := MustGate(t)
	// The bundled file's header and first 300 rows (the whole file takes a minute
	// under the race detector).
	lines := bytes.SplitAfterN(demodata.CustomersCSV, []byte("\n"), 302)
	src := bytes.Join(lines[:301], nil)
	rep, err := importer.Import(ctx, g, demodata.CustomersName, bytes.NewReader(src), 0, importer.Options{Actor: importer_, DeriveBirthDate: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsRead != 300 || rep.Created == 0 || rep.Quarantined+rep.Rejected != 0 {
		t.Fatalf("first import: %d rows, created %d, quarantined %d, rejected %d", rep.RowsRead, rep.Created, rep.Quarantined, rep.Rejected)
	}
	rep, err = importer.Import(ctx, g, demodata.CustomersName, bytes.NewReader(src), 0, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != rep.RowsRead || rep.Merged != 0 || rep.ReviewBy["source_row_changed"] != 0 {
		t.Fatalf("re-import without --derive-birth-date: %d rows, %d unchanged, %d merged, review %v", rep.RowsRead, rep.Unchanged, rep.Merged, rep.ReviewBy)
	}

	// The same file with one row's e-mail changed in the source: that row merges.
	body := bytes.Replace(src, []byte("v.rahmawati@example.com"), []byte("vicky.baru@example.com"), 1)
	if bytes.Equal(body, src) {
		t.Fatal("the bundled file no longer holds the row this test changes")
	}
	p := filepath.Join(t.TempDir(), demodata.CustomersName)
	if err := os.WriteFile(p, body, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Merged != 1 || rep.Unchanged != rep.RowsRead-1 || rep.ReviewBy["source_row_changed"] != 1 {
		t.Fatalf("one changed row: merged %d, unchanged %d of %d, review %v", rep.Merged, rep.Unchanged, rep.RowsRead, rep.ReviewBy)
	}
	if i := slices.IndexFunc(rep.Lines, func(l importer.LineReport) bool { return l.Line == 2 }); i < 0 || rep.Lines[i].Status != "merged" {
		t.Fatalf("line 2 not reported merged: %+v", rep.Lines)
	}
}
