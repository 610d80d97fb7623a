package importer

// Adapters for normalisers that package normalize gains on another branch (issue 4's
// normaliser half): Indonesian dates with month names and Excel serials, the
// nik_precision_lost test, landline phones kept unverified, the Y/T tri-state and city
// names. Each is small and unexported, so that the lead can switch it to the normalize
// function at merge.

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"jaga"
	"jaga/normalize"
)

// wib is Western Indonesian Time (UTC+7), the zone of Jakarta, for source times that
// name no zone.
var wib = time.FixedZone("WIB", 7*3600)

// months are the Indonesian and English month names and their common abbreviations.
var months = map[string]time.Month{
	"januari": 1, "january": 1, "jan": 1,
	"februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
	"maret": 3, "march": 3, "mar": 3,
	"april": 4, "apr": 4,
	"mei": 5, "may": 5,
	"juni": 6, "june": 6, "jun": 6,
	"juli": 7, "july": 7, "jul": 7,
	"agustus": 8, "august": 8, "agu": 8, "agt": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9,
	"oktober": 10, "october": 10, "okt": 10, "oct": 10,
	"november": 11, "nopember": 11, "nov": 11, "nop": 11,
	"desember": 12, "december": 12, "des": 12, "dec": 12,
}

var wordDate = regexp.MustCompile(`^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$`)

// indoDate reads a date as Indonesian forms write it and returns YYYY-MM-DD, or the
// input unchanged when it is no date it knows (normalize.Date then says why): "17
// Agustus 1985" (Indonesian or English month, full or abbreviated), and whatever
// normalize.Date reads ("17-08-1985", "7/8/1985", "1985-08-17"). An Excel serial is read
// only from a number cell (excelDate).
// ADAPTER: normalize.Date with month names (branch normalize).
func indoDate(raw string) string {
	s := strings.TrimSpace(raw)
	if m := wordDate.FindStringSubmatch(s); m != nil {
		mon, ok := months[strings.ToLower(m[2])]
		if !ok {
			return raw
		}
		d, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[3])
		t := time.Date(y, mon, d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d {
			return raw
		}
		return t.Format(time.DateOnly)
	}
	return raw
}

// excelDate turns an Excel date serial (days since 1899-12-30 in the 1900 date system,
// which counts the non-existent 29 February 1900, so serials from 61 on are off by one
// day against a plain count from 1899-12-31) into YYYY-MM-DD. ok is false for a value
// that is not a whole number of days from 1 (1900-01-01) to 2958465 (9999-12-31).
// ADAPTER: normalize's Excel serial dates (branch normalize).
func excelDate(raw string) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || f < 1 || f > 2958465 || f != float64(int64(f)) {
		return "", false
	}
	n := int(f)
	if n == 60 {
		return "", false // 29 February 1900 does not exist
	}
	if n < 60 {
		n++ // before the phantom leap day
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format(time.DateOnly), true
}

// nikPrecisionLost reports whether a NIK cell lost digits in a spreadsheet: a number
// cell (a double keeps 15 significant digits, so a 16-digit NIK read back may look
// valid and still be wrong), or text in scientific notation ("3,27306E+15",
// "3.27306E+15"). Such a NIK is never guessed: the row is quarantined.
// ADAPTER: normalize's nik_precision_lost (branch normalize).
func nikPrecisionLost(raw string, numberCell bool) bool {
	s := strings.TrimSpace(raw)
	if s == "" {
		return false
	}
	if numberCell {
		return true
	}
	up := strings.ToUpper(s)
	if i := strings.Index(up, "E+"); i > 0 {
		return true
	}
	return false
}

// landline keeps an Indonesian fixed-line number that libphonenumber rejects (an area
// code it does not know, a length it does not expect) as "+62" and its digits, so that
// it is stored flagged phone_unverified instead of dropped: the digits after the trunk
// 0 (or 62) must start with an area-code digit 2-7 and be 7-11 long. ok is false for
// anything else (a malformed mobile number stays an error).
// ADAPTER: normalize's unverified landlines (branch normalize).
func landline(raw string) (string, bool) {
	if _, err := normalize.Phone(raw); err == nil {
		return "", false
	}
	var d strings.Builder
	for _, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '+':
		default:
			return "", false
		}
	}
	s := d.String()
	switch {
	case strings.HasPrefix(s, "62"):
		s = s[2:]
	case strings.HasPrefix(s, "0"):
		s = s[1:]
	default:
		return "", false
	}
	if len(s) < 7 || len(s) > 11 || s[0] < '2' || s[0] > '7' {
		return "", false
	}
	return "+62" + s, true
}

// yesNo reads a consent cell: Y, Ya, Yes, 1, true, ✓ → given; N, T (tidak), Tidak, No,
// 0, false → refused; empty → no record (ok false). Other text is an error.
// ADAPTER: normalize's Y/T/Ya/Tidak tri-state (branch normalize).
func yesNo(s string) (jaga.ConsentStatus, bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", false, nil
	case "y", "ya", "yes", "1", "true", "✓", "v", "setuju":
		return jaga.ConsentGiven, true, nil
	case "n", "t", "tidak", "no", "0", "false", "tidak setuju":
		return jaga.ConsentRefused, true, nil
	}
	return "", false, errConsentCell
}

type consentCellError struct{}

func (consentCellError) Error() string { return "consent must be Y or T/N (Ya/Tidak, Yes/No)" }

var errConsentCell error = consentCellError{}

// cityAbbrev expands the abbreviations of Indonesian regency and city names
// ("Kab. Bogor" → "Kabupaten Bogor", "Jaksel" → "Jakarta Selatan") and title-cases a
// name written all in capitals or all in lower case ("BANDUNG" → "Bandung").
// ADAPTER: normalize's city names (branch normalize).
func cityName(raw string) string {
	s := strings.Join(strings.Fields(raw), " ")
	if s == "" {
		return raw
	}
	low := strings.ToLower(s)
	switch low {
	case "jaksel":
		return "Jakarta Selatan"
	case "jakbar":
		return "Jakarta Barat"
	case "jaktim":
		return "Jakarta Timur"
	case "jakut":
		return "Jakarta Utara"
	case "jakpus":
		return "Jakarta Pusat"
	}
	for _, p := range []string{"kab. ", "kab "} {
		if strings.HasPrefix(low, p) {
			s = "Kabupaten " + s[len(p):]
			break
		}
	}
	return normalize.DisplayName(s)
}

// collectedAt reads a collection time: RFC 3339 with a zone, or a date alone
// (DD/MM/YYYY and the other indoDate shapes), which is taken as 23:59 WIB of that day:
// the latest the row can have been collected, so that a decision made that day is
// never dated before an earlier one of the same day. The time keeps the source's UTC
// offset: the gate stores it in UTC and takes the consent's local zone (WIB, WITA,
// WIT) from it (R-7: time UTC and local).
func collectedAt(raw string) (time.Time, bool) {
	s := strings.TrimSpace(raw)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	d, err := normalize.Date(indoDate(s))
	if err != nil {
		return time.Time{}, false
	}
	t, _ := time.ParseInLocation(time.DateOnly, d, wib)
	return t.Add(23*time.Hour + 59*time.Minute), true
}

var titleRange = regexp.MustCompile(`(?i)(\d{1,2})\s*(?:-|–|s/d|sampai)\s*(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})`)
var titleDay = regexp.MustCompile(`(?i)(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})`)

// titleDate finds the last day an event title names ("12-15 September 2024" → 15
// September 2024) and returns 23:59 WIB of it (in WIB): the collection time of a sign-up sheet
// whose rows carry none.
func titleDate(title string) (time.Time, bool) {
	var d, y int
	var mon time.Month
	if m := titleRange.FindStringSubmatch(title); m != nil {
		d, _ = strconv.Atoi(m[2])
		mon = months[strings.ToLower(m[3])]
		y, _ = strconv.Atoi(m[4])
	} else if m := titleDay.FindStringSubmatch(title); m != nil {
		d, _ = strconv.Atoi(m[1])
		mon = months[strings.ToLower(m[2])]
		y, _ = strconv.Atoi(m[3])
	}
	if mon == 0 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, mon, d, 23, 59, 0, 0, wib), true
}
