package normalize

import (
	"time"
	"unicode"
	"unicode/utf8"

	"jaga"
)

// nikProvinces are the province codes a NIK can start with (UU-PDP.md §4, from Dukcapil;
// the same 38 codes as the Kemendagri table in shared/data/wilayah): 11-19, 21, 31-36,
// 51-53, 61-65, 71-76, 81, 82, 91-96.
var nikProvinces = func() (set [100]bool) {
	for _, r := range [][2]int{{11, 19}, {21, 21}, {31, 36}, {51, 53}, {61, 65}, {71, 76}, {81, 82}, {91, 96}} {
		for c := r[0]; c <= r[1]; c++ {
			set[c] = true
		}
	}
	return set
}()

// NIK normalises a Nomor Induk Kependudukan (the KTP national ID number) to its 16
// digits. Spaces (any Unicode white space), dots and hyphens are removed first, so
// "3171 0115 0390 9901" and "31.71.01.150390.9901" are accepted.
//
// The layout is PP KK CC DDMMYY SSSS (UU-PDP.md §4, after Dukcapil): province PP must be
// one of 11-19, 21, 31-36, 51-53, 61-65, 71-76, 81, 82, 91-96; regency KK not 00 or 70
// (01-69 regencies, 71-99 cities); district CC not 00; DDMMYY a real date in 19YY or
// 20YY, with DD+40 for women (41-71); serial SSSS not 0000. A NIK has no check digit.
// There is no district table yet (a later issue adds one from the Kemendagri codes, old
// renumbered codes included), so a well-formed NIK of a district that does not exist is
// accepted.
//
// Errors (EUNPROCESSABLE, Field "nik") name the failing part ("nik has 15 digits;
// expected 16", "nik digits 1-2 are not a province code"), never the digits.
func NIK(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fail(jaga.TypeNIK, "nik is not valid UTF-8")
	}
	var b [16]byte
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
			return "", fail(jaga.TypeNIK, "nik must be digits (spaces, dots and hyphens are ignored)")
		}
	}
	if n != 16 {
		return "", fail(jaga.TypeNIK, "nik has %d digits; expected 16", n)
	}
	nik := string(b[:])
	if !nikProvinces[atoi(nik[0:2])] {
		return "", fail(jaga.TypeNIK, "nik digits 1-2 are not a province code")
	}
	if kk := atoi(nik[2:4]); kk == 0 || kk == 70 {
		return "", fail(jaga.TypeNIK, "nik digits 3-4 are not a regency or city code")
	}
	if nik[4:6] == "00" {
		return "", fail(jaga.TypeNIK, "nik digits 5-6 are not a district code")
	}
	d, m, yy, _ := nikDate(nik)
	if !validDate(1900+yy, m, d) && !validDate(2000+yy, m, d) {
		return "", fail(jaga.TypeNIK, "nik digits 7-12 are not a birth date (DDMMYY, day+40 for women)")
	}
	if nik[12:] == "0000" {
		return "", fail(jaga.TypeNIK, "nik serial (digits 13-16) must not be zero")
	}
	return nik, nil
}

// nikDate reads DDMMYY from digits 7-12 of a 16-digit NIK, taking 40 off the day of a
// woman. d is 0 (invalid) for days 32-40 and above 71.
func nikDate(nik string) (d, m, yy int, female bool) {
	d, m, yy = atoi(nik[6:8]), atoi(nik[8:10]), atoi(nik[10:12])
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
	nik, err = NIK(nik)
	if err != nil {
		return time.Time{}, false, err
	}
	d, m, yy, female := nikDate(nik)
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
