package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"jaga"
	"jaga/gate"
	"jaga/importer"
	"jaga/pii"
)

// jsonlBody is two web-form sign-ups, a name with a diacritic and a ’ among them.
const jsonlBody = `{"submitted_at":"2024-06-03T22:50:23Z","fields":{"full_name":"Désy Nur’aini","email":"desy@example.com","phone":"081234567890"},"consents":{"service_improvement":true,"cross_selling":false},"notice_version":"notice-id-v2","gpc":false}` + "\r\n" +
	`{"submitted_at":"2024-06-04T08:00:00Z","fields":{"full_name":"Budi Santoso","email":"budi@example.com","phone":"081298765432"},"consents":{"service_improvement":false,"cross_selling":false},"notice_version":"notice-id-v2","gpc":false}` + "\r\n"

// TestJSONLEncodings: JSON Lines in UTF-8 with a byte-order mark and in UTF-16 (LE and
// BE with a byte-order mark, LE without one, named .jsonl or found by its first bytes)
// import like the UTF-8 file: same rows, decoded names; the report says the encoding.
func TestJSONLEncodings(t *testing.T) {
	utf16 := func(e unicode.Endianness, b unicode.BOMPolicy) string {
		s, err := unicode.UTF16(e, b).NewEncoder().String(jsonlBody)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct{ name, file, body, enc string }{
		{"UTF-8", "signups.jsonl", jsonlBody, "UTF-8"},
		{"UTF-8 with BOM", "signups.jsonl", "\xef\xbb\xbf" + jsonlBody, "UTF-8 with BOM"},
		{"UTF-16LE with BOM", "signups.jsonl", utf16(unicode.LittleEndian, unicode.UseBOM), "UTF-16LE with BOM"},
		{"UTF-16LE with BOM, no extension", "signups", utf16(unicode.LittleEndian, unicode.UseBOM), "UTF-16LE with BOM"},
		{"UTF-16BE with BOM", "signups.ndjson", utf16(unicode.BigEndian, unicode.UseBOM), "UTF-16BE with BOM"},
		{"UTF-16LE without BOM", "signups.jsonl", utf16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE (no BOM)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			g, st := MustGate(t)
			r := importCSV(t, g, filepath.Join(t.TempDir(), c.file), c.body)
			if r.RowsRead != 2 || r.Created != 2 || r.Quarantined+r.Rejected+r.Merged != 0 {
				t.Fatalf("rows %d, created %d, merged %d, quarantined %d, rejected %d", r.RowsRead, r.Created, r.Merged, r.Quarantined, r.Rejected)
			}
			if d, want := r.Files[0].Detected, "JSON Lines, "+c.enc+", shape web_form_events"; d != want {
				t.Errorf("detected %q, want %q", d, want)
			}
			dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
			names := []string{"Désy Nur’aini", "Budi Santoso"}
			for i, l := range r.Lines {
				rec, err := g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "test"}, Subject: l.Subject,
					Fields: []string{"full_name", "email"}})
				if err != nil {
					t.Fatalf("line %d: %v", l.Line, err)
				}
				if l.Line != i+1 || rec.Values["full_name"] != names[i] {
					t.Errorf("line %d: name %q, want line %d %q", l.Line, rec.Values["full_name"], i+1, names[i])
				}
			}
			if n := countSubjects(t, st); n != 2 {
				t.Errorf("%d subjects, want 2", n)
			}
		})
	}
}

// TestJSONLUnreadableEncoding: JSON Lines in UTF-32 (either byte order) and a binary
// file named .jsonl are refused whole, with an error that names the file and the
// reason and quotes nothing of it; nothing is imported.
func TestJSONLUnreadableEncoding(t *testing.T) {
	utf32le := "\xff\xfe\x00\x00{\x00\x00\x00\"\x00\x00\x00"
	for _, c := range []struct{ file, body, reason string }{
		{"le.jsonl", utf32le, "le.jsonl: JSON Lines in UTF-32LE (byte-order mark at offset 0) cannot be read"},
		{"be.jsonl", "\x00\x00\xfe\xff\x00\x00\x00{", "be.jsonl: JSON Lines in UTF-32BE"},
		{"blob.jsonl", "{\"a\x00\x13\xfe\x00\x00\x07\x01\x00\xd8\x00\x00\x10\x00\x00\x9c", "blob.jsonl: JSON Lines: not a text file"},
	} {
		t.Run(c.file, func(t *testing.T) {
			ctx := context.Background()
			g, st := MustGate(t)
			p := filepath.Join(t.TempDir(), c.file)
			if err := os.WriteFile(p, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
			if err == nil {
				t.Fatalf("imported: %+v", r)
			}
			if !strings.HasPrefix(err.Error(), c.reason) {
				t.Errorf("error %q, want it to start %q", err, c.reason)
			}
			if strings.HasPrefix(c.file, "blob") != errors.Is(err, pii.ErrNotText) {
				t.Errorf("error %q: ErrNotText wrong", err)
			}
			if n := countSubjects(t, st); n != 0 {
				t.Errorf("%d subjects, want none", n)
			}
		})
	}
}

// countSubjects returns how many subjects st holds.
func countSubjects(t *testing.T, st jaga.Store) int {
	t.Helper()
	var n int
	if err := st.View(context.Background(), func(tx jaga.Tx) error {
		var err error
		n, err = tx.CountSubjects(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
