package pii_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"jaga/pii"
)

// delimiterCases are the sniffer's tricky heads, also the fuzz target's seeds.
var delimiterCases = []struct {
	name string
	head string
	want rune
}{
	{"empty", "", ','},
	{"comma", "nama,email,hp\nSiti,siti@example.com,0812\n", ','},
	{"semicolon", "nama;email;hp\nSiti;siti@example.com;0812\n", ';'},
	{"tab", "nama\temail\thp\nSiti\tsiti@example.com\t0812\n", '\t'},
	{"pipe", "nama|email|hp\nSiti|siti@example.com|0812\nBudi|budi@example.com|0813\n", '|'},
	{"CRLF", "nama;email\r\nSiti;siti@example.com\r\nBudi;budi@example.com\r\n", ';'},
	{"BOM", "\xef\xbb\xbf\"nama\"|\"email\"\r\n\"Siti\"|\"siti@example.com\"\r\n", '|'},
	{"one column", "nama\nSiti Aminah\nBudi Santoso\n", ','},
	{"one column with a stray semicolon", "catatan\nhubungi; nanti\nsudah\nbelum\n", ','},
	// The first line alone has 2 commas and 2 semicolons inside quotes; the records
	// split by semicolon into 3 fields each.
	{"quoted commas in a semicolon file", "\"Nama, Lengkap\";\"Alamat, Kota\";Email\n" +
		"\"Aminah, Siti\";\"Jl. Merdeka 5, Bandung\";siti@example.com\n" +
		"Budi;\"Jl. Asia Afrika 8, Bandung\";budi@example.com\n", ';'},
	// A header with more commas than semicolons, which the first line decides wrongly:
	// the records agree on semicolon.
	{"header with both", "Nama,Panggilan;Kota,Kab;Email\nSiti;Bandung;siti@example.com\nBudi;Bogor;budi@example.com\nRina;Depok;rina@example.com\n", ';'},
	// Quoted newlines: the address spans lines and holds commas; counted by line the
	// file looks comma-ish, counted by record it is semicolon.
	{"quoted newlines", "Nama;Alamat;Kota\nSiti;\"Jl. Merdeka 5,\nRT 01, RW 02\";Bandung\nBudi;\"Gg. Mawar,\r\nNo. 3\";Bogor\n", ';'},
	{"doubled quotes", "Nama,Catatan\nSiti,\"kata \"\"ya\"\"; nanti\"\nBudi,\"a;b;c\"\n", ','},
	{"decimal comma", "Nama;Skor;Berat\nSiti;1,5;60,2\nBudi;2,25;71,0\n", ';'},
	{"numbers", "1,5,2\n3,4,6\n7,8,9\n", ','},
	{"tab with commas", "Nama\tAlamat\nSiti\tJl. A, Bandung\nBudi\tJl. B, Bogor\n", '\t'},
	{"cut off last record", "a|b|c\nd|e|f\ng|h,i,j,k,l,m", '|'},
	{"unclosed quote is one field", "\"a,b;c\n", ','},
	{"ragged", "a;b;c\nd;e;f\ng;h\ni;j;k\n", ';'},
}

// TestSniffDelimiter: the table above.
func TestSniffDelimiter(t *testing.T) {
	for _, c := range delimiterCases {
		t.Run(c.name, func(t *testing.T) {
			if got := pii.SniffDelimiter([]byte(c.head)); got != c.want {
				t.Errorf("%q: %q, want %q", c.head, got, c.want)
			}
		})
	}
}

// TestSniffDelimiterWritten: files written by encoding/csv with each delimiter, whose
// cells hold the other delimiters, quotes and line breaks at random (a fixed seed), are
// detected with the delimiter they were written with.
func TestSniffDelimiterWritten(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4180))
	parts := []string{"Siti", "Aminah", ",", ";", "\t", "|", "\"", "\n", "\r\n", " ", "12", "3,5", "Jl."}
	for _, d := range []rune{',', ';', '\t', '|'} {
		for n := 0; n < 50; n++ {
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.Comma = d
			w.UseCRLF = n%2 == 1
			cols := 2 + rng.IntN(5)
			for r := 0; r < 1+rng.IntN(30); r++ {
				rec := make([]string, cols)
				for i := range rec {
					for k := rng.IntN(4); k > 0; k-- {
						rec[i] += parts[rng.IntN(len(parts))]
					}
				}
				if err := w.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			w.Flush()
			if got := pii.SniffDelimiter(buf.Bytes()); got != d {
				t.Errorf("written with %q, sniffed %q:\n%q", d, got, buf.String())
			}
		}
	}
}

// TestSniffDelimiterIntake: the shared intake files' delimiters (the README's table).
func TestSniffDelimiterIntake(t *testing.T) {
	for name, want := range map[string]rune{"customers_id.csv": ',', "purchases.csv": ',', "door_to_door_export.csv": ';'} {
		b, err := os.ReadFile("../../shared/data/intake/" + name)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("fixture missing: %v", err)
			}
			t.Skipf("fixture missing: %v", err)
		}
		if got := pii.SniffDelimiter(b[:min(len(b), pii.SniffHead)]); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// FuzzDelimiter checks on any head: no panic; the result is one of the candidates; a
// head of one line without a candidate delimiter (nor a quote) is comma; and a head
// that encoding/csv writes from records of 2 to 6 fields taken from the input is
// sniffed as the delimiter it was written with, whenever the written records hold no
// other candidate (where another one occurs, inside quotes or not, the file can be
// ambiguous).
func FuzzDelimiter(f *testing.F) {
	for _, c := range delimiterCases {
		f.Add([]byte(c.head))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		got := pii.SniffDelimiter(head)
		if !strings.ContainsRune(",;\t|", got) {
			t.Fatalf("%q: %q is not a candidate", head, got)
		}
		if bytes.IndexAny(head, ",;\t|\"\n") < 0 && got != ',' {
			t.Fatalf("%q: %q, want comma", head, got)
		}
		// Records written by encoding/csv from the input's words.
		words := strings.Fields(string(head))
		if len(words) < 2 {
			return
		}
		for _, d := range []rune{';', '\t', '|', ','} {
			cols := 2 + len(words)%5
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.Comma = d
			for i := 0; i+cols <= len(words) && i < 20*cols; i += cols {
				if err := w.Write(words[i : i+cols]); err != nil {
					return // a word encoding/csv refuses (invalid UTF-8 never is; \r is)
				}
			}
			w.Flush()
			if buf.Len() == 0 || bytes.ContainsFunc(buf.Bytes(), func(r rune) bool { return r != d && strings.ContainsRune(",;\t|", r) }) {
				continue
			}
			if got := pii.SniffDelimiter(buf.Bytes()); got != d {
				t.Fatalf("written with %q, sniffed %q: %s", d, got, fmt.Sprintf("%q", buf.String()))
			}
		}
	})
}

// BenchmarkSniffDelimiter: a full head (pii.SniffHead bytes) of a semicolon export with
// quoted addresses; SniffDelimiter runs once per file and reads SniffRecords records
// of it per candidate.
func BenchmarkSniffDelimiter(b *testing.B) {
	var buf bytes.Buffer
	for buf.Len() < pii.SniffHead {
		buf.WriteString("12/09/2024;Siti Aminah;P;3171011708450001;\"Jl. Merdeka 5,\nRT 01; RW 02\";081234567890;siti@example.com;Bandung\r\n")
	}
	head := buf.Bytes()[:pii.SniffHead]
	for b.Loop() {
		if pii.SniffDelimiter(head) != ';' {
			b.Fatal("not semicolon")
		}
	}
}
