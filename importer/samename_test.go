package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/importer"
)

// TestNewFileUnderOldName: rows without a source ID are known by their content, not
// by file name and line. Next week's export under last week's name is imported in full,
// while running the same file again imports nothing twice.
func TestNewFileUnderOldName(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	dir := t.TempDir()
	write := func(sub, body string) string {
		p := filepath.Join(dir, sub, "export.csv")
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("full_name,email\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(p string) *importer.Report {
		r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	week1 := write("week1", "Joni Prasetyo,joni@example.com\n")
	if r := run(week1); r.Created != 1 {
		t.Fatalf("week 1: %+v", r)
	}
	if r := run(week1); r.Created != 0 || r.Unchanged != 1 {
		t.Fatalf("week 1 again: created %d, unchanged %d", r.Created, r.Unchanged)
	}
	week2 := write("week2", "Kiki Amalia,kiki@example.com\n")
	if r := run(week2); r.Created != 1 || r.Unchanged != 0 {
		t.Fatalf("week 2 under the same name: created %d, unchanged %d", r.Created, r.Unchanged)
	}
	if err := st.View(ctx, func(tx jaga.Tx) error {
		n, err := tx.CountSubjects(ctx)
		if err == nil && n != 2 {
			t.Errorf("%d subjects, want 2", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
