package importer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/importer"
	"jaga/sqlstore/sqlite"
)

// purchasesBySourceRow counts the stored purchases of each subject a customers_id.csv
// line created or merged into, keyed by that line: two vaults compare by source row,
// not by subject ID. (gate's TestPendingPurchases reads linked lines' contents.)
func purchasesBySourceRow(t *testing.T, st *sqlite.DB, rep *importer.Report) map[string]int {
	t.Helper()
	ctx := context.Background()
	out := map[string]int{}
	if err := st.View(ctx, func(tx jaga.Tx) error {
		for _, l := range rep.Lines {
			if l.Status != "created" && l.Status != "merged" {
				continue
			}
			ps, err := tx.Purchases(ctx, l.Subject)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", l.File, l.Line, err)
			}
			out[fmt.Sprintf("%s:%d", l.File, l.Line)] = len(ps)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func importIntake(t *testing.T, g *gate.Gate, dir, name string) *importer.Report {
	t.Helper()
	rep, err := importer.ImportFile(context.Background(), g, filepath.Join(dir, name), importer.Options{Actor: importer_, AllLines: true, DeriveBirthDate: true})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep
}

func counts(t *testing.T, st *sqlite.DB) (purchases, pending int) {
	t.Helper()
	ctx := context.Background()
	if err := st.View(ctx, func(tx jaga.Tx) error {
		var err error
		if purchases, err = tx.CountPurchases(ctx); err != nil {
			return err
		}
		pending, err = tx.CountPendingPurchases(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return purchases, pending
}

// TestPurchasesBeforeCustomers (issue 4, Must show 1: the import order does not matter):
// purchases.csv imported into an empty vault keeps its 26,850 lines pending, encrypted;
// importing it again while they wait stores none twice; customers_id.csv then links every
// line in its own run (purchases.linked_pending), to the same customers, with the same
// contents, as the usual order gives; a third import of purchases.csv finds them stored.
func TestPurchasesBeforeCustomers(t *testing.T) {
	dir := intakeDir(t)

	usual, ust := MustGate(t)
	urep := importIntake(t, usual, dir, "customers_id.csv")
	if p := importIntake(t, usual, dir, "purchases.csv").Purchases; p.Linked != 26850 || p.Pending != 0 || p.LinkedPending != 0 {
		t.Fatalf("usual order: purchases %+v", p)
	}
	want := purchasesBySourceRow(t, ust, urep)

	g, st := MustGate(t)
	for run := range 2 {
		p := importIntake(t, g, dir, "purchases.csv").Purchases
		if p.RowsRead != 26850 || p.Pending != 26850 || p.Linked+p.Unchanged+p.LinkedPending != 0 {
			t.Fatalf("purchases first, run %d: %+v", run, p)
		}
		if n, pending := counts(t, st); n != 0 || pending != 26850 {
			t.Fatalf("purchases first, run %d: %d purchases and %d pending stored; want 0 and 26850", run, n, pending)
		}
	}
	rep := importIntake(t, g, dir, "customers_id.csv")
	if rep.Purchases.LinkedPending != 26850 || rep.Purchases.RowsRead != 0 {
		t.Fatalf("customers after purchases: purchases %+v; want 26850 linked_pending", rep.Purchases)
	}
	if rep.Created != urep.Created || rep.Merged != urep.Merged {
		t.Fatalf("customers after purchases: %d created, %d merged; usual order %d, %d", rep.Created, rep.Merged, urep.Created, urep.Merged)
	}
	if n, pending := counts(t, st); n != 26850 || pending != 0 {
		t.Fatalf("after the customers: %d purchases and %d pending stored; want 26850 and 0", n, pending)
	}
	got := purchasesBySourceRow(t, st, rep)
	if len(got) != len(want) {
		t.Fatalf("%d customer lines with purchases read; usual order %d", len(got), len(want))
	}
	for line, w := range want {
		if got[line] != w {
			t.Fatalf("%s: %d purchases, usual order %d", line, got[line], w)
		}
	}
	// Each purchase once, read through the first line of its subject.
	seen, total := map[jaga.SubjectID]bool{}, 0
	for _, l := range rep.Lines {
		if (l.Status == "created" || l.Status == "merged") && !seen[l.Subject] {
			seen[l.Subject] = true
			total += got[fmt.Sprintf("%s:%d", l.File, l.Line)]
		}
	}
	if total != 26850 {
		t.Fatalf("purchases read per subject add up to %d; want 26850", total)
	}
	p := importIntake(t, g, dir, "purchases.csv").Purchases
	if p.Unchanged != 26850 || p.Linked+p.Pending+p.LinkedPending != 0 {
		t.Fatalf("purchases again after the customers: %+v", p)
	}
}
