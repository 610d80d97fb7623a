package normalize

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"jaga"
)

// Reasons of NIK errors, in jaga.Error.Reason: the importer quarantines a row under its
// reason (issue 4) and the PII scanner counts them. They never carry the digits.
const (
	// ReasonNIKPrecisionLost: the NIK went through a spreadsheet number cell, which keeps
	// 15 significant digits ("3,27306E+15", or 16 digits read from a numeric XLSX cell): the
	// digits that remain may look valid and still be wrong, so they are never used.
	ReasonNIKPrecisionLost = "nik_precision_lost"
	// ReasonNIKFormat: a character other than ASCII digits and the separators NIK ignores.
	ReasonNIKFormat = "nik_format"
	// ReasonNIKLength: not 16 digits.
	ReasonNIKLength = "nik_length"
	// ReasonNIKRegion: digits 1-6 are not a district (kecamatan) code of any edition of the
	// Kemendagri table (2016-2025).
	ReasonNIKRegion = "nik_region"
	// ReasonNIKBirthDate: digits 7-12 are not a date DDMMYY (day+40 for women) of 19YY or 20YY.
	ReasonNIKBirthDate = "nik_birth_date"
	// ReasonNIKSerial: digits 13-16 are 0000.
	ReasonNIKSerial = "nik_serial"
)

// NIKInfo is what a valid NIK encodes (UU-PDP.md §4, after Dukcapil: PP KK CC DDMMYY SSSS).
// The codes are digit strings without dots: Province "32", Regency "3204" (regency or city;
// 01-69 are regencies, 71-99 cities), District "320411" (the kecamatan of first
// registration, not necessarily where the person lives now).
type NIKInfo struct {
	NIK      string // the 16 digits
	Province string // digits 1-2
	Regency  string // digits 1-4
	District string // digits 1-6
	// BirthDay (1-31, women's +40 removed), BirthMonth (1-12) and BirthYY (0-99): the
	// century is not encoded (NIKBirthDateAt chooses one).
	BirthDay, BirthMonth, BirthYY int
	Female                        bool   // the day was coded +40
	Serial                        string // digits 13-16
}

// NIK normalises a Nomor Induk Kependudukan (the KTP national ID number) to its 16
// digits. Spaces (any Unicode white space), dots and hyphens are removed first, so
// "3171 0115 0390 9901" and "31.71.01.150390.9901" are accepted.
//
// The layout is PP KK CC DDMMYY SSSS (UU-PDP.md §4, after Dukcapil). The first six digits
// must be a district (kecamatan) code of the Kemendagri region table in any edition from
// 2016 to 2025 (generated from shared/data/wilayah, see WilayahNotice), so a NIK issued
// under a code renumbered since (the Papua districts moved to provinces 93-96 in 2022-2025)
// still passes; DDMMYY must be a real date in 19YY or 20YY, with DD+40 for women (41-71);
// the serial SSSS must not be 0000. A NIK has no check digit.
//
// Errors (EUNPROCESSABLE, Field "nik", Reason one of the ReasonNIK constants) name the
// failing part ("nik has 15 digits; expected 16", "nik digits 1-2 are not a province
// code"), never the digits. Excel's scientific notation ("3,27306E+15", "3.27306e15") is
// ReasonNIKPrecisionLost.
func NIK(raw string) (string, error) {
	var b [16]byte
	if err := nikDigits(raw, &b); err != nil {
		return "", err
	}
	return string(b[:]), nil
}

// ParseNIK is NIK returning what the NIK encodes. Errors are those of NIK.
func ParseNIK(raw string) (NIKInfo, error) {
	var b [16]byte
	if err := nikDigits(raw, &b); err != nil {
		return NIKInfo{}, err
	}
	nik := string(b[:])
	d, m, yy, female := nikDate(&b)
	return NIKInfo{NIK: nik, Province: nik[:2], Regency: nik[:4], District: nik[:6],
		BirthDay: d, BirthMonth: m, BirthYY: yy, Female: female, Serial: nik[12:]}, nil
}

// NIKValid reports whether b is exactly 16 ASCII digits that NIK accepts unchanged
// (district code of any edition, birth date, serial). It allocates nothing and takes
// about as long as a few map-free table look-ups, for the PII scanner to call on every
// 16-digit run it finds.
func NIKValid(b []byte) bool {
	if len(b) != 16 {
		return false
	}
	var a [16]byte
	for i, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		a[i] = c
	}
	r, _ := nikCheck(&a)
	return r == ""
}

// NIKFromNumberCell is NIK for the text of a spreadsheet cell that holds a number (an XLSX
// cell of type n, or a CSV value the importer knows Excel wrote from one). Excel keeps 15
// significant digits of a number, so a 16-digit NIK typed into such a cell lost its last
// digit even when the value read back has 16 digits and looks valid (issue 4): it is never
// used. The error's Reason is ReasonNIKPrecisionLost for scientific notation or a number
// with 16 digits before any decimal part, ReasonNIKLength or ReasonNIKFormat otherwise.
// It never returns a NIK.
func NIKFromNumberCell(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if isSciNumber(s) {
		return "", nikPrecisionLost()
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" || !allDigits(ip) || strings.TrimRight(fp, "0") != "" {
		return "", failReason(jaga.TypeNIK, ReasonNIKFormat, "nik number cell is not a whole number")
	}
	if n := len(strings.TrimLeft(ip, "0")); n != 16 {
		return "", failReason(jaga.TypeNIK, ReasonNIKLength, "nik number cell has %d digits; expected 16", n)
	}
	return "", nikPrecisionLost()
}

func nikPrecisionLost() error {
	return failReason(jaga.TypeNIK, ReasonNIKPrecisionLost,
		"nik was stored as a spreadsheet number, which keeps only 15 significant digits: it must be typed again from the KTP, as text")
}

// isSciNumber reports whether s is a number in scientific notation as spreadsheets write
// it: digits, an optional decimal point or comma and digits, E or e, an optional sign,
// digits ("3,27306E+15", "3.27306e15").
func isSciNumber(s string) bool {
	m, e, ok := strings.Cut(strings.ToUpper(s), "E")
	if !ok || m == "" || e == "" {
		return false
	}
	if e[0] == '+' || e[0] == '-' {
		e = e[1:]
	}
	ip, fp, found := strings.Cut(m, ".")
	if !found {
		ip, fp, _ = strings.Cut(m, ",")
	}
	return ip != "" && allDigits(ip) && allDigits(fp) && e != "" && allDigits(e)
}

// nikDigits collects the digits of raw into b, skipping separators, and checks them.
func nikDigits(raw string, b *[16]byte) error {
	if !utf8.ValidString(raw) {
		return failReason(jaga.TypeNIK, ReasonNIKFormat, "nik is not valid UTF-8")
	}
	n := 0
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			if n < len(b) {
				b[n] = byte(r)
			}
			n++
		case r == '.' || r == '-' || unicode.IsSpace(r):
		default:
			if isSciNumber(strings.TrimSpace(raw)) {
				return nikPrecisionLost()
			}
			return failReason(jaga.TypeNIK, ReasonNIKFormat, "nik must be digits (spaces, dots and hyphens are ignored)")
		}
	}
	if n != 16 {
		return failReason(jaga.TypeNIK, ReasonNIKLength, "nik has %d digits; expected 16", n)
	}
	if reason, msg := nikCheck(b); reason != "" {
		return failReason(jaga.TypeNIK, reason, "%s", msg)
	}
	return nil
}

// nikCheck checks 16 ASCII digits: district, birth date, serial. It returns the reason and
// message of the first failure, or "", "".
func nikCheck(b *[16]byte) (reason, msg string) {
	if r, m := districts.reason(b); r != "" {
		return r, m
	}
	d, m, yy, _ := nikDate(b)
	if !validDate(1900+yy, m, d) && !validDate(2000+yy, m, d) {
		return ReasonNIKBirthDate, "nik digits 7-12 are not a birth date (DDMMYY, day+40 for women)"
	}
	if b[12] == '0' && b[13] == '0' && b[14] == '0' && b[15] == '0' {
		return ReasonNIKSerial, "nik serial (digits 13-16) must not be zero"
	}
	return "", ""
}

// nikDate reads DDMMYY from digits 7-12 of a NIK, taking 40 off the day of a woman. d is
// 0 (invalid) for days 32-40 and above 71.
func nikDate(b *[16]byte) (d, m, yy int, female bool) {
	two := func(i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	d, m, yy = two(6), two(8), two(10)
	switch {
	case d >= 41 && d <= 71:
		d, female = d-40, true
	case d > 31:
		d = 0
	}
	return d, m, yy, female
}

// NIKBirthDate returns the birth date (UTC midnight) and sex coded in digits 7-12 of a
// NIK (UU-PDP.md §4: DDMMYY, day+40 for women; R-3 uses it to flag children). It calls
// NIK first, so nik may carry separators. The NIK holds only two digits of the year:
//   - with yearHint > 0 (the subject's known birth year, e.g. marketing_campaign's
//     Year_Birth), the year ending in YY nearest to yearHint is taken, so the hint's
//     century wins even for implausible years such as 1893;
//   - with yearHint <= 0, the latest of 20YY and 19YY that exists and is not after today
//     (UTC) is taken (this reads the system clock; NIKBirthDateAt takes the time).
//
// Errors (EUNPROCESSABLE, Field "nik"): those of NIK, and a date that does not exist in
// the chosen century (29 February with a hint of 1900) or, without a hint, one after today
// in both centuries.
func NIKBirthDate(nik string, yearHint int) (birth time.Time, female bool, err error) {
	return NIKBirthDateAt(nik, yearHint, time.Now())
}

// NIKBirthDateAt is NIKBirthDate with the current time given, for callers with a
// jaga.Clock and for tests (STYLE.md rule 5). now is used only when yearHint <= 0.
func NIKBirthDateAt(nik string, yearHint int, now time.Time) (birth time.Time, female bool, err error) {
	var b [16]byte
	if err := nikDigits(nik, &b); err != nil {
		return time.Time{}, false, err
	}
	d, m, yy, female := nikDate(&b)
	if yearHint > 0 {
		y := yearHint - yearHint%100 + yy // same century as the hint
		switch {
		case y-yearHint > 50:
			y -= 100
		case yearHint-y > 50:
			y += 100
		}
		if !validDate(y, m, d) {
			return time.Time{}, false, fail(jaga.TypeNIK, "nik birth date does not exist in the century of the year hint")
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), female, nil
	}
	today := now.UTC()
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	for _, y := range []int{2000 + yy, 1900 + yy} {
		if !validDate(y, m, d) {
			continue
		}
		if t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); !t.After(today) {
			return t, female, nil
		}
	}
	return time.Time{}, false, fail(jaga.TypeNIK, "nik birth date is in the future")
}
