package portal

import (
	"encoding/csv"
	"strings"
)

// safeCSV is a csv.Writer whose cells cannot run as spreadsheet formulas: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a single quote in front
// (OWASP "CSV Injection"), so that an address such as =HYPERLINK(…) or a city @SUM(A1)
// is shown as the text the customer typed. The customer's data is unchanged otherwise.
type safeCSV struct{ *csv.Writer }

// Write writes one record with every cell escaped.
func (c safeCSV) Write(record []string) error {
	out := make([]string, len(record))
	for i, v := range record {
		out[i] = csvCell(v)
	}
	return c.Writer.Write(out)
}

// csvCell escapes one cell (see safeCSV).
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
