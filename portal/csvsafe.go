package portal

import (
	"encoding/csv"
	"strings"
)

// safeCSV is a csv.Writer whose cells a spreadsheet shows as the text they hold: a cell
// that starts with =, +, -, @, a tab or a carriage return gets a single quote in front
// (OWASP "CSV Injection"), so that an address such as =HYPERLINK(…) or a city @SUM(A1)
// is shown as the text the customer typed; so does a cell of digits only that a
// spreadsheet would turn into a number and change — 15 digits or more (a 16-digit
// NIK, a KK or card number: Excel keeps 15 significant digits and rounds the rest to
// zeros) or a leading zero (dropped). The customer's data is unchanged otherwise.
type safeCSV struct{ *csv.Writer }

// Write writes one record with every cell escaped.
func (c safeCSV) Write(record []string) error {
	out := make([]string, len(record))
	for i, v := range record {
		out[i] = csvCell(v)
	}
	return c.Writer.Write(out)
}

// longDigits is the number of digits from which a spreadsheet rounds a number (it keeps
// 15 significant digits; a 15-digit one is shown in exponent notation).
const longDigits = 15

// csvCell escapes one cell (see safeCSV).
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	if d := strings.TrimSpace(v); digitsOnly(d) && (len(d) >= longDigits || len(d) > 1 && d[0] == '0') {
		return "'" + v
	}
	return v
}

// digitsOnly reports whether s is one or more ASCII digits.
func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
