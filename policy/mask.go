package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"jaga"
)

// Mask rules (the <rule> of "mask:<rule>"; DESIGN.md, HTTP API conventions, and
// jaga.Decision). Each applies to one value type of package normalize's stored forms.
const (
	// MaskLast3 shows a phone's last 3 digits: "+6281234567890" → "+62 8•• •••• •890".
	MaskLast3 = "last3"
	// MaskFirstLetter shows an email's first character and domain:
	// "rina@example.com" → "r•••@example.com".
	MaskFirstLetter = "first_letter"
	// MaskRegionLast4 shows a NIK's province and regency (digits 1-4) and its last 4
	// digits: "3273055712850019" → "3273••••••••0019". The birth date and sex in digits
	// 7-12 stay hidden.
	MaskRegionLast4 = "region_last4"
	// MaskInitials shows a name's initials: "Rina Sari" → "R. S.".
	MaskInitials = "initials"
	// MaskYear shows a date's year: "1985-08-17" → "1985".
	MaskYear = "year"
	// MaskIdentifiers is the rule the gate applies to free text it returns to a role
	// that does not get every direct identifier unmasked: each identifier typed into the
	// text (phone, e-mail, NIK, …) is replaced by its kind ("Beli untuk Budi [PHONE]",
	// R-33), the rest of the text is shown. It is not a policy-file rule (Parse refuses
	// it, MaskRules leaves it out): the gate decides it from the role's decisions on the
	// identifier fields, and records it in the audit event as "mask:identifiers" for the
	// free text it masked (purchase descriptions: the pseudo-field purchases).
	MaskIdentifiers = "identifiers"
)

// Hidden is what ApplyMask returns for a value its rule cannot mask in part (empty,
// too short, or not of the expected shape): nothing of the value is shown.
const Hidden = "•••"

const dot = "•"

// maskTypes maps each mask rule to the value type it is for (Check uses it).
var maskTypes = map[string]jaga.ValueType{
	MaskLast3:       jaga.TypePhone,
	MaskFirstLetter: jaga.TypeEmail,
	MaskRegionLast4: jaga.TypeNIK,
	MaskInitials:    jaga.TypeName,
	MaskYear:        jaga.TypeDate,
}

// MaskRules returns the mask rule names: last3, first_letter, region_last4, initials,
// year.
func MaskRules() []string {
	return []string{MaskLast3, MaskFirstLetter, MaskRegionLast4, MaskInitials, MaskYear}
}

// ApplyMask returns value masked by rule. Values are expected in the stored forms of
// package normalize (E.164 phone, normalised email, 16-digit NIK, NFC name, ISO date);
// any other value — empty, short, odd or invalid UTF-8 — never panics and never yields
// more than the rule shows, usually Hidden:
//   - last3: an Indonesian E.164 number with a national number of 7-12 digits gives
//     "+62 " and the national number in three groups, every digit hidden but the last 3
//     and, for 9 digits or more (mobiles), the first ("+62 8•• •••• •890"). Any other
//     value with at least 7 ASCII digits gives "•••" and its last 3 digits; fewer, Hidden.
//   - first_letter: the first character of the part before the last "@", "•••", "@" and
//     the domain; Hidden without a non-empty local part and a printable domain.
//   - region_last4: 16 ASCII digits give the first 4, 8 "•" and the last 4; else Hidden.
//   - initials: the first letter of each space-separated word, upper-cased, with a
//     period, joined by spaces ("R. S."); Hidden when no word has a letter.
//   - year: YYYY-MM-DD gives YYYY; else Hidden.
//
// An unknown rule is an EINTERNAL *jaga.Error (Parse accepts only these rules).
func ApplyMask(rule string, value string) (string, error) {
	switch rule {
	case MaskLast3:
		return maskLast3(value), nil
	case MaskFirstLetter:
		return maskFirstLetter(value), nil
	case MaskRegionLast4:
		return maskRegionLast4(value), nil
	case MaskInitials:
		return maskInitials(value), nil
	case MaskYear:
		return maskYear(value), nil
	}
	return "", jaga.Errorf(jaga.EINTERNAL, "policy: unknown mask rule %q", rule)
}

func maskLast3(v string) string {
	if nsn, ok := strings.CutPrefix(v, "+62"); ok && len(nsn) >= 7 && len(nsn) <= 12 && allDigits(nsn) {
		n := len(nsn)
		var b strings.Builder
		b.WriteString("+62 ")
		// Groups of 3, then the rest in two halves: 11 digits → 3-4-4 as in "812-3456-7890".
		g1 := 3 + (n-3)/2
		for i := 0; i < n; i++ {
			if i == 3 || i == g1 {
				b.WriteByte(' ')
			}
			if i >= n-3 || i == 0 && n >= 9 {
				b.WriteByte(nsn[i])
			} else {
				b.WriteString(dot)
			}
		}
		return b.String()
	}
	var digits []byte
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			digits = append(digits, v[i])
		}
	}
	if len(digits) < 7 {
		return Hidden
	}
	return Hidden + string(digits[len(digits)-3:])
}

func maskFirstLetter(v string) string {
	i := strings.LastIndexByte(v, '@')
	if i <= 0 || i == len(v)-1 {
		return Hidden
	}
	domain := v[i+1:]
	if !utf8.ValidString(domain) || strings.IndexFunc(domain, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.IsSpace(r) }) >= 0 {
		return Hidden
	}
	r, _ := utf8.DecodeRuneInString(v)
	if r == utf8.RuneError || !unicode.IsGraphic(r) || unicode.IsSpace(r) || r == '@' {
		return Hidden
	}
	return string(r) + Hidden + "@" + domain
}

func maskRegionLast4(v string) string {
	if len(v) != 16 || !allDigits(v) {
		return Hidden
	}
	return v[:4] + strings.Repeat(dot, 8) + v[12:]
}

func maskInitials(v string) string {
	var out []string
	for _, w := range strings.Fields(v) {
		for _, r := range w {
			if unicode.IsLetter(r) {
				out = append(out, string(unicode.ToUpper(r))+".")
				break
			}
		}
	}
	if len(out) == 0 {
		return Hidden
	}
	return strings.Join(out, " ")
}

func maskYear(v string) string {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' || !allDigits(v[:4]) || !allDigits(v[5:7]) || !allDigits(v[8:]) {
		return Hidden
	}
	return v[:4]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
