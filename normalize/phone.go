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

// Reasons of phone errors, in jaga.Error.Reason (the importer quarantines by them).
const (
	ReasonPhoneFormat  = "phone_format"  // a character other than digits, + and separators
	ReasonPhoneLength  = "phone_length"  // no digits, or a national number of another length
	ReasonPhoneCountry = "phone_country" // a number of another country
	ReasonPhoneInvalid = "phone_invalid" // not a valid Indonesian mobile number, nor a landline
)

// PhoneNumber is a normalised telephone number.
type PhoneNumber struct {
	// E164 is "+62" and the national significant number, digits only.
	E164 string
	// Unverified is true for a number written as an Indonesian landline (trunk 0 or +62,
	// then an area code) that libphonenumber's metadata does not know: it is kept, not
	// dropped (issue 4), and staff may check it. Mobile numbers are always verified.
	Unverified bool
}

// Phone normalises an Indonesian telephone number to E.164 ("+6281234567890"); it is
// ParsePhone without the Unverified flag, so a landline libphonenumber rejects is
// returned too. Each of "+62 812-3456-7890", "081234567890", "6281234567890",
// "+6281234567890", "0812 3456 7890", "(0812) 3456-7890" and "+62 0812 3456 7890" (a
// trunk 0 after +62) gives "+6281234567890", and so does "81234567890", a number that
// lost its leading 0 in a spreadsheet number cell.
//
// Errors are those of ParsePhone.
func Phone(raw string) (string, error) {
	p, err := ParsePhone(raw)
	return p.E164, err
}

// ParsePhone normalises an Indonesian telephone number to E.164 with libphonenumber
// (github.com/nyaruka/phonenumbers, a port of Google's libphonenumber) and default region
// ID, and says whether the library vouched for it.
//
// Only digits, white space, one "+" before the first digit and the separators - . ( ) /
// are allowed ("(+62) 812-3456-7890" is fine), so that libphonenumber never turns letters
// into digits (vanity numbers) or drops an extension. Recovered shapes: "0062 812…", the
// international prefix 00 written for "+"; "62812…" without
// "+" (a leading 62 then 8 is read as the country code and a mobile number), and "812…"
// or "857…", a mobile number that lost its leading 0 in a spreadsheet number cell. The
// number must be Indonesian (UU-PDP.md §4): a number of another country ("+63 …") is
// rejected, because the consent and contact rules Jaga applies (POJK contact windows,
// R-51) are Indonesian.
//
// A number libphonenumber finds valid for ID is returned verified. One it rejects but
// that is written as a landline — a trunk 0 or +62, then an area code starting 2-7 or 9
// (not 8, the mobile prefix), 7-11 digits after the 0 — is returned as "+62" and those
// digits with Unverified set ("(022) 123 45" of Bandung, a local number of 5 digits the
// metadata does not list): never dropped. Anything else is an error.
//
// Errors (EUNPROCESSABLE, Field "phone", Reason one of the ReasonPhone constants):
// another character, no digits, a national number shorter than 7 or longer than 12 digits,
// another country, or a non-landline number libphonenumber does not find valid for ID (for
// instance the non-mobile range 084x). The message never contains the number.
func ParsePhone(raw string) (PhoneNumber, error) {
	if !utf8.ValidString(raw) {
		return PhoneNumber{}, failReason(jaga.TypePhone, ReasonPhoneFormat, "phone is not valid UTF-8")
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
			return PhoneNumber{}, failReason(jaga.TypePhone, ReasonPhoneFormat, "phone may contain only digits, spaces, one + before the digits and - . ( ) /")
		}
	}
	if !plus {
		// "00" before the country code is the international call prefix that ITU-T
		// recommends and most countries dial ("0062 812 …" is a common way to write +62):
		// read it as "+". No Indonesian national number starts 00 (the trunk 0 is followed by an
		// area or mobile code starting 2-9), so nothing else is read this way.
		// A country code never starts with 0: "00 0812…" is not read so.
		if t := strings.TrimLeft(s, " \t\u00a0("); strings.HasPrefix(t, "00") && !strings.HasPrefix(strings.TrimLeft(t[2:], " \t\u00a0-.()/"), "0") {
			s, plus, digits = "+"+t[2:], true, digits-2
		}
	}
	if digits == 0 {
		return PhoneNumber{}, failReason(jaga.TypePhone, ReasonPhoneLength, "phone has no digits")
	}
	if e164, ok := fastMobile(s); ok {
		return PhoneNumber{E164: e164}, nil
	}
	// The library sees only "+" and the digits: separators are not its business, and some
	// (a tab) make it cut the number short, which would give one number two forms.
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || c == '+' {
			clean = append(clean, c)
		}
	}
	s = string(clean)
	e164, err := fullPhone(s, digits)
	if err == nil {
		return PhoneNumber{E164: e164}, nil
	}
	if e := jaga.AsError(err); e != nil && e.Reason != ReasonPhoneFormat && e.Reason != ReasonPhoneCountry {
		if nsn, ok := landline(s, plus); ok {
			return PhoneNumber{E164: "+62" + nsn, Unverified: true}, nil
		}
	}
	return PhoneNumber{}, err
}

// landline returns the national significant number of s if s is written as an Indonesian
// landline: "+62" or "0" (a "+62" may be followed by a trunk 0, as in "+62 (0)22 …"), then
// 7-11 digits starting 2-7 or 9. s holds only digits and separators after ParsePhone's check.
func landline(s string, plus bool) (string, bool) {
	var buf [24]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			if n == len(buf) {
				return "", false
			}
			buf[n] = c
			n++
		}
	}
	d := buf[:n]
	if plus {
		if len(d) < 2 || d[0] != '6' || d[1] != '2' {
			return "", false
		}
		d = d[2:]
		if len(d) > 0 && d[0] == '0' {
			d = d[1:]
		}
	} else {
		if len(d) == 0 || d[0] != '0' {
			return "", false
		}
		d = d[1:]
	}
	if len(d) < minNSN || len(d) > 11 || d[0] < '2' || d[0] > '9' || d[0] == '8' {
		return "", false
	}
	return string(d), true
}

// fullPhone is Phone through libphonenumber's parser.
func fullPhone(s string, digits int) (string, error) {
	num, err := phonenumbers.Parse(s, PhoneRegion)
	if err != nil {
		return "", failReason(jaga.TypePhone, ReasonPhoneInvalid, "phone has %d digits and is not a phone number", digits)
	}
	if num.GetCountryCode() != 62 {
		return "", failReason(jaga.TypePhone, ReasonPhoneCountry, "phone is not an Indonesian number (+62)")
	}
	// libphonenumber keeps the trunk 0 when stripping it would leave too few digits
	// ("0812-345"); count without it, as the message says.
	nsn := len(strings.TrimPrefix(phonenumbers.GetNationalSignificantNumber(num), "0"))
	switch {
	case nsn < minNSN:
		return "", failReason(jaga.TypePhone, ReasonPhoneLength, "phone has %d digits after +62 or the leading 0; expected %d-%d", nsn, minNSN, maxNSN)
	case nsn > maxNSN:
		return "", failReason(jaga.TypePhone, ReasonPhoneLength, "phone has %d digits after +62 or the leading 0; expected %d-%d", nsn, minNSN, maxNSN)
	}
	if !phonenumbers.IsValidNumberForRegion(num, PhoneRegion) {
		return "", failReason(jaga.TypePhone, ReasonPhoneInvalid, "phone is not a valid Indonesian number (unknown mobile prefix or area code, or wrong length for it)")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// fastMobile handles the common shape of Indonesian mobile numbers — digits with
// separators, written +62 8…, 62 8…, 08… or 8… (a lost trunk 0) — without libphonenumber's
// parser, which costs most of the time on an import; libphonenumber still decides
// validity (IsValidNumberForRegion on the ID metadata, see validNSN). Anything else, or a number the
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
	e164 := "+62" + string(d)
	if !validNSN(e164[3:], nsn) {
		return "", false
	}
	return e164, true
}
