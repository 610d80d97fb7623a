package normalize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"jaga"
)

// Date normalises a calendar date to ISO 8601 "YYYY-MM-DD". It accepts, trimmed:
//   - year first: YYYY-MM-DD (month and day may have one digit: "2024-7-5");
//   - day first, as Indonesian forms and spreadsheets write it: DD-MM-YYYY, DD/MM/YYYY
//     or DD.MM.YYYY, with one or two digits for day and month ("7/8/1985" is 7 August,
//     never 8 July) and the same separator twice;
//   - day, month name, year: "17 Agustus 1985", "17-Agu-1985", "17 Agt. 1985",
//     "17 agustus, 1985", with the month in Bahasa Indonesia or English, in full or
//     abbreviated, in any case (see monthNames), separated by spaces, "-", "/" or ".".
//
// The year has four digits, 0001-9999 (a two-digit year is refused: its century would be
// a guess); no plausibility range is applied (the source data has birth years such as
// 1893, and an age check is policy, not syntax). Spreadsheet serial numbers are read by
// ExcelDate, not here: a bare number is not a date in free text.
//
// Errors (EUNPROCESSABLE, Field "date", Reason "date_invalid"): another shape, an unknown
// month name, a two-digit year, or a date that does not exist (day 32, month 13, 29
// February of a common year). The message says which rule failed, never the value.
func Date(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	y, m, d, err := splitDate(s)
	if err != nil {
		return "", err
	}
	if !validDate(y, m, d) {
		return "", fail(jaga.TypeDate, "date does not exist in the calendar")
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// monthNames maps lower-case month names and abbreviations to month numbers: Bahasa
// Indonesia (with the older spellings Pebruari, Nopember and the abbreviations Agt, Ags,
// Agu, Agus, Okt, Nop, Des, Peb used on forms and in KBBI) and English.
var monthNames = map[string]int{
	"januari": 1, "january": 1, "jan": 1,
	"februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2, "pebr": 2, "febr": 2,
	"maret": 3, "march": 3, "mar": 3, "mrt": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "june": 6, "jun": 6,
	"juli": 7, "july": 7, "jul": 7,
	"agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "agst": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "spt": 9,
	"oktober": 10, "october": 10, "okt": 10, "oct": 10,
	"november": 11, "nopember": 11, "nov": 11, "nop": 11,
	"desember": 12, "december": 12, "des": 12, "dec": 12,
}

// splitDate reads the three parts of a date in one of Date's shapes.
func splitDate(s string) (y, m, d int, err error) {
	shape := fail(jaga.TypeDate, "date must be YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or DD Month YYYY (Bahasa or English month name)")
	if s == "" {
		return 0, 0, 0, fail(jaga.TypeDate, "date is empty")
	}
	if len(s) > 40 {
		return 0, 0, 0, shape
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			return monthNameDate(s, shape)
		}
	}
	var sep byte
	for _, c := range []byte{'-', '/', '.'} {
		if strings.IndexByte(s, c) >= 0 {
			if sep != 0 {
				return 0, 0, 0, fail(jaga.TypeDate, "date mixes separators; use one of - / . twice")
			}
			sep = c
		}
	}
	if sep == 0 {
		return 0, 0, 0, shape
	}
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return 0, 0, 0, shape
	}
	for _, p := range parts {
		if p == "" || len(p) > 4 || !allDigits(p) {
			return 0, 0, 0, shape
		}
	}
	switch {
	case len(parts[0]) == 4 && sep == '-' && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), nil
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return atoi(parts[2]), atoi(parts[1]), atoi(parts[0]), nil
	case len(parts[2]) == 2 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return 0, 0, 0, fail(jaga.TypeDate, "date has a two-digit year; write the year with four digits")
	}
	return 0, 0, 0, shape
}

// monthNameDate reads "D Month YYYY" with separators space - / . and an optional comma
// before the year.
func monthNameDate(s string, shape error) (y, m, d int, err error) {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '/' || r == '.' || r == ','
	})
	if len(f) != 3 || len(f[0]) > 2 || !allDigits(f[0]) || len(f[2]) > 4 || !allDigits(f[2]) {
		return 0, 0, 0, shape
	}
	m, ok := monthNames[f[1]]
	if !ok {
		return 0, 0, 0, fail(jaga.TypeDate, "date has an unknown month name (Bahasa Indonesia or English, in full or abbreviated)")
	}
	if len(f[2]) != 4 {
		return 0, 0, 0, fail(jaga.TypeDate, "date year must have four digits")
	}
	return atoi(f[2]), m, atoi(f[0]), nil
}

// atoi converts a string of at most 4 ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validDate reports whether y-m-d is a day of the proleptic Gregorian calendar with
// y in 1..9999.
func validDate(y, m, d int) bool {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && int(t.Month()) == m
}

// maxExcelSerial is 9999-12-31 in Excel's 1900 date system.
const maxExcelSerial = 2958465

// ExcelDate converts a spreadsheet date serial number to "YYYY-MM-DD": the number an
// XLSX date cell holds (ECMA-376 Part 1 §18.17.4, the 1900 date system, which Excel for
// Windows uses and .xlsx files default to). Day 1 is 1900-01-01; Excel (after Lotus 1-2-3)
// counts a 29 February 1900 that never existed as day 60, so serials from 61 on are one
// day ahead: 61 is 1900-03-01. A fraction is a time of day and is dropped ("31276.75" is
// 1985-08-17). raw may be surrounded by spaces.
//
// Errors (EUNPROCESSABLE, Field "date", Reason "date_invalid"): not a decimal number,
// below 1, above 2958465 (9999-12-31), or day 60, the date that does not exist.
func ExcelDate(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" || len(ip) > 7 || !allDigits(ip) || !allDigits(fp) {
		return "", fail(jaga.TypeDate, "date serial must be a positive number (days since 1899-12-31)")
	}
	n, _ := strconv.Atoi(ip)
	return excelSerial(n)
}

// ExcelDateFloat is ExcelDate for a number already read as a float64 (NaN and the
// infinities are errors).
func ExcelDateFloat(v float64) (string, error) {
	if math.IsNaN(v) || v < 1 || v >= maxExcelSerial+1 {
		return "", fail(jaga.TypeDate, "date serial must be at least 1 (1900-01-01) and at most the serial of 9999-12-31")
	}
	return excelSerial(int(v))
}

func excelSerial(n int) (string, error) {
	switch {
	case n < 1 || n > maxExcelSerial:
		return "", fail(jaga.TypeDate, "date serial must be at least 1 (1900-01-01) and at most the serial of 9999-12-31")
	case n == 60:
		return "", fail(jaga.TypeDate, "date serial 60 is 29 February 1900, which does not exist (a bug Excel keeps)")
	case n > 60:
		n-- // skip the phantom 29 February 1900
	}
	return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly), nil
}
