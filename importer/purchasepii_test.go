package importer_test

import (
	"path/filepath"
	"slices"
	"testing"

	"jaga/importer"
)

// TestPurchaseDescriptionFlagged: a purchases CSV line whose description holds a phone
// and an NIK is linked and reported with pii_in_free_text:nik and :phone (its customer
// flagged); the same file again links nothing and raises no flag a second time.
func TestPurchaseDescriptionFlagged(t *testing.T) {
	g, _ := MustGate(t)
	dir := t.TempDir()
	importCSV(t, g, filepath.Join(dir, "crm.csv"), "source_id,full_name,email\nC-1,Ani Lestari,ani@example.com\n")
	body := "customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price\n" +
		"C-1,1,A,SET OF 3 CAKE TINS,6,2024-05-01 08:00:00,2.55\n" +
		"C-1,2,B,Beli untuk Budi 081234567890 NIK 3174011505850001,1,2024-05-01 08:01:00,1.85\n"
	p := filepath.Join(dir, "purchases.csv")
	r := importCSV(t, g, p, body)
	if r.Purchases.Linked != 2 || r.Flagged != 1 || r.ReviewBy["pii_in_free_text:nik"] != 1 || r.ReviewBy["pii_in_free_text:phone"] != 1 {
		t.Fatalf("linked %d, flagged %d, review %v; want 2 linked, line 3 flagged nik and phone", r.Purchases.Linked, r.Flagged, r.ReviewBy)
	}
	i := slices.IndexFunc(r.Lines, func(l importer.LineReport) bool { return l.Line == 3 })
	if i < 0 || r.Lines[i].Status != "linked" || !slices.Equal(r.Lines[i].Review, []string{"pii_in_free_text:nik", "pii_in_free_text:phone"}) {
		t.Fatalf("line 3 report: %+v", r.Lines)
	}
	again := importCSV(t, g, p, body)
	if again.Purchases.Unchanged != 2 || again.Flagged != 0 || len(again.ReviewBy) != 0 {
		t.Fatalf("again: %+v, flagged %d, review %v", again.Purchases, again.Flagged, again.ReviewBy)
	}
}
