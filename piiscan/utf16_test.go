package piiscan

import (
	"archive/zip"
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"jaga/pii"
)

// TestScanUTF16WithoutBOM: `jaga scan` reads a UTF-16 text or CSV file without a
// byte-order mark as the importer does (pii.SniffEncoding) and says so; a .csv file
// that is not text (a zip: an XLSX workbook renamed) is reported with an error that
// names it, and a binary .txt file is skipped, not scanned as garbage.
func TestScanUTF16WithoutBOM(t *testing.T) {
	dir := t.TempDir()
	enc := func(order unicode.Endianness, s string) string {
		b, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	if w, err := zw.Create("xl/workbook.xml"); err != nil {
		t.Fatal(err)
	} else if _, err := w.Write([]byte("<workbook/>")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "catatan.txt"), enc(unicode.LittleEndian, "Désy Nur’aini, NIK 3171011708450001\r\n"))
	mustWrite(t, filepath.Join(dir, "daftar.csv"), enc(unicode.BigEndian, "Nama;NIK\r\nDésy Nur’aini;3171011708450001\r\n"))
	mustWrite(t, filepath.Join(dir, "workbook.csv"), zbuf.String())
	mustWrite(t, filepath.Join(dir, "blob.txt"), "\x89\x00\x13\xfe\x00\x00\x07\x01\x00\xd8 3171011708450001")
	reps, err := ScanPaths(context.Background(), []string{dir}, Options{Scanner: pii.MustScanner(pii.Options{}), KeepHits: true})
	if err != nil {
		t.Fatal(err)
	}
	m := byName(reps)
	if r := m["catatan.txt"]; r.Format != "text" || r.Encoding != "UTF-16LE (no BOM)" || r.Counts["nik"] != 1 || r.Error != "" ||
		len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "read as UTF-16LE (no BOM)") {
		t.Errorf("catatan.txt: %+v", r)
	}
	if r := m["daftar.csv"]; r.Encoding != "UTF-16BE (no BOM)" || r.Counts["nik"] != 1 || len(r.Hits) != 1 || r.Hits[0].Column != "NIK" || r.Hits[0].Line != 2 {
		t.Errorf("daftar.csv: %+v", r)
	}
	if r := m["workbook.csv"]; !strings.HasPrefix(r.Error, r.Path+": not a text file") || !strings.Contains(r.Error, "zip archive") || len(r.Counts) != 0 {
		t.Errorf("workbook.csv: %+v", r)
	}
	if r := m["blob.txt"]; r.Format != "skipped" || len(r.Counts) != 0 {
		t.Errorf("blob.txt: %+v", r)
	}
	if f := Failed(reps); len(f) != 1 || filepath.Base(f[0].Path) != "workbook.csv" {
		t.Errorf("failed: %+v", f)
	}
}
