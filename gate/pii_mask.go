package gate

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"jaga/pii"
)

// MaskRune is the character that stands for a masked letter or digit.
const MaskRune = '•'

// MaskUndeclared returns text with every identifier of a kind that identifies a person
// (the kinds GuardExport blocks: NIK, KK, NPWP, phone, e-mail, card, bank account,
// passport, BPJS) and that declared does not hold masked: each of its letters and
// digits but the last four becomes MaskRune, separators stay, so "4111 1111 1111 1111"
// reads "•••• •••• •••• 1111" (R-32: numbers masked in UIs by default). It also returns
// the kinds it masked, sorted, none for a text it left unchanged. Text with such an
// identifier masked passes GuardExport. Used where the owner of the data is shown it
// (the portal page, UU PDP Art 32) instead of blocking the whole answer.
func MaskUndeclared(text string, declared []pii.Kind) (string, []pii.Kind) {
	var found []pii.Finding
	for _, f := range pii.Scan(text) {
		if slices.Contains(personKinds, f.Kind) && !slices.Contains(declared, f.Kind) {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return text, nil
	}
	slices.SortFunc(found, func(a, b pii.Finding) int { return int(a.Start - b.Start) })
	var kinds []pii.Kind
	out := make([]byte, 0, len(text)+2*len(found)*16)
	at := 0
	for _, f := range found {
		start, end := int(f.Start), int(f.End)
		if start < at {
			start = at // overlaps the one before, masked already in part
		}
		if end <= start || end > len(text) {
			continue
		}
		out = append(out, text[at:start]...)
		out = append(out, maskSpan(text[start:end])...)
		at = end
		if !slices.Contains(kinds, f.Kind) {
			kinds = append(kinds, f.Kind)
		}
	}
	out = append(out, text[at:]...)
	slices.Sort(kinds)
	return string(out), kinds
}

// maskSpan masks the letters and digits of s but its last four.
func maskSpan(s string) string {
	keep := 0
	cut := len(s)
	for i := len(s); i > 0 && keep < 4; {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		i -= n
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			keep++
			cut = i
		}
	}
	b := make([]rune, 0, len(s))
	for _, r := range s[:cut] {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = MaskRune
		}
		b = append(b, r)
	}
	return string(b) + s[cut:]
}
