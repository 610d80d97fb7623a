// Package normalize validates personal values and turns them into the one form Jaga
// stores: E.164 phones, lower-cased e-mail addresses with an ASCII (IDNA) domain, NIK
// digits, NFC names, ISO 8601 dates and canonical decimal numbers. For intake (issue 4)
// it also reads what spreadsheets and forms produce: ParsePhone (recovered and unverified
// numbers), ParseEmail (the display form beside the normalised one), ParseNIK, NIKValid
// (allocation-free, for the PII scanner) and NIKFromNumberCell (ReasonNIKPrecisionLost),
// Bahasa month names in Date, ExcelDate, YesNo answers and Place/Province look-ups.
//
// NIK districts and place names come from a table generated from the Kemendagri region
// codes (cahyadsn/wilayah, MIT licence; `go generate ./normalize`) and embedded with
// its licence notice, WilayahNotice.
//
// It is used at intake and on every API write (UU PDP Art 29, R-28: identifiers are
// validated at capture), and for blind indexes: the normalised value is what seal HMACs
// (DESIGN.md, crypto scheme), so every function here is deterministic — the same input
// gives the same output on every node and every run, with no clock, locale or
// environment involved (NIKBirthDate's century guess is the one exception, and
// NIKBirthDateAt takes the time explicitly).
//
// Errors are *jaga.Error values with Code jaga.EUNPROCESSABLE whose Message says what is
// wrong without ever repeating the value or a part of it (invariant 6). Field is the type
// name ("phone", "email", …) for the type functions and the caller's field name for Value.
//
// The package imports the root package jaga, the standard library,
// github.com/nyaruka/phonenumbers (libphonenumber metadata), golang.org/x/net/idna and
// golang.org/x/text/unicode/norm, and nothing else of Jaga.
package normalize

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"jaga"
)

// Value normalises raw for a field of value type t and returns the stored form. It
// checks UTF-8 for every type, then calls the type's function (Name, Email, Phone, NIK,
// Date, Gender, Text, Integer, Number). Blank optional values are the caller's business:
// Value rejects an empty or all-space raw for every type.
//
// Errors are *jaga.Error with Code jaga.EUNPROCESSABLE, Field = field, no Reason (the
// gate and the API use Value, and a problem's reason is for refusals; call the type's
// function for its reason code) and a Message that never contains the value; an unknown t is an EUNPROCESSABLE error too (a schema checked
// by jaga.NewSchema has none). Value enforces no maximum length: the gate checks
// jaga.FieldSpec.MaxLen on the result.
func Value(field string, t jaga.ValueType, raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", jaga.FieldError(field, "%s is not valid UTF-8", t)
	}
	var (
		out string
		err error
	)
	switch t {
	case jaga.TypeName:
		out, err = Name(raw)
	case jaga.TypeEmail:
		out, err = Email(raw)
	case jaga.TypePhone:
		out, err = Phone(raw)
	case jaga.TypeNIK:
		out, err = NIK(raw)
	case jaga.TypeDate:
		out, err = Date(raw)
	case jaga.TypeGender:
		out, err = Gender(raw)
	case jaga.TypeText:
		out, err = Text(raw)
	case jaga.TypeInteger:
		out, err = Integer(raw)
	case jaga.TypeNumber:
		out, err = Number(raw)
	default:
		return "", jaga.FieldError(field, "unknown value type %q", t)
	}
	if err != nil {
		if e := jaga.AsError(err); e != nil {
			c := *e
			c.Field = field
			c.Reason = "" // the API shows a reason on refusals only (api/openapi.yaml)
			return "", &c
		}
		return "", jaga.FieldError(field, "%s is not valid", t) // not reached: every function returns *jaga.Error
	}
	return out, nil
}

// fail returns the EUNPROCESSABLE error of the type functions, with Reason
// "<type>_invalid" ("email_invalid", "date_invalid"). The message must never hold the
// value (invariant 6).
func fail(typ jaga.ValueType, format string, args ...any) error {
	return failReason(typ, string(typ)+"_invalid", format, args...)
}

// Name normalises a person's name: valid UTF-8, Unicode NFC, trimmed, every run of
// white space (including tabs, line breaks and no-break spaces) folded to one space. Case,
// apostrophes (' and ’), hyphens, diacritics and single-word names are kept as given
// (DisplayName title-cases for display).
//
// Errors (EUNPROCESSABLE, Field "name"): invalid UTF-8, empty, no letter at all, a
// control character, an invisible formatting character (bidi controls, zero-width space,
// byte-order mark, soft hyphen; ZWJ and ZWNJ are kept for the scripts that need them) or
// U+FFFD, the replacement character a wrong decoding leaves behind.
func Name(raw string) (string, error) {
	s, err := cleanText(jaga.TypeName, raw, false)
	if err != nil {
		return "", err
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return s, nil
		}
	}
	return "", fail(jaga.TypeName, "name has no letters")
}

// DisplayName returns name (already normalised by Name) cased for display: a name written
// all in capitals or all in lower case ("PAIMAN ARDANA", as copied from a KTP) becomes
// title case ("Paiman Ardana"), with a capital after a space or a hyphen and the Arabic
// patronymic particles "bin" and "binti" kept lower case after the first word. A name
// that already mixes cases ("McDonald", "Rina van Dijk") is returned unchanged. The
// result is for display only; the stored and indexed form is Name's.
func DisplayName(name string) string {
	var upper, lower bool
	for _, r := range name {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
	}
	if upper && lower || !upper && !lower {
		return name
	}
	words := strings.Split(name, " ")
	for i, w := range words {
		lw := strings.ToLower(w)
		if i > 0 && (lw == "bin" || lw == "binti") {
			words[i] = lw
			continue
		}
		var b strings.Builder
		start := true
		for _, r := range lw {
			if start && unicode.IsLetter(r) {
				b.WriteRune(unicode.ToTitle(r))
				start = false
				continue
			}
			b.WriteRune(r)
			if r == '-' {
				start = true
			}
		}
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

// Text normalises free text (addresses, cities, education, …): valid UTF-8, Unicode NFC,
// trimmed; a run of white space becomes one "\n" if it holds a line break (CR, LF, CRLF,
// NEL, U+2028/2029) and one space otherwise, so tabs and no-break spaces are folded away
// rather than rejected.
//
// Errors (EUNPROCESSABLE, Field "text"): invalid UTF-8, empty, a control character other
// than white space, an invisible formatting character, or U+FFFD (see Name).
func Text(raw string) (string, error) {
	return cleanText(jaga.TypeText, raw, true)
}

// cleanText checks UTF-8, applies NFC, folds white space and rejects control, formatting
// and replacement characters. keepLines keeps one "\n" for a run of white space with a
// line break in it.
func cleanText(typ jaga.ValueType, raw string, keepLines bool) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fail(typ, "%s is not valid UTF-8", typ)
	}
	s := norm.NFC.String(raw)
	var b strings.Builder
	b.Grow(len(s))
	pending, newline := false, false // a run of white space waits to be written
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			pending = true
			newline = newline || isLineBreak(r)
			continue
		}
		switch {
		case r == utf8.RuneError:
			return "", fail(typ, "%s contains U+FFFD, the replacement character (was the text decoded with the wrong encoding?)", typ)
		case unicode.Is(unicode.Cc, r):
			return "", fail(typ, "%s contains a control character", typ)
		case unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d':
			return "", fail(typ, "%s contains an invisible formatting character", typ)
		case unicode.Is(unicode.Noncharacter_Code_Point, r):
			return "", fail(typ, "%s contains a Unicode noncharacter", typ)
		}
		if pending && b.Len() > 0 {
			if keepLines && newline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		pending, newline = false, false
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "", fail(typ, "%s is empty", typ)
	}
	return b.String(), nil
}

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// Gender normalises a gender to "F" or "M". It accepts, case-insensitively and trimmed,
// F and M, the KTP letters L (laki-laki) → M and P (perempuan) → F, and the words
// laki-laki, pria, male → M and perempuan, wanita, female → F.
//
// Errors (EUNPROCESSABLE, Field "gender"): anything else.
func Gender(raw string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(raw)) {
	case "F", "P", "PEREMPUAN", "WANITA", "FEMALE":
		return "F", nil
	case "M", "L", "LAKI-LAKI", "LAKI LAKI", "PRIA", "MALE":
		return "M", nil
	}
	return "", fail(jaga.TypeGender, "gender must be F or M (L and P are accepted)")
}

// Integer normalises a decimal integer: trimmed, an optional sign, ASCII digits only
// (no thousands separators, no exponent), within the int64 range; the result has no
// sign for non-negative values and no leading zeros ("+007" → "7", "-0" → "0").
//
// Errors (EUNPROCESSABLE, Field "integer"): empty, another character, or out of range.
func Integer(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fail(jaga.TypeInteger, "integer is empty")
	}
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" || !allDigits(digits) {
		return "", fail(jaga.TypeInteger, "integer must be digits with an optional sign")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", fail(jaga.TypeInteger, "integer is out of range (64-bit)")
	}
	return strconv.FormatInt(n, 10), nil
}

// Number normalises a decimal number exactly, without going through floating point:
// trimmed, an optional sign, ASCII digits with at most one decimal point ("58138",
// "58138.5", "-1", ".5", "5."). The canonical form has no plus sign, no leading zeros in
// the integer part (but at least "0"), no trailing zeros in the fraction and no trailing
// point; zero is "0" ("-0.50" → "-0.5", "007.10" → "7.1", "-0.0" → "0"). A decimal comma,
// thousands separators and exponents are rejected: "58.138" and "58,138" mean different
// things in Indonesian and English spreadsheets, so the importer converts them knowingly.
//
// Errors (EUNPROCESSABLE, Field "number"): empty or another character.
func Number(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fail(jaga.TypeNumber, "number is empty")
	}
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" || !allDigits(ip) || !allDigits(fp) {
		if strings.Contains(s, ",") {
			return "", fail(jaga.TypeNumber, "number must use a decimal point, without thousands separators")
		}
		return "", fail(jaga.TypeNumber, "number must be digits with an optional sign and decimal point")
	}
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	fp = strings.TrimRight(fp, "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// failReason is fail with a machine-readable reason (jaga.Error.Reason) for callers that
// sort or quarantine by it.
func failReason(typ jaga.ValueType, reason, format string, args ...any) error {
	e := jaga.FieldError(string(typ), format, args...)
	e.Reason = reason
	return e
}
