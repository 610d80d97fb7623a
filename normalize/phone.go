package normalize

import (
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"jaga"
)

// PhoneRegion is the default region of Phone: numbers without a country code are read
// as Indonesian (ISO 3166-1 alpha-2 "ID", country calling code 62).
const PhoneRegion = "ID"

// Lengths of an Indonesian national significant number (NSN: the number without +62 or
// the trunk 0), from libphonenumber's PhoneNumberMetadata_ID: mobile 8[1-35-9]\d{7,10}
// has 9-12 digits, fixed lines down to 7 (UU-PDP.md §4).
const (
	minNSN = 7
	maxNSN = 12
)

// Phone normalises an Indonesian telephone number to E.164 ("+6281234567890") with
// libphonenumber (github.com/nyaruka/phonenumbers, a port of Google's libphonenumber)
// and default region ID. Each of "+62 812-3456-7890", "081234567890", "6281234567890",
// "+6281234567890", "0812 3456 7890", "(0812) 3456-7890" and "+62 0812 3456 7890" (a
// trunk 0 after +62) gives "+6281234567890", and so does "81234567890", a number that
// lost its leading 0 in a spreadsheet number cell. Landlines libphonenumber accepts
// ("021-1234567" → "+62211234567") are accepted too.
//
// Only digits, white space, one "+" before the first digit and the separators - . ( ) /
// are allowed ("(+62) 812-3456-7890" is fine), so
// that libphonenumber never turns letters into digits (vanity numbers) or drops an
// extension. The number must be valid for region ID (UU-PDP.md §4): a number of another
// country ("+63 …") is rejected, because the consent and contact rules Jaga applies
// (POJK contact windows, R-51) are Indonesian.
//
// Errors (EUNPROCESSABLE, Field "phone"): another character, no digits, a national
// number shorter than 7 or longer than 12 digits, another country, or a number
// libphonenumber does not find valid for ID (for instance the non-mobile range 084x).
// The message never contains the number.
func Phone(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fail(jaga.TypePhone, "phone is not valid UTF-8")
	}
	s := strings.TrimSpace(raw)
	digits, plus := 0, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && digits == 0 && !plus: // "+62 …", "(+62) …"
			plus = true
		case r == ' ' || r == '\t' || r == '\u00a0' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", fail(jaga.TypePhone, "phone may contain only digits, spaces, one + before the digits and - . ( ) /")
		}
	}
	if digits == 0 {
		return "", fail(jaga.TypePhone, "phone has no digits")
	}
	if e164, ok := fastMobile(s); ok {
		return e164, nil
	}
	return fullPhone(s, digits)
}

// fullPhone is Phone through libphonenumber's parser.
func fullPhone(s string, digits int) (string, error) {
	num, err := phonenumbers.Parse(s, PhoneRegion)
	if err != nil {
		return "", fail(jaga.TypePhone, "phone has %d digits and is not a phone number", digits)
	}
	if num.GetCountryCode() != 62 {
		return "", fail(jaga.TypePhone, "phone is not an Indonesian number (+62)")
	}
	// libphonenumber keeps the trunk 0 when stripping it would leave too few digits
	// ("0812-345"); count without it, as the message says.
	nsn := len(strings.TrimPrefix(phonenumbers.GetNationalSignificantNumber(num), "0"))
	switch {
	case nsn < minNSN:
		return "", fail(jaga.TypePhone, "phone has %d digits after +62 or the leading 0; expected %d-%d", nsn, minNSN, maxNSN)
	case nsn > maxNSN:
		return "", fail(jaga.TypePhone, "phone has %d digits after +62 or the leading 0; expected %d-%d", nsn, minNSN, maxNSN)
	}
	if !phonenumbers.IsValidNumberForRegion(num, PhoneRegion) {
		return "", fail(jaga.TypePhone, "phone is not a valid Indonesian number (unknown mobile prefix or area code, or wrong length for it)")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// fastMobile handles the common shape of Indonesian mobile numbers — digits with
// separators, written +62 8…, 62 8…, 08… or 8… (a lost trunk 0) — without libphonenumber's
// parser, which costs most of the time on an import; libphonenumber still decides
// validity (IsValidNumberForRegion on the ID metadata). Anything else, or a number the
// metadata rejects, goes through the full path, which also words the error. A leading
// 62 followed by 8 is read as the country code and a mobile number (intake/README.md:
// "6281234567890"), also where the parser alone would read a national number starting
// with 62. Phone always tries this path first, so each number has one normal form.
func fastMobile(s string) (string, bool) {
	var buf [20]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(buf) {
				return "", false
			}
			buf[n] = c
			n++
		case c == '+' || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return "", false
		}
	}
	d := buf[:n]
	switch {
	case len(d) > 2 && d[0] == '6' && d[1] == '2' && d[2] == '8':
		d = d[2:]
	case len(d) > 1 && d[0] == '0' && d[1] == '8':
		d = d[1:]
	case len(d) > 0 && d[0] == '8':
	default:
		return "", false
	}
	if len(d) < minNSN || len(d) > maxNSN {
		return "", false
	}
	var nsn uint64
	for _, c := range d {
		nsn = nsn*10 + uint64(c-'0')
	}
	cc := int32(62)
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nsn}
	if !phonenumbers.IsValidNumberForRegion(num, PhoneRegion) {
		return "", false
	}
	return "+62" + string(d), true
}
