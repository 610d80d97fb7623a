package pii

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Encoding is the character encoding of a text or CSV file, as SniffEncoding detects it.
type Encoding uint8

// The encodings SniffEncoding tells apart.
const (
	UTF8         Encoding = iota // valid UTF-8 without a byte-order mark
	UTF8BOM                      // UTF-8 starting with the byte-order mark EF BB BF
	Windows1252                  // not valid UTF-8: what Excel writes on Windows with Indonesian settings
	UTF16LE                      // UTF-16 little-endian with the byte-order mark FF FE: Excel's "Unicode text"
	UTF16BE                      // UTF-16 big-endian with the byte-order mark FE FF
	UTF16LENoBOM                 // UTF-16 little-endian without a byte-order mark, told by its NUL bytes (some Windows tools)
	UTF16BENoBOM                 // UTF-16 big-endian without a byte-order mark, told by its NUL bytes
	Binary                       // NUL bytes that are not UTF-16 text: not a text file in a known encoding (ErrNotText)
)

// String returns "UTF-8", "UTF-8 with BOM", "Windows-1252", "UTF-16LE with BOM",
// "UTF-16BE with BOM", "UTF-16LE (no BOM)", "UTF-16BE (no BOM)" or "binary" (the names
// the importer and `jaga scan` report).
func (e Encoding) String() string {
	switch e {
	case UTF16LENoBOM:
		return "UTF-16LE (no BOM)"
	case UTF16BENoBOM:
		return "UTF-16BE (no BOM)"
	case Binary:
		return "binary"
	case UTF8BOM:
		return "UTF-8 with BOM"
	case Windows1252:
		return "Windows-1252"
	case UTF16LE:
		return "UTF-16LE with BOM"
	case UTF16BE:
		return "UTF-16BE with BOM"
	}
	return "UTF-8"
}

// Decoded reports whether text in e must be decoded to be UTF-8 (DecodeReader). It is
// false for Binary, which cannot be decoded.
func (e Encoding) Decoded() bool { return e != UTF8 && e != UTF8BOM && e != Binary }

// ErrNotText is the error SniffText returns (wrapped, with the offset of the first NUL
// byte) for a file that has NUL bytes but is not UTF-16 text: a binary file, a zip
// archive (an XLSX workbook renamed .csv), UTF-32. Callers add the file name.
var ErrNotText = errors.New("not a text file in a known encoding (UTF-8, UTF-16 or Windows-1252)")

// SniffHead is how many leading bytes of a file SniffEncoding should be given (64 KiB).
const SniffHead = 64 << 10

// SniffEncoding detects the encoding of a file from its first bytes (up to SniffHead):
// a byte-order mark means UTF-8 (EF BB BF) or UTF-16 (FF FE little-endian, FE FF
// big-endian; Unicode 15.0 §23.8). Without one, NUL bytes — which neither UTF-8 text nor
// Windows-1252 text holds — mean UTF-16 when sniffUTF16 finds it (UTF16LENoBOM,
// UTF16BENoBOM) and Binary otherwise. A head without NUL bytes whose bytes are not valid
// UTF-8 — a multi-byte character cut off at its end excepted — is Windows-1252, else
// UTF-8. The importer's CSV reader and `jaga scan` both use it, so that they read a file
// alike; SniffText is the same with an error for Binary.
func SniffEncoding(head []byte) Encoding {
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		return UTF8BOM
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		return UTF16LE
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		return UTF16BE
	}
	if bytes.IndexByte(head, 0) >= 0 {
		if e, ok := sniffUTF16(head); ok {
			return e
		}
		return Binary
	}
	check := head
	for i := 0; i < utf8.UTFMax-1 && len(check) > 0 && !utf8.Valid(check); i++ {
		check = check[:len(check)-1]
	}
	if utf8.Valid(check) {
		return UTF8
	}
	return Windows1252
}

// SniffText is SniffEncoding for a reader that needs text: for Binary it returns an
// error that wraps ErrNotText and gives the offset of the first NUL byte (and says so
// when head starts like a zip archive, as an XLSX workbook does). The error holds no
// byte of the file's content.
func SniffText(head []byte) (Encoding, error) {
	e := SniffEncoding(head)
	if e != Binary {
		return e, nil
	}
	hint := ""
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		hint = "; it starts like a zip archive (an XLSX workbook named as CSV or text?)"
	}
	return Binary, fmt.Errorf("%w: NUL byte at offset %d and the bytes do not read as UTF-16%s", ErrNotText, bytes.IndexByte(head, 0), hint)
}

// sniffUTF16 reports whether head (without a byte-order mark) is UTF-16 text and in
// which byte order. Text in the Latin range (Bahasa Indonesia, English, digits,
// punctuation: U+0000–U+00FF) has a NUL high byte in every code unit, at odd offsets in
// little-endian and even ones in big-endian; so at least half of the code units must
// have a NUL byte on one side and at most one in eight as many on the other (U+0100,
// U+2000 and the like have a NUL low byte). The head must then decode (the library's
// decoder) without unpaired surrogates — it re-encodes to the same bytes — and without
// control characters other than tab, line feed, vertical tab (a line break inside a cell
// in some exports), form feed and carriage return. Random
// bytes and zip archives fail at least one of these; UTF-16 text mostly outside the
// Latin range (Chinese, Thai) is not recognised without its byte-order mark.
func sniffUTF16(head []byte) (Encoding, bool) {
	units := head[:len(head)&^1]
	n := len(units) / 2
	if n == 0 {
		return 0, false
	}
	var even, odd int
	for i := 0; i < len(units); i += 2 {
		if units[i] == 0 {
			even++
		}
		if units[i+1] == 0 {
			odd++
		}
	}
	e, order, zero, other := UTF16LENoBOM, unicode.LittleEndian, odd, even
	if even > odd {
		e, order, zero, other = UTF16BENoBOM, unicode.BigEndian, even, odd
	}
	if zero*2 < n || other*8 > zero {
		return 0, false
	}
	units = wholeUnits(units, e == UTF16BENoBOM)
	enc := unicode.UTF16(order, unicode.IgnoreBOM)
	text, err := enc.NewDecoder().Bytes(units)
	if err != nil {
		return 0, false
	}
	if back, err := enc.NewEncoder().Bytes(text); err != nil || !bytes.Equal(back, units) {
		return 0, false
	}
	for _, r := range string(text) {
		if r < 0x20 && (r < '\t' || r > '\r') || r >= 0x7f && r < 0xa0 {
			return 0, false
		}
	}
	return e, true
}

// DecodeReader returns r decoded to UTF-8 from e: Windows-1252 is decoded (every byte
// maps to a character, so decoding never fails); UTF-16 is decoded without its
// byte-order mark, if it has one (an unpaired surrogate becomes U+FFFD); UTF-8 is
// returned as it is, a byte-order mark included, and so is Binary, which callers
// refuse before (SniffText).
func DecodeReader(r io.Reader, e Encoding) io.Reader {
	switch e {
	case Windows1252:
		return charmap.Windows1252.NewDecoder().Reader(r)
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Reader(r)
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Reader(r)
	case UTF16LENoBOM:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Reader(r)
	case UTF16BENoBOM:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder().Reader(r)
	}
	return r
}

// DecodeHead decodes head, the first bytes of a file in e, to UTF-8 (a UTF-16 code
// unit or surrogate pair cut off at its end is left out), for sniffing delimiters and
// line ends.
func DecodeHead(head []byte, e Encoding) []byte {
	if !e.Decoded() {
		return head
	}
	if e != Windows1252 {
		head = wholeUnits(head, e == UTF16BE || e == UTF16BENoBOM)
	}
	out, err := io.ReadAll(DecodeReader(bytes.NewReader(head), e))
	if err != nil {
		return nil
	}
	return out
}

// wholeUnits returns the UTF-16 head without a byte of a code unit or a high surrogate
// cut off at its end: the file holds them whole, the head cannot decode them.
func wholeUnits(head []byte, bigEndian bool) []byte {
	head = head[:len(head)&^1]
	if len(head) == 0 {
		return head
	}
	hi := head[len(head)-1]
	if bigEndian {
		hi = head[len(head)-2]
	}
	if hi&0xfc == 0xd8 {
		head = head[:len(head)-2]
	}
	return head
}
