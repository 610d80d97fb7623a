package importer

// How the importer reads the cells of a people file with package normalize: NIKs from
// spreadsheet number cells, landlines kept unverified, Excel date serials, consent
// answers, city names, collection times and the dates of sheet titles.

import (
	"regexp"
	"strings"
	"time"

	"jaga"
	"jaga/normalize"
)

// wib is Western Indonesian Time (UTC+7), the zone of Jakarta, for source times that
// name no zone.
var wib = jaga.WIB

// nikCell returns the problem of a NIK cell that lost digits in a spreadsheet, reason
// nik_precision_lost: any number cell (normalize.NIKFromNumberCell: a double keeps 15
// significant digits, so even a 16-digit NIK read back may be wrong) and text in
// Excel's scientific notation ("3,27306E+15", normalize.NIK). ok is false for any other
// cell, which the gate normalises and, if need be, quarantines with its reason.
func nikCell(field, raw string, numberCell bool) (jaga.RowReason, bool) {
	var err error
	switch {
	case numberCell:
		_, err = normalize.NIKFromNumberCell(raw)
	case strings.ContainsAny(raw, "eE"): // the notation has an E; plain NIKs skip a second parse
		_, err = normalize.NIK(raw)
	}
	e := jaga.AsError(err)
	switch {
	case e != nil && e.Reason == normalize.ReasonNIKPrecisionLost:
		return jaga.RowReason{Field: field, Code: e.Reason, Reason: jaga.ErrorMessage(err)}, true
	case err != nil && numberCell:
		return jaga.RowReason{Field: field, Code: "invalid_" + field, Reason: jaga.ErrorMessage(err)}, true
	}
	return jaga.RowReason{}, false
}

// unverifiedPhone returns the E.164 form of a number normalize.ParsePhone keeps
// unverified (a landline libphonenumber does not know), which is stored flagged
// phone_unverified rather than dropped; ok is false for anything else, which the gate
// normalises (or rejects with the reason).
func unverifiedPhone(raw string) (string, bool) {
	p, err := normalize.ParsePhone(raw)
	if err != nil || !p.Unverified {
		return "", false
	}
	return p.E164, true
}

// excelDate reads a date from a spreadsheet number cell (normalize.ExcelDate); a cell it
// cannot read is returned as it is, for the gate's date rule to refuse with the reason.
func excelDate(raw string) string {
	if d, err := normalize.ExcelDate(raw); err == nil {
		return d
	}
	return raw
}

// readConsent reads a consent cell (normalize.YesNo: Y/Ya/Yes/1/true given, T/Tidak/N/
// No/0/false refused); ok is false for a blank cell, which records nothing.
func readConsent(raw string) (jaga.ConsentStatus, bool, error) {
	a, err := normalize.YesNo(raw)
	switch {
	case err != nil:
		return "", false, err
	case a == normalize.AnswerYes:
		return jaga.ConsentGiven, true, nil
	case a == normalize.AnswerNo:
		return jaga.ConsentRefused, true, nil
	}
	return "", false, nil
}

// cityName returns the canonical name of the regency or city a cell names
// (normalize.Place: "Jaksel" → "Kota Administrasi Jakarta Selatan", "Kab. Bogor" →
// "Kabupaten Bogor"), or, for a name Place does not know, the cell with its white space
// folded and written in capitals or lower case only title-cased (normalize.DisplayName).
func cityName(raw string) string {
	if r, ok := normalize.Place(raw); ok && r.Level == 2 {
		return r.Name
	}
	s := strings.Join(strings.Fields(raw), " ")
	if s == "" {
		return raw
	}
	return normalize.DisplayName(s)
}

// collectedAt reads a collection time: RFC 3339 with a zone, or a date alone (any shape
// normalize.Date reads: DD/MM/YYYY, "17 Agustus 2024", …), which is taken as 23:59 WIB
// of that day: the latest the row can have been collected, so that a decision made that
// day is never dated before an earlier one of the same day. The time keeps the source's
// UTC offset: the gate stores it in UTC and takes the consent's local zone (WIB, WITA,
// WIT) from it (R-7: time UTC and local).
func collectedAt(raw string) (time.Time, bool) {
	s := strings.TrimSpace(raw)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	d, err := normalize.Date(s)
	if err != nil {
		return time.Time{}, false
	}
	return endOfDayWIB(d)
}

func endOfDayWIB(date string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, date, wib)
	if err != nil {
		return time.Time{}, false
	}
	return t.Add(23*time.Hour + 59*time.Minute), true // in WIB, the zone it was read in
}

var titleRange = regexp.MustCompile(`(?i)(\d{1,2})\s*(?:-|–|s/d|sampai)\s*(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})`)
var titleDay = regexp.MustCompile(`(?i)(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})`)

// titleDate finds the last day an event title names ("12-15 September 2024" → 15
// September 2024; the month as normalize.Date reads it) and returns 23:59 WIB of it: the
// collection time of a sign-up sheet whose rows carry none.
func titleDate(title string) (time.Time, bool) {
	var day string
	if m := titleRange.FindStringSubmatch(title); m != nil {
		day = m[2] + " " + m[3] + " " + m[4]
	} else if m := titleDay.FindStringSubmatch(title); m != nil {
		day = m[0]
	} else {
		return time.Time{}, false
	}
	d, err := normalize.Date(day)
	if err != nil {
		return time.Time{}, false
	}
	return endOfDayWIB(d)
}
