package pii

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Encoding is the character encoding of a text or CSV file, as SniffEncoding detects it.
type Encoding uint8

// The encodings SniffEncoding tells apart.
const (
	UTF8        Encoding = iota // valid UTF-8 without a byte-order mark
	UTF8BOM                     // UTF-8 starting with the byte-order mark EF BB BF
	Windows1252                 // not valid UTF-8: what Excel writes on Windows with Indonesian settings
	UTF16LE                     // UTF-16 little-endian with the byte-order mark FF FE: Excel's "Unicode text"
	UTF16BE                     // UTF-16 big-endian with the byte-order mark FE FF
)

// String returns "UTF-8", "UTF-8 with BOM", "Windows-1252", "UTF-16LE with BOM" or
// "UTF-16BE with BOM" (the names the importer reports).
func (e Encoding) String() string {
	switch e {
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

// Decoded reports whether text in e must be decoded to be UTF-8 (DecodeReader).
func (e Encoding) Decoded() bool { return e == Windows1252 || e == UTF16LE || e == UTF16BE }

// SniffHead is how many leading bytes of a file SniffEncoding should be given (64 KiB).
const SniffHead = 64 << 10

// SniffEncoding detects the encoding of a file from its first bytes (up to SniffHead):
// a byte-order mark means UTF-8 (EF BB BF) or UTF-16 (FF FE little-endian, FE FF
// big-endian; Unicode 15.0 §23.8); otherwise bytes that are not valid UTF-8 — a
// multi-byte character cut off at the end of head excepted — mean Windows-1252. The
// importer's CSV reader and `jaga scan` both use it, so that they read a file alike.
func SniffEncoding(head []byte) Encoding {
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		return UTF8BOM
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		return UTF16LE
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		return UTF16BE
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

// DecodeReader returns r decoded to UTF-8 from e: Windows-1252 is decoded (every byte
// maps to a character, so decoding never fails); UTF-16 is decoded without its
// byte-order mark (an unpaired surrogate becomes U+FFFD); UTF-8 is returned as it is, a
// byte-order mark included.
func DecodeReader(r io.Reader, e Encoding) io.Reader {
	switch e {
	case Windows1252:
		return charmap.Windows1252.NewDecoder().Reader(r)
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Reader(r)
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Reader(r)
	}
	return r
}

// DecodeHead decodes head, the first bytes of a file in e, to UTF-8 (a UTF-16 code
// unit cut off at its end is left out), for sniffing delimiters and line ends.
func DecodeHead(head []byte, e Encoding) []byte {
	if !e.Decoded() {
		return head
	}
	if e != Windows1252 {
		head = head[:len(head)&^1]
	}
	out, err := io.ReadAll(DecodeReader(bytes.NewReader(head), e))
	if err != nil {
		return nil
	}
	return out
}
