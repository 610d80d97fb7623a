package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

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

// TestUnclosedQuote: a quote that is never closed swallows the rest of the file; every
// line it took is reported rejected with the reason, so the report still accounts for
// every line, and the rows before it are imported.
func TestUnclosedQuote(t *testing.T) {
	ctx := context.Background()
	g, _ := MustGate(t)
	p := filepath.Join(t.TempDir(), "q.csv")
	body := "full_name,email\nAni Lestari,ani@example.com\nBudi Santoso,budi@example.com\n\"Gita unclosed,gita@example.com\nHadi,hadi@example.com\nIvan,ivan@example.com\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_, AllLines: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.RowsRead != 5 || r.Created != 2 || r.Rejected != 3 {
		t.Fatalf("rows %d, created %d, rejected %d; want 5, 2, 3", r.RowsRead, r.Created, r.Rejected)
	}
	lines := map[int]bool{}
	for _, l := range r.Lines {
		if l.Status == "rejected" {
			lines[l.Line] = true
		}
	}
	for _, want := range []int{4, 5, 6} {
		if !lines[want] {
			t.Errorf("line %d not reported rejected: %+v", want, r.Lines)
		}
	}
}

// TestCellTooLong: a cell over MaxCellBytes rejects its row, naming the column, and
// the next rows import.
func TestCellTooLong(t *testing.T) {
	ctx := context.Background()
	g, _ := MustGate(t)
	p := filepath.Join(t.TempDir(), "long.csv")
	body := "full_name,email\nAni Lestari," + strings.Repeat("a", importer.MaxCellBytes+1) + "@example.com\nBudi Santoso,budi@example.com\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_, AllLines: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.RowsRead != 2 || r.Created != 1 || r.RejectedBy["cell_too_long"] != 1 {
		t.Fatalf("rows %d, created %d, rejected %v", r.RowsRead, r.Created, r.RejectedBy)
	}
}

// TestPersonalFileNameNotAudited: a file named after a person's e-mail does not put
// that address into the audit log.
func TestPersonalFileNameNotAudited(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "rina.wati@example.com.csv")
	// A row that merges, one that is quarantined and an identity conflict: the file
	// name goes into merge records, quarantine rows and review flags too.
	body := "full_name,email,nik\nRina Wati,rina.wati@example.com,3273015501900019\n" +
		"Rina Wati,rina.wati@example.com,\nTanpa Kontak,,\nDewi Lestari,rina.wati@example.com,3273055712859902\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.Merged != 1 || r.Quarantined != 1 || r.ReviewBy["identity_conflict"] == 0 {
		t.Fatalf("merged %d, quarantined %d, review %v", r.Merged, r.Quarantined, r.ReviewBy)
	}
	var export strings.Builder
	if _, err := g.AuditLogOf().Export(ctx, st, &export); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(export.String(), "rina.wati") {
		t.Fatal("the file name (an e-mail address) is in the audit log")
	}
	// Nor in the database, whose merge, quarantine and review-flag rows name the file.
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(st.Path()), "*"))
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "rina.wati@example.com.csv") {
			t.Errorf("%s holds the file name", filepath.Base(f))
		}
	}
}

// TestUTF16File: Excel's "Unicode text" export (UTF-16LE with a byte-order mark, tab
// separated) is detected, decoded and imported; the report names the encoding.
func TestUTF16File(t *testing.T) {
	g, _ := MustGate(t)
	body, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(
		"full_name\temail\tphone\r\nJosé Pérez\tjose@example.com\t081234567890\r\n")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "unicode.txt.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(context.Background(), g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.Created != 1 || r.Quarantined+r.Rejected != 0 {
		t.Fatalf("created %d, quarantined %d, rejected %d", r.Created, r.Quarantined, r.Rejected)
	}
	if d := r.Files[0].Detected; !strings.Contains(d, "UTF-16LE with BOM") || !strings.Contains(d, "delimiter tab") {
		t.Errorf("detected %q", d)
	}
}
