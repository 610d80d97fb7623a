package piiscan

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"jaga/pii"
)

// headerSample is how many records after the first csvHeader compares it with.
const headerSample = 20

// csvRecord is one record of a CSV file and the line it starts on.
type csvRecord struct {
	line  int
	cells []string
}

// csvHeader returns the first of recs (a CSV file's first records) when it reads as a
// header, or nil when it must be treated as data. A header names its columns in hits and
// warnings, so a data row taken for one would print personal data (DESIGN.md invariant
// 6) and go unscanned; a header taken for data only costs the column names. So a
// record is a header only on positive evidence, and when in doubt it is data:
//
//  1. at least one record follows it (a lone record is scanned as data);
//  2. it has a non-empty cell, and every non-empty cell is a label (label): short, with
//     a letter, no '@', no run of three digits, no identifier the scanner finds;
//  3. none of its cells recurs, ignoring case and surrounding space, in the same column
//     of the records that follow (a column's name is not one of its values);
//  4. every column that holds, in the records that follow, a value that is not a label
//     (a number, a date, an e-mail address, a NIK) has a label in the first record (an
//     empty phone cell in a first row of data, over phones below, fails this), and in
//     at least one column most of those values are not labels: a header names its
//     columns and stands out from their values, a data row does not.
//
// Person names, places and addresses do not count (the scanner's name detection is
// made for running text: on a lone cell it misses most names and takes labels such as
// "Nama Lengkap" or "L/P" for names), so the decision is the same with name detection
// on or off and whatever kinds the scan reports. A header cannot be recognised in a
// file of free text only (names and cities): such a file is scanned with its columns
// named by number; nor a data row whose every cell is text over a column of mostly
// numbers (a rare shape, and only with one or two records). The importer guesses
// headers from known column names (importer.GuessTarget); piiscan does not import the
// importer, which carries the gate and the vault's key handling, and judges by the
// shape of the records alone.
func csvHeader(recs [][]string) []string {
	if len(recs) < 2 {
		return nil
	}
	first, body := recs[0], recs[1:]
	if len(body) > headerSample {
		body = body[:headerSample]
	}
	width, named := 0, 0
	for _, r := range recs {
		width = max(width, len(r))
	}
	for _, c := range first {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if !label(c) {
			return nil
		}
		named++
	}
	if named == 0 {
		return nil
	}
	contrast := false
	for i := range width {
		h := ""
		if i < len(first) {
			h = strings.TrimSpace(first[i])
		}
		values, others := 0, 0
		for _, r := range body {
			if i >= len(r) {
				continue
			}
			v := strings.TrimSpace(r[i])
			if v == "" {
				continue
			}
			if h != "" && strings.EqualFold(v, h) {
				return nil
			}
			if label(v) {
				others++
			} else {
				values++
			}
		}
		if values > 0 && h == "" {
			return nil
		}
		if values > others {
			contrast = true
		}
	}
	if !contrast {
		return nil
	}
	return first
}

// maxLabel is the longest a column label may be, in characters.
const maxLabel = 64

// identifiers finds the identifier kinds (pii.IdentifierKinds) for label.
var identifiers = pii.MustScanner(pii.Options{})

// label reports whether the cell c could name a column: valid UTF-8 of at most
// maxLabel characters without control characters, with a letter, without '@' or a run
// of three or more digits, and without an identifier ("Year_Birth", "No. HP/WA",
// "Setuju Penawaran (Y/T)", "AcceptedCmp3" are labels; "12", "2024-05-01",
// "siti@example.com", "Kantor 021-555" are not).
func label(c string) bool {
	c = strings.TrimSpace(c)
	if !utf8.ValidString(c) || utf8.RuneCountInString(c) > maxLabel || strings.ContainsRune(c, '@') {
		return false
	}
	letter, digits := false, 0
	for _, r := range c {
		switch {
		case unicode.IsControl(r):
			return false
		case unicode.IsDigit(r):
			if digits++; digits >= 3 {
				return false
			}
			continue
		case unicode.IsLetter(r):
			letter = true
		}
		digits = 0
	}
	return letter && len(identifiers.Scan([]byte(c))) == 0
}
