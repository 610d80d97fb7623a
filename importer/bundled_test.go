package importer_test

import (
	"bytes"
	"context"
	"testing"

	"jaga"
	"jaga/demodata"
	"jaga/importer"
)

// TestBundledFilesIdempotent imports the bundled customers and purchases twice: 2,240
// subjects and 26,850 linked purchases (identical lines are distinct purchases); the
// second run changes nothing and says so (unchanged).
func TestBundledFilesIdempotent(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	for run := 0; run < 2; run++ {
		rep, err := importer.Import(ctx, g, demodata.CustomersName, bytes.NewReader(demodata.CustomersCSV), 0, importer.Options{Actor: importer_, DeriveBirthDate: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.RowsRead != 2240 || rep.Quarantined+rep.Rejected != 0 {
			t.Fatalf("run %d: %d rows, %d quarantined %v, %d rejected", run, rep.RowsRead, rep.Quarantined, rep.QuarantinedBy, rep.Rejected)
		}
		if run == 1 && rep.Unchanged != 2240 {
			t.Fatalf("second run: %d unchanged; want 2240", rep.Unchanged)
		}
		prep, err := importer.Import(ctx, g, demodata.PurchasesName, bytes.NewReader(demodata.PurchasesCSV), 0, importer.Options{Actor: importer_})
		if err != nil {
			t.Fatal(err)
		}
		p := prep.Purchases
		if p.RowsRead != 26850 || p.Pending+p.Rejected != 0 || prep.RowsRead != 0 {
			t.Fatalf("purchases run %d: %+v", run, p)
		}
		if want := map[int]int{0: 26850, 1: 0}[run]; p.Linked != want {
			t.Fatalf("purchases run %d linked %d; want %d", run, p.Linked, want)
		}
	}
	var subjects, purchases int
	_ = st.View(ctx, func(tx jaga.Tx) error {
		subjects, _ = tx.CountSubjects(ctx)
		purchases, _ = tx.CountPurchases(ctx)
		return nil
	})
	if subjects > 2240 || purchases != 26850 {
		t.Fatalf("stored %d subjects, %d purchases", subjects, purchases)
	}
}
