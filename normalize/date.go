package normalize

import (
	"fmt"
	"strings"
	"time"

	"jaga"
)

// Date normalises a calendar date to ISO 8601 "YYYY-MM-DD". It accepts, trimmed:
//   - year first: YYYY-MM-DD (month and day may have one digit: "2024-7-5");
//   - day first, as Indonesian forms and spreadsheets write it: DD-MM-YYYY, DD/MM/YYYY
//     or DD.MM.YYYY, with one or two digits for day and month ("7/8/1985" is 7 August)
//     and the same separator twice.
//
// The year has four digits, 0001-9999; no plausibility range is applied (the source
// data has birth years such as 1893, and an age check is policy, not syntax).
//
// Errors (EUNPROCESSABLE, Field "date"): another shape, or a date that does not exist
// (day 32, month 13, 29 February of a common year). The message never says which part
// is wrong, since the parts of a birth date are personal data.
func Date(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	y, m, d, ok := splitDate(s)
	if !ok {
		return "", fail(jaga.TypeDate, "date must be YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY")
	}
	if !validDate(y, m, d) {
		return "", fail(jaga.TypeDate, "date does not exist in the calendar")
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// splitDate reads "Y-M-D" (4-digit year first) or "D?M?Y" (4-digit year last, ? one of
// - / . used twice) into numbers.
func splitDate(s string) (y, m, d int, ok bool) {
	if len(s) < 8 || len(s) > 10 {
		return 0, 0, 0, false
	}
	var sep byte
	for _, c := range []byte{'-', '/', '.'} {
		if strings.IndexByte(s, c) >= 0 {
			if sep != 0 {
				return 0, 0, 0, false // mixed separators
			}
			sep = c
		}
	}
	parts := strings.Split(s, string(sep))
	if sep == 0 || len(parts) != 3 {
		return 0, 0, 0, false
	}
	for _, p := range parts {
		if p == "" || !allDigits(p) {
			return 0, 0, 0, false
		}
	}
	switch {
	case len(parts[0]) == 4 && sep == '-' && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), true
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return atoi(parts[2]), atoi(parts[1]), atoi(parts[0]), true
	}
	return 0, 0, 0, false
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
