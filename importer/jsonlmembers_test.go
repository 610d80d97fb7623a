package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/importer"
)

// TestJSONLDuplicateMember: a JSON line that names a member twice (as the API refuses
// with "member given twice") is rejected whole with duplicate_member and its line,
// naming the member but no value; it is never read as "last wins". Members that map to
// one column ("email" and "fields.email") are a duplicate too. The other lines import.
func TestJSONLDuplicateMember(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	body := `{"full_name":"Ani Json","email":"ani@contoh.co.id"}
{"full_name":"Lala Json","email":"lala@contoh.co.id","email":"lala2@contoh.co.id"}
{"full_name":"Mira Json","email":"mira@contoh.co.id","fields":{"email":"mira2@contoh.co.id"}}
{"full_name":"Nina Json","fields":{"phone":"081234567891","phone":"081234567892"}}
`
	p := filepath.Join(t.TempDir(), "evn.jsonl")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.RowsRead != 4 || r.Created != 1 || r.Rejected != 3 || r.RejectedBy["duplicate_member"] != 3 {
		t.Fatalf("read %d, created %d, rejected %d %v; want 4, 1, 3 duplicate_member", r.RowsRead, r.Created, r.Rejected, r.RejectedBy)
	}
	want := map[int]string{2: `"email"`, 3: `"email"`, 4: `"phone"`}
	for _, l := range r.Lines {
		w, ok := want[l.Line]
		if !ok {
			t.Errorf("unexpected line report %+v", l)
			continue
		}
		delete(want, l.Line)
		msg := l.Error()
		if l.Status != "rejected" || len(l.Reasons) != 1 || l.Reasons[0].Code != "duplicate_member" || !strings.Contains(msg, w) {
			t.Errorf("line %d: %s (%+v); want rejected duplicate_member naming %s", l.Line, msg, l.Reasons, w)
		}
		if strings.Contains(msg, "@") || strings.Contains(msg, "0812") {
			t.Errorf("line %d: the report carries a value: %s", l.Line, msg)
		}
	}
	if len(want) != 0 {
		t.Errorf("lines not reported: %v", want)
	}
	// Only Ani was stored: neither of Lala's e-mails, nor Mira or Nina.
	var n int
	if err := st.View(ctx, func(tx jaga.Tx) error { var err error; n, err = tx.CountSubjects(ctx); return err }); err != nil || n != 1 {
		t.Errorf("%d subjects stored (%v); want 1", n, err)
	}
}

// TestJSONLUnknownMember: a member no field fits, first appearing on line 4, refuses
// the file (as an unknown CSV header does) with JSON wording, the member's name and
// line 4 — not "line 1, column 4" nor the CSV header hint.
func TestJSONLUnknownMember(t *testing.T) {
	ctx := context.Background()
	g, _ := MustGate(t)
	body := `{"full_name":"Ani Json","email":"ani@contoh.co.id"}
{"full_name":"Budi Json","email":"budi@contoh.co.id"}
{"full_name":"Cici Json","email":"cici@contoh.co.id"}
{"full_name":"Dedi Json","email":"dedi@contoh.co.id","hobi_rahasia":"catur"}
`
	p := filepath.Join(t.TempDir(), "evn.jsonl")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err == nil {
		t.Fatal("a file with an unknown member was imported")
	}
	msg := err.Error()
	for _, w := range []string{`evn.jsonl:4: `, `member "hobi_rahasia" on line 4 names no field`, "mapping file"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	for _, bad := range []string{"column", "header", "first row", "catur"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error %q says %q", msg, bad)
		}
	}
	// Mapped to ignore, the file imports.
	mp := filepath.Join(t.TempDir(), "map.yaml")
	if err := os.WriteFile(mp, []byte("columns:\n  hobi_rahasia: ignore\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadMapping(mp)
	if err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_, Mapping: m})
	if err != nil || r.Created != 4 {
		t.Fatalf("with the mapping: %v, %+v", err, r)
	}
}
