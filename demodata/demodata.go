// Package demodata embeds the bundled customer data that `jaga demo` serves, so that the
// demo runs on a clone anywhere, not only beside ../shared. See SOURCES.md.
package demodata

import _ "embed"

// CustomersCSV is customers_id.csv: 2,240 customers with synthetic identities over the
// real marketing_campaign columns.
//
//go:embed customers_id.csv
var CustomersCSV []byte

// PurchasesCSV is purchases.csv: 26,850 real invoice lines (UCI Online Retail, Dec 2010)
// mapped onto the 948 customers with the smallest source_id.
//
//go:embed purchases.csv
var PurchasesCSV []byte

// The file names the demo imports them under (they key the rows, so that re-running
// the demo imports nothing twice).
const (
	CustomersName = "customers_id.csv"
	PurchasesName = "purchases.csv"
)
