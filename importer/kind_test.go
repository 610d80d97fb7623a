package importer_test

import (
	"path/filepath"
	"testing"

	"jaga/importer"
)

// TestFileKind: a file with a customer column is a purchase file when it has purchase
// columns or no field; a people file keyed by customer_id (a CRM export) is people,
// its customer column the source ID — or ignored beside a source_id column — so that
// re-importing it is idempotent.
func TestFileKind(t *testing.T) {
	for _, tc := range []struct {
		name, header, row string
		kind              importer.Kind
		customer          string // the customer column's target
	}{
		{"crm.csv", "customer_id,full_name,email", "C-1,Ani Lestari,ani@example.com", importer.KindSubjects, "source_id"},
		{"crm2.csv", "source_id,customer_id,full_name,email", "S-1,C-1,Budi Santoso,budi@example.com", importer.KindSubjects, "ignore"},
		{"lines.csv", "customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price", "C-1,1,A,X,1,2024-05-01 08:00:00,1.5", importer.KindPurchases, "customer"},
		{"ids.csv", "customer_id,invoice_no", "C-1,1", importer.KindPurchases, "customer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := MustGate(t)
			path := filepath.Join(t.TempDir(), tc.name)
			r := importCSV(t, g, path, tc.header+"\n"+tc.row+"\n")
			if len(r.Files) != 1 || r.Files[0].Kind != tc.kind {
				t.Fatalf("kind %v, want %s", r.Files, tc.kind)
			}
			col := "customer_id"
			if tc.kind == importer.KindPurchases && tc.name == "lines.csv" {
				col = "customer_source_id"
			}
			if got := r.Files[0].Columns[col]; got != tc.customer {
				t.Errorf("%s → %q, want %q", col, got, tc.customer)
			}
			if tc.kind == importer.KindSubjects {
				if r.Created != 1 {
					t.Fatalf("created %d", r.Created)
				}
				if again := importCSV(t, g, path, tc.header+"\n"+tc.row+"\n"); again.Unchanged != 1 {
					t.Errorf("re-import: unchanged %d, created %d", again.Unchanged, again.Created)
				}
			}
		})
	}
}
