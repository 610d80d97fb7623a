package pii_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"jaga/pii"
)

// bahasaCSV is a small export with Bahasa headers, a name with a diacritic and a ’.
const bahasaCSV = "Nama Lengkap;Alamat Email;No. HP/WA\r\nDésy Nur’aini;desy@example.com;081234567890\r\n"

// MustEncode returns s encoded with e (a test helper).
func MustEncode(tb testing.TB, e encoding.Encoding, s string) []byte {
	tb.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// MustZip returns a small zip archive, the container of an XLSX workbook.
func MustZip(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.WriteString(w, strings.Repeat("<row><c t=\"s\"><v>1</v></c></row>", 50)); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestSniffEncodingWithoutBOM: UTF-16 without a byte-order mark is told from its NUL
// bytes in either byte order and decodes to the text; UTF-8 (whose ASCII-only UTF-16LE
// twin is valid UTF-8 too) and Windows-1252 without NUL bytes are read as before; NUL
// bytes that are not UTF-16 text (random bytes, a zip, UTF-32, UTF-8 with a stray NUL,
// UTF-16 with an unpaired surrogate or a control character) are Binary, and SniffText
// says so with the offset of the first NUL and no byte of the content.
func TestSniffEncodingWithoutBOM(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	random := make([]byte, 4096)
	rng := rand.NewChaCha8([32]byte{'j', 'a', 'g', 'a'})
	_, _ = rng.Read(random)
	if bytes.IndexByte(random, 0) < 0 {
		t.Fatal("the random blob has no NUL byte: pick another seed")
	}
	// A surrogate pair cut in two at the end of the head: the head is all the caller has.
	emoji := MustEncode(t, le, bahasaCSV+"Budi 😀")
	emojiCut := emoji[:len(emoji)-2]
	// Enough text that the NUL bytes pass, so that the decode is what refuses it.
	unpaired := append(MustEncode(t, le, bahasaCSV), 0x01, 0xd8, 'a', 0x00)
	control := MustEncode(t, le, "Nama\x01Email\r\n")
	for _, c := range []struct {
		name string
		in   []byte
		want pii.Encoding
		text string // the decoded text (of the whole file, when the head is cut)
		cut  bool   // in is a head cut short of the end of the text
	}{
		{"UTF-16LE no BOM", MustEncode(t, le, bahasaCSV), pii.UTF16LENoBOM, bahasaCSV, false},
		{"UTF-16BE no BOM", MustEncode(t, be, bahasaCSV), pii.UTF16BENoBOM, bahasaCSV, false},
		{"UTF-16LE no BOM ASCII only (valid UTF-8 too)", MustEncode(t, le, "nama,email\r\nBudi,budi@example.com\r\n"), pii.UTF16LENoBOM, "nama,email\r\nBudi,budi@example.com\r\n", false},
		{"UTF-16LE no BOM odd length", MustEncode(t, le, bahasaCSV)[:21], pii.UTF16LENoBOM, bahasaCSV, true},
		{"UTF-16LE no BOM surrogate pair cut at the end", emojiCut, pii.UTF16LENoBOM, bahasaCSV + "Budi 😀", true},
		{"UTF-16LE no BOM surrogate pair", emoji, pii.UTF16LENoBOM, bahasaCSV + "Budi 😀", false},
		{"UTF-16LE with BOM", MustEncode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), bahasaCSV), pii.UTF16LE, bahasaCSV, false},
		{"UTF-16BE with BOM", MustEncode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), bahasaCSV), pii.UTF16BE, bahasaCSV, false},
		{"UTF-8", []byte(bahasaCSV), pii.UTF8, bahasaCSV, false},
		{"UTF-8 with BOM", []byte("\xef\xbb\xbf" + bahasaCSV), pii.UTF8BOM, "\xef\xbb\xbf" + bahasaCSV, false},
		{"Windows-1252", MustEncode(t, charmap.Windows1252, bahasaCSV), pii.Windows1252, bahasaCSV, false},
		{"empty", nil, pii.UTF8, "", false},
		{"UTF-8 with a NUL", []byte("nama,email\nBudi\x00,budi@example.com\n"), pii.Binary, "", false},
		{"Windows-1252 with a NUL", []byte("nama\nD\xe9sy\x00\n"), pii.Binary, "", false},
		{"one NUL", []byte{0}, pii.Binary, "", false},
		{"random bytes", random, pii.Binary, "", false},
		{"zip (XLSX renamed .csv)", MustZip(t), pii.Binary, "", false},
		{"UTF-32LE text", []byte("n\x00\x00\x00a\x00\x00\x00m\x00\x00\x00a\x00\x00\x00"), pii.Binary, "", false},
		{"UTF-16LE unpaired surrogate", unpaired, pii.Binary, "", false},
		{"UTF-16LE control character", control, pii.Binary, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := pii.SniffEncoding(c.in)
			if e != c.want {
				t.Fatalf("%s, want %s", e, c.want)
			}
			got, err := pii.SniffText(c.in)
			if c.want != pii.Binary {
				if err != nil || got != e {
					t.Fatalf("SniffText: %s, %v", got, err)
				}
				if !c.cut {
					dec, err := io.ReadAll(pii.DecodeReader(bytes.NewReader(c.in), e))
					if err != nil || string(dec) != c.text {
						t.Errorf("decoded %q, %v", dec, err)
					}
				}
				// The head decodes to what it holds whole: a prefix of the text.
				if h := pii.DecodeHead(c.in, e); e.Decoded() && (!strings.HasPrefix(c.text, string(h)) || len(h) == 0) {
					t.Errorf("head %q", h)
				}
				return
			}
			if !errors.Is(err, pii.ErrNotText) || got != pii.Binary {
				t.Fatalf("SniffText: %s, %v; want ErrNotText", got, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "not a text file") || !strings.Contains(msg, "offset") {
				t.Errorf("error %q does not say why and where", msg)
			}
			if strings.Contains(msg, "Budi") || strings.Contains(msg, "Nama") {
				t.Errorf("error %q quotes the content", msg)
			}
			if zipped := bytes.HasPrefix(c.in, []byte("PK")); zipped != strings.Contains(msg, "zip archive") {
				t.Errorf("error %q: zip hint %v, want %v", msg, !zipped, zipped)
			}
		})
	}
}

// TestEncodingNames: the names the import report and `jaga scan` print.
func TestEncodingNames(t *testing.T) {
	for e, want := range map[pii.Encoding]string{
		pii.UTF8: "UTF-8", pii.UTF8BOM: "UTF-8 with BOM", pii.Windows1252: "Windows-1252",
		pii.UTF16LE: "UTF-16LE with BOM", pii.UTF16BE: "UTF-16BE with BOM",
		pii.UTF16LENoBOM: "UTF-16LE (no BOM)", pii.UTF16BENoBOM: "UTF-16BE (no BOM)", pii.Binary: "binary",
	} {
		if e.String() != want {
			t.Errorf("%d: %q, want %q", e, e, want)
		}
		if dec := e != pii.UTF8 && e != pii.UTF8BOM && e != pii.Binary; e.Decoded() != dec {
			t.Errorf("%s: Decoded %v", e, e.Decoded())
		}
	}
}

// BenchmarkSniffEncoding sniffs a full head (pii.SniffHead bytes) of UTF-8 text and of
// UTF-16LE text without a byte-order mark (counted, decoded, re-encoded and checked).
func BenchmarkSniffEncoding(b *testing.B) {
	text := strings.Repeat(bahasaCSV, pii.SniffHead/len(bahasaCSV)+1)
	for _, c := range []struct {
		name string
		head []byte
	}{
		{"UTF-8", []byte(text)[:pii.SniffHead]},
		{"UTF-16LE-no-BOM", MustEncode(b, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), text)[:pii.SniffHead]},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.head)))
			for b.Loop() {
				if pii.SniffEncoding(c.head) == pii.Binary {
					b.Fatal("binary")
				}
			}
		})
	}
}
