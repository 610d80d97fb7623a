package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"jaga/pii"
)

// sniffCSV is a small export with Bahasa headers, a name with a diacritic and a ’.
const sniffCSV = "Nama Lengkap;Alamat Email;No. HP/WA\r\nDésy Nur’aini;desy@example.com;081234567890\r\n"

// sniffCase is one input of the CSV sniffer: what it must detect, or the error.
type sniffCase struct {
	name     string
	in       []byte
	detected string // "" when newCSVSource must refuse the input as not text
}

// sniffCases are the CSV sniffer's table, also the fuzz target's seeds.
func sniffCases(tb testing.TB) []sniffCase {
	tb.Helper()
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	xl := excelize.NewFile()
	if err := xl.SetCellValue("Sheet1", "A1", "Nama Lengkap"); err != nil {
		tb.Fatal(err)
	}
	workbook, err := xl.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	random := make([]byte, 2048)
	_, _ = rand.NewChaCha8([32]byte{'c', 's', 'v'}).Read(random)
	const semi = ", delimiter semicolon, CRLF line ends"
	return []sniffCase{
		{"UTF-16LE no BOM", enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), sniffCSV), "CSV, UTF-16LE (no BOM)" + semi},
		{"UTF-16BE no BOM", enc(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), sniffCSV), "CSV, UTF-16BE (no BOM)" + semi},
		{"UTF-16LE with BOM", enc(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), sniffCSV), "CSV, UTF-16LE with BOM" + semi},
		{"UTF-16BE with BOM", enc(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), sniffCSV), "CSV, UTF-16BE with BOM" + semi},
		{"UTF-8", []byte(sniffCSV), "CSV, UTF-8" + semi},
		{"UTF-8 with BOM", []byte("\xef\xbb\xbf" + sniffCSV), "CSV, UTF-8 with BOM" + semi},
		{"Windows-1252", enc(charmap.Windows1252, sniffCSV), "CSV, Windows-1252" + semi},
		{"UTF-16LE no BOM tab", enc(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), strings.ReplaceAll(sniffCSV, ";", "\t")), "CSV, UTF-16LE (no BOM), delimiter tab, CRLF line ends"},
		{"XLSX renamed .csv", workbook.Bytes(), ""},
		{"random bytes", random, ""},
		{"UTF-8 with a NUL", []byte("Nama;Email\nD\x00sy;desy@example.com\n"), ""},
	}
}

// TestCSVSourceEncodings: the CSV sniffer detects each encoding, says so in the
// report's detected string and reads the header and the row alike; a file that is not
// text is refused with pii.ErrNotText.
func TestCSVSourceEncodings(t *testing.T) {
	wantHeader := []string{"Nama Lengkap", "Alamat Email", "No. HP/WA"}
	wantRow := []string{"Désy Nur’aini", "desy@example.com", "081234567890"}
	for _, c := range sniffCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s, err := newCSVSource(bytes.NewReader(c.in))
			if c.detected == "" {
				if !errors.Is(err, pii.ErrNotText) {
					t.Fatalf("error %v, want not text", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.detected() != c.detected {
				t.Errorf("detected %q, want %q", s.detected(), c.detected)
			}
			if !slices.Equal(s.header(), wantHeader) { // no byte-order mark left in the first cell
				t.Errorf("header %q", s.header())
			}
			rec, err := s.next()
			if err != nil || rec.bad != "" || !slices.Equal(rec.cells, wantRow) || rec.line != 2 {
				t.Errorf("row %+v, %v", rec, err)
			}
			if _, err := s.next(); err != io.EOF {
				t.Errorf("after the row: %v", err)
			}
		})
	}
}

// FuzzCSVSource checks the CSV sniffer on any input: no panic; a head that
// pii.SniffEncoding calls Binary is refused with pii.ErrNotText and nothing else is;
// an accepted file says its encoding first in the detected string (UTF-8 for a head
// that holds valid multi-byte UTF-8 beside bytes that are not: mixed encodings), and
// every cell is valid UTF-8 (bytes that are not UTF-8 are read as Windows-1252),
// without NUL when it was UTF-16 without a byte-order mark (whose head was checked for
// control characters).
func FuzzCSVSource(f *testing.F) {
	for _, c := range sniffCases(f) {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		e := pii.SniffEncoding(in[:min(len(in), 1<<16)])
		s, err := newCSVSource(bytes.NewReader(in))
		if e == pii.Binary {
			if !errors.Is(err, pii.ErrNotText) {
				t.Fatalf("binary input: error %v, want not text", err)
			}
			return
		}
		if errors.Is(err, pii.ErrNotText) {
			t.Fatalf("%s input refused as not text: %v", e, err)
		}
		if err != nil {
			return
		}
		if e == pii.Windows1252 && hasMultiByteUTF8(in[:min(len(in), 1<<16)]) {
			e = pii.UTF8
		}
		if want := "CSV, " + e.String(); !strings.HasPrefix(s.detected(), want+", delimiter ") && !strings.HasPrefix(s.detected(), want+" with ") {
			t.Fatalf("detected %q, want it to start %q", s.detected(), want)
		}
		check := func(cells []string) {
			for _, v := range cells {
				if !utf8.ValidString(v) {
					t.Fatalf("%s cell %q is not UTF-8", e, v)
				}
				if (e == pii.UTF16LENoBOM || e == pii.UTF16BENoBOM) && len(in) <= 1<<16 && strings.IndexByte(v, 0) >= 0 {
					t.Fatalf("%s cell %q holds a NUL", e, v)
				}
			}
		}
		check(s.header())
		for {
			rec, err := s.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("next: %v", err)
			}
			check(rec.cells)
		}
	})
}

// TestCSVSourceWindows1252Head: a file whose first 64 KiB are Windows-1252 only (no
// valid multi-byte UTF-8) stays a Windows-1252 file, its records read as a Windows-1252
// decoder reads them; a later record that is valid multi-byte UTF-8 is read as UTF-8,
// flagged and named in the detected string. A file that is UTF-8 throughout is not.
func TestCSVSourceWindows1252Head(t *testing.T) {
	var b strings.Builder
	b.WriteString("Nama;Email\r\n")
	rows := 0
	for b.Len() < 70<<10 {
		rows++
		b.WriteString("Ren\xe9 Kusuma;rene@example.com\r\n")
	}
	b.WriteString("D\xc3\xa9sy Nur\xe2\x80\x99aini;desy@example.com\r\n")
	s, err := newCSVSource(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < rows; i++ {
		rec, err := s.next()
		if err != nil || rec.cells[0] != "René Kusuma" || rec.review != nil {
			t.Fatalf("line %d: %q %v %v", rec.line, rec.cells, rec.review, err)
		}
	}
	rec, err := s.next()
	if err != nil || rec.cells[0] != "Désy Nur’aini" || !slices.Equal(rec.review, []string{"mixed_encoding"}) {
		t.Fatalf("last line %d: %q %v %v", rec.line, rec.cells, rec.review, err)
	}
	want := fmt.Sprintf("CSV, Windows-1252 with 1 line in UTF-8 (line %d; each row flagged mixed_encoding), delimiter semicolon, CRLF line ends", rows+2)
	if s.detected() != want {
		t.Errorf("detected %q, want %q", s.detected(), want)
	}

	s, err = newCSVSource(strings.NewReader(sniffCSV + sniffCSV[strings.Index(sniffCSV, "\n")+1:]))
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil || rec.review != nil {
			t.Fatalf("line %d: %v %v", rec.line, rec.review, err)
		}
	}
	if s.detected() != "CSV, UTF-8, delimiter semicolon, CRLF line ends" {
		t.Errorf("detected %q", s.detected())
	}
}
