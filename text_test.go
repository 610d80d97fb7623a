package jaga_test

import (
	"testing"

	"jaga"
)

func TestPrintableText(t *testing.T) {
	for s, want := range map[string]bool{
		"Rina Sari": true, "Dewi Ayu Lestari, S.E.": true, "Ñoño 李": true, "": true,
		"a\nb": false, "a\tb": false, "a\x1b[2Jb": false, "a\u0085b": false, "a\u2028b": false,
		"a\u202eb": false, "a\u2067b": false, "a\xffb": false,
	} {
		if got := jaga.PrintableText(s); got != want {
			t.Errorf("PrintableText(%q) = %v, want %v", s, got, want)
		}
	}
}
