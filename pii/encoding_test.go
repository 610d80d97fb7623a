package pii_test

import (
	"bytes"
	"io"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"jaga/pii"
)

// TestSniffEncoding: byte-order marks name UTF-8 and UTF-16 (Excel's "Unicode text" is
// UTF-16LE with one); text that is not UTF-8 is Windows-1252; and each decodes to the
// same UTF-8 text.
func TestSniffEncoding(t *testing.T) {
	const text = "Nama\tEmail\nJosé Pérez\tjose@example.com\n"
	le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	be, err := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want pii.Encoding
		name string
	}{
		{text, pii.UTF8, "UTF-8"},
		{"\xef\xbb\xbf" + text, pii.UTF8BOM, "UTF-8 with BOM"},
		{"Jos\xe9 P\xe9rez", pii.Windows1252, "Windows-1252"},
		{le, pii.UTF16LE, "UTF-16LE with BOM"},
		{be, pii.UTF16BE, "UTF-16BE with BOM"},
	} {
		e := pii.SniffEncoding([]byte(c.in))
		if e != c.want || e.String() != c.name {
			t.Errorf("%q: %v (%s), want %s", c.in[:8], e, e, c.name)
			continue
		}
		if c.want == pii.UTF16LE || c.want == pii.UTF16BE {
			got, err := io.ReadAll(pii.DecodeReader(bytes.NewReader([]byte(c.in)), e))
			if err != nil || string(got) != text {
				t.Errorf("%s decoded: %q, %v", c.name, got, err)
			}
			// A head cut in the middle of a code unit decodes to what it holds whole.
			if h := pii.DecodeHead([]byte(c.in)[:21], e); !bytes.HasPrefix([]byte(text), h) || len(h) != 9 {
				t.Errorf("%s head: %q", c.name, h)
			}
		}
	}
}
