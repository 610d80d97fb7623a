package importer_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga/importer"
	"jaga/pii"
)

// TestOneColumnHeader: a CSV file whose delimiter is none the sniffer reads ('#') is
// refused saying that no delimiter was detected, which were tried, that the header is
// one column and which character may be the delimiter — never the header's text (in a
// file without a header row it is a customer's data).
func TestOneColumnHeader(t *testing.T) {
	g, _ := MustGate(t)
	dir := t.TempDir()
	for _, tc := range []struct{ body, hint string }{
		{"source_id#full_name#email\nS1#Ani Lestari#ani@example.com\n", `it holds "#" 2 times`},
		{"Ani Lestari#ani@example.com#0812345678\n", `it holds "#" 2 times`},
		{"Ani Lestari ani at example dot com\n", "save the file with commas, semicolons, tabs or pipes between its columns"},
	} {
		path := filepath.Join(dir, "hash.csv")
		if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_})
		if err == nil {
			t.Fatalf("%q imported", tc.body)
		}
		msg := err.Error()
		for _, want := range []string{"hash.csv:1: no delimiter detected", "none of comma, semicolon, tab or pipe", "one column", tc.hint} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q lacks %q", msg, want)
			}
		}
		if strings.Contains(msg, "Ani") || strings.Contains(msg, "source_id") {
			t.Errorf("error %q echoes the header", msg)
		}
	}
}

// TestXLSXNamedText: a file named .xlsx that is text is read by its content (CSV,
// here) and the detected string says so and how to name it; an OLE compound file (a
// password-protected workbook, an old .xls) and a file that is neither a ZIP archive
// nor text are refused saying what they are.
func TestXLSXNamedText(t *testing.T) {
	g, _ := MustGate(t)
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	r, err := importer.ImportFile(context.Background(), g, write("pelanggan.xlsx", []byte("source_id;full_name;email\nS1;Ani Lestari;ani@example.com\n")),
		importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Files[0].Detected; r.Created != 1 || !strings.HasPrefix(d, "CSV, UTF-8, delimiter semicolon") ||
		!strings.Contains(d, "read by its content: the name says XLSX but the file is not a workbook") || !strings.HasSuffix(d, "rename it .csv") {
		t.Errorf("created %d, detected %q", r.Created, d)
	}
	_, err = importer.ImportFile(context.Background(), g, write("locked.xlsx", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x3e\x00")), importer.Options{Actor: importer_})
	if err == nil || !strings.Contains(err.Error(), "locked.xlsx: not an XLSX workbook: it is an OLE compound file") {
		t.Errorf("OLE file: %v", err)
	}
	random := make([]byte, 4096)
	_, _ = rand.NewChaCha8([32]byte{'x'}).Read(random)
	random[100] = 0
	_, err = importer.ImportFile(context.Background(), g, write("random.xlsx", random), importer.Options{Actor: importer_})
	if !errors.Is(err, pii.ErrNotText) || !strings.Contains(err.Error(), "random.xlsx: not an XLSX workbook (it does not start as a ZIP archive") {
		t.Errorf("random bytes: %v", err)
	}
}
