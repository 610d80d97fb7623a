package jaga

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// PrintableText reports whether s is UTF-8 text that a terminal or a table shows as
// written: no control character (C0 and C1, so no newline, tab or ESC that starts an
// ANSI escape sequence), no line or paragraph separator (U+2028, U+2029) and no
// bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), which reorder what
// follows them on screen. Display names (an actor's name) must be PrintableText.
func PrintableText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, notPrintable) < 0
}

func notPrintable(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		(r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}
