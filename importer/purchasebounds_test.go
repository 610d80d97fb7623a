package importer_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPurchaseBounds: an invoice date outside 1970 .. 24 hours ahead, or a quantity or
// price past its bound (no overflow, no 20-digit quantity), rejects the line with its
// line, column and the bound, never the value; lines inside the bounds link.
func TestPurchaseBounds(t *testing.T) {
	g, _ := MustGate(t)
	dir := t.TempDir()
	importCSV(t, g, filepath.Join(dir, "crm.csv"), "source_id,full_name,email\nC-1,Ani Lestari,ani@example.com\n")
	tomorrow := time.Now().UTC().Add(23 * time.Hour).Format(time.DateTime)
	const head = "customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price\n"
	lines := []struct {
		row  string
		code string // "" = linked
		want string
	}{
		{"C-1,1,A,Teh,6,2024-05-01 08:00:00,2.55", "", ""},
		{"C-1,2,A,Teh,-9360,2010-12-01 08:26:00,0", "", ""},
		{"C-1,3,A,Teh,1," + tomorrow + ",1", "", ""},
		{"C-1,4,A,Teh,1,2099-01-01 00:00:00,1", "invalid_invoice_date", "column 6: invoice date is more than 24 hours after the server clock"},
		{"C-1,5,A,Teh,1,1969-12-31T23:00:00Z,1", "invalid_invoice_date", "column 6: invoice date is before 1970-01-01T00:00:00Z"},
		{"C-1,6,A,Teh,99999999999999999999,2024-05-01 08:00:00,1", "invalid_quantity", "column 5: quantity is outside -1,000,000 to 1,000,000"},
		{"C-1,7,A,Teh,-1000001,2024-05-01 08:00:00,1", "invalid_quantity", "column 5: quantity is outside"},
		{"C-1,8,A,Teh,1,2024-05-01 08:00:00,1000000000000.01", "invalid_unit_price", "column 7: unit price is outside -1,000,000,000,000 to 1,000,000,000,000"},
		{"C-1,9,A,Teh,1.1234567,2024-05-01 08:00:00,1", "invalid_quantity", "more than 6 digits after the decimal point"},
	}
	var b strings.Builder
	b.WriteString(head)
	for _, l := range lines {
		b.WriteString(l.row + "\n")
	}
	r := importCSV(t, g, filepath.Join(dir, "purchases.csv"), b.String())
	if r.Purchases.Linked != 3 || r.Purchases.Rejected != 6 {
		t.Fatalf("purchases %+v; want 3 linked, 6 rejected", r.Purchases)
	}
	for i, l := range lines {
		if l.code == "" {
			continue
		}
		line := i + 2
		found := false
		for _, lr := range r.Lines {
			if lr.Line != line {
				continue
			}
			found = true
			msg := lr.Error()
			if lr.Status != "rejected" || lr.Reasons[0].Code != l.code || !strings.Contains(msg, l.want) {
				t.Errorf("line %d: %s (%s); want rejected %s with %q", line, msg, lr.Reasons[0].Code, l.code, l.want)
			}
			if strings.Contains(msg, "2099") || strings.Contains(msg, "99999") {
				t.Errorf("line %d: the reason carries the value: %s", line, msg)
			}
		}
		if !found {
			t.Errorf("line %d not reported", line)
		}
	}
}
