package importer

import (
	"bytes"
	"slices"
	"testing"
)

// TestCSVSourceDelimiters: files on which the first line alone misleads (a header with
// more commas than semicolons, quoted commas in a semicolon header) and a pipe export
// are read with the delimiter their records agree on, the report says which, and the
// header and the first row come out whole.
func TestCSVSourceDelimiters(t *testing.T) {
	for _, c := range []struct {
		name, in, detected string
		header, row        []string
	}{
		{"pipe", "Nama|Email|No. HP\nSiti Aminah|siti@example.com|081234567890\nBudi|budi@example.com|081298765432\n",
			"CSV, UTF-8, delimiter pipe, LF line ends",
			[]string{"Nama", "Email", "No. HP"}, []string{"Siti Aminah", "siti@example.com", "081234567890"}},
		{"quoted commas in a semicolon header", "\"Nama, Lengkap\";\"No. HP, WA\";Email\r\nSiti;0812;siti@example.com\r\nBudi;0813;budi@example.com\r\n",
			"CSV, UTF-8, delimiter semicolon, CRLF line ends, quoted fields",
			[]string{"Nama, Lengkap", "No. HP, WA", "Email"}, []string{"Siti", "0812", "siti@example.com"}},
		{"header with commas and semicolons", "Nama,Panggilan;Kota,Kab;Email\nSiti;Bandung;siti@example.com\nBudi;Bogor;budi@example.com\nRina;Depok;rina@example.com\n",
			"CSV, UTF-8, delimiter semicolon, LF line ends",
			[]string{"Nama,Panggilan", "Kota,Kab", "Email"}, []string{"Siti", "Bandung", "siti@example.com"}},
		{"tab with BOM", "\xef\xbb\xbfNama\tEmail\nSiti\tsiti@example.com\n",
			"CSV, UTF-8 with BOM, delimiter tab, LF line ends",
			[]string{"Nama", "Email"}, []string{"Siti", "siti@example.com"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := newCSVSource(bytes.NewReader([]byte(c.in)))
			if err != nil {
				t.Fatal(err)
			}
			if s.detected() != c.detected {
				t.Errorf("detected %q, want %q", s.detected(), c.detected)
			}
			if !slices.Equal(s.header(), c.header) {
				t.Errorf("header %q, want %q", s.header(), c.header)
			}
			rec, err := s.next()
			if err != nil || rec.bad != "" || !slices.Equal(rec.cells, c.row) {
				t.Errorf("row %+v %v, want %q", rec, err, c.row)
			}
		})
	}
}
