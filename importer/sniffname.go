package importer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"jaga/pii"
)

// zipMagic starts every XLSX workbook: a ZIP archive's local file header (PKWARE
// APPNOTE 6.3.10 §4.3.7, signature 0x04034b50).
const zipMagic = "PK\x03\x04"

// oleMagic starts an OLE compound file ([MS-CFB] §2.2): an Excel 97-2003 .xls, or an
// .xlsx saved with a password (ECMA-376 agile encryption wraps the workbook in one).
const oleMagic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

// contentFormat checks the format a file's name gives against its first bytes. A file
// named as a workbook (.xlsx, .xlsm) that is not a ZIP archive is read by its content,
// as staff do not always pick the right extension ("detect, don't ask", issue 4): text
// is read as CSV, or JSON Lines when it starts with '{', and note says so for the
// detected string; an OLE compound file is refused with what it probably is (a
// password-protected workbook or an old .xls) and what to do. Other formats are
// returned as they are.
func contentFormat(name string, head []byte) (f Format, note string, err error) {
	f = detectFormat(name, head)
	if f != FormatXLSX || bytes.HasPrefix(head, []byte(zipMagic)) || len(head) == 0 {
		return f, "", nil
	}
	if bytes.HasPrefix(head, []byte(oleMagic)) {
		return "", "", errors.New("not an XLSX workbook: it is an OLE compound file, which a password-protected workbook or an old Excel 97-2003 .xls is; open it in Excel and save it as .xlsx without a password, or as CSV")
	}
	f = detectFormat("", head) // CSV or JSON Lines: it is not a ZIP archive
	return f, fmt.Sprintf(", read by its content: the name says XLSX but the file is not a workbook (it does not start as a ZIP archive, as every .xlsx does) and is %s text; rename it .%s", formatName(f), strings.ToLower(string(f))), nil
}

// notWorkbookText words the error of a file named as a workbook that is neither a ZIP
// archive nor text (err is the CSV reader's pii.ErrNotText).
func notWorkbookText(err error) error {
	return fmt.Errorf("not an XLSX workbook (it does not start as a ZIP archive, as every .xlsx does) and not CSV text either: %w", err)
}

func formatName(f Format) string {
	if f == FormatJSONL {
		return "JSON Lines"
	}
	return "CSV"
}

// oneColumnError words the error of a CSV file whose header is one column that no field
// matches: most often a file whose delimiter is none of those pii.SniffDelimiter reads
// (comma, semicolon, tab, pipe). It names those, and a punctuation character the
// header holds that may be the delimiter (never the header itself: in a file without a
// header row it is customer data).
func oneColumnError(name, header string) error {
	msg := fmt.Sprintf("%s:1: no delimiter detected: none of comma, semicolon, tab or pipe occurs in the header (outside quotes), so it is one column, and no field matches it", name)
	best, n := byte(0), 0
	for _, c := range []byte("#~^:!*/\\$%&+=") {
		if k := strings.Count(header, string(c)); k > n {
			best, n = c, k
		}
	}
	if n > 0 {
		msg += fmt.Sprintf("; it holds %q %d times: if that separates the columns, save the file with commas, semicolons, tabs or pipes between them", string(best), n)
	} else {
		msg += "; save the file with commas, semicolons, tabs or pipes between its columns"
	}
	return errors.New(msg + ", or, for a file of one column, map it in a mapping file (--mapping)")
}

// errNotText reports whether err is the CSV reader's refusal of a file that is not text.
func errNotText(err error) bool { return errors.Is(err, pii.ErrNotText) }

// has reports whether m (nil for none) maps header h.
func (m *Mapping) has(h string) bool {
	if m == nil {
		return false
	}
	_, ok := m.Columns[headerKey(h)]
	return ok
}
