package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"

	"jaga"
	"jaga/gate"
	"jaga/importer"
	"jaga/pii"
)

// TestUTF16FileWithoutBOM: a UTF-16 export without a byte-order mark (some Windows
// tools write Excel's "Unicode text" so), in either byte order, is detected, decoded
// and imported; the report says what was detected, and the subjects hold the decoded
// names, diacritic and ’ included.
func TestUTF16FileWithoutBOM(t *testing.T) {
	const body = "Nama Lengkap;Alamat Email;No. HP/WA\r\n" +
		"Désy Nur’aini;desy@example.com;081234567890\r\n" +
		"Budi Santoso;budi@example.com;081298765432\r\n"
	for _, c := range []struct {
		order unicode.Endianness
		name  string
	}{{unicode.LittleEndian, "UTF-16LE"}, {unicode.BigEndian, "UTF-16BE"}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			g, st := MustGate(t)
			b, err := unicode.UTF16(c.order, unicode.IgnoreBOM).NewEncoder().String(body)
			if err != nil {
				t.Fatal(err)
			}
			r := importCSV(t, g, filepath.Join(t.TempDir(), "daftar.csv"), b)
			if r.Created != 2 || r.Quarantined+r.Rejected+r.Merged != 0 {
				t.Fatalf("created %d, merged %d, quarantined %d, rejected %d", r.Created, r.Merged, r.Quarantined, r.Rejected)
			}
			if d, want := r.Files[0].Detected, "CSV, "+c.name+" (no BOM), delimiter semicolon, CRLF line ends"; d != want {
				t.Errorf("detected %q, want %q", d, want)
			}
			if cols := r.Files[0].Columns; cols["Nama Lengkap"] != "field:full_name" || cols["Alamat Email"] != "field:email" || cols["No. HP/WA"] != "field:phone" {
				t.Errorf("columns %v", cols)
			}
			dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
			want := []map[string]string{
				{"full_name": "Désy Nur’aini", "email": "desy@example.com", "phone": "+6281234567890"},
				{"full_name": "Budi Santoso", "email": "budi@example.com", "phone": "+6281298765432"},
			}
			if len(r.Lines) != len(want) {
				t.Fatalf("%d lines in the report, want %d", len(r.Lines), len(want))
			}
			for i, l := range r.Lines {
				rec, err := g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "test"}, Subject: l.Subject,
					Fields: []string{"full_name", "email", "phone"}})
				if err != nil {
					t.Fatalf("line %d: %v", l.Line, err)
				}
				for f, v := range want[i] {
					if rec.Values[f] != v {
						t.Errorf("line %d %s: %q, want %q", l.Line, f, rec.Values[f], v)
					}
				}
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
		})
	}
}

// TestNotTextCSV: a file named .csv that is not text in a known encoding — an XLSX
// workbook renamed, random bytes with NULs, UTF-8 with a NUL byte — is refused as a
// whole with an error that names the file and says why, and nothing is imported.
func TestNotTextCSV(t *testing.T) {
	xl := excelize.NewFile()
	if err := xl.SetCellValue("Sheet1", "A1", "Nama"); err != nil {
		t.Fatal(err)
	}
	buf, err := xl.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"workbook.csv": buf.Bytes(),
		"blob.csv":     []byte("\x89\x00\x13\xfe\x00\x00\x07\x01\x00\xd8\x00\x00\x10\x00\x00\x9c"),
		"nul.csv":      []byte("full_name,email\nBudi\x00,budi@example.com\n"),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			g, st := MustGate(t)
			p := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(p, body, 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
			if err == nil {
				t.Fatalf("imported: %+v", r)
			}
			if !errors.Is(err, pii.ErrNotText) || !strings.HasPrefix(err.Error(), name+": not a text file") {
				t.Errorf("error %q does not name the file and say it is not text", err)
			}
			if zip := name == "workbook.csv"; zip != strings.Contains(err.Error(), "zip archive") {
				t.Errorf("error %q: zip hint wrong", err)
			}
			if strings.Contains(err.Error(), "Budi") {
				t.Errorf("error %q quotes the file", err)
			}
			if err := st.View(ctx, func(tx jaga.Tx) error {
				n, err := tx.CountSubjects(ctx)
				if err == nil && n != 0 {
					t.Errorf("%d subjects", n)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
