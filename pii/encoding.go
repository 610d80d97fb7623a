package pii

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is the character encoding of a text or CSV file, as SniffEncoding detects it.
type Encoding uint8

// The encodings SniffEncoding tells apart.
const (
	UTF8        Encoding = iota // valid UTF-8 without a byte-order mark
	UTF8BOM                     // UTF-8 starting with the byte-order mark EF BB BF
	Windows1252                 // not valid UTF-8: what Excel writes on Windows with Indonesian settings
)

// String returns "UTF-8", "UTF-8 with BOM" or "Windows-1252" (the names the importer
// reports).
func (e Encoding) String() string {
	switch e {
	case UTF8BOM:
		return "UTF-8 with BOM"
	case Windows1252:
		return "Windows-1252"
	}
	return "UTF-8"
}

// SniffHead is how many leading bytes of a file SniffEncoding should be given (64 KiB).
const SniffHead = 64 << 10

// SniffEncoding detects the encoding of a file from its first bytes (up to SniffHead):
// a UTF-8 byte-order mark means UTF-8; otherwise bytes that are not valid UTF-8 — a
// multi-byte character cut off at the end of head excepted — mean Windows-1252. The
// importer's CSV reader and `jaga scan` both use it, so that they read a file alike.
func SniffEncoding(head []byte) Encoding {
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		return UTF8BOM
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
// maps to a character, so decoding never fails); UTF-8 is returned as it is, a
// byte-order mark included.
func DecodeReader(r io.Reader, e Encoding) io.Reader {
	if e == Windows1252 {
		return charmap.Windows1252.NewDecoder().Reader(r)
	}
	return r
}
