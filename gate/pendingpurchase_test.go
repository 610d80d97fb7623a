package gate_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

func pendingRows() []gate.PurchaseRow {
	p := func(cust, line, desc string) gate.PurchaseRow {
		return gate.PurchaseRow{Key: []string{"test", "purchase", "late.csv", line}, SubjectKey: []string{"test", "source_id", cust},
			Purchase: gate.Purchase{InvoiceNo: "INV-" + line, StockCode: "S" + line, Description: desc, Quantity: "2", InvoiceDate: "2024-05-01 10:00:00", UnitPrice: "1.50"}}
	}
	return []gate.PurchaseRow{p("c1", "2", "TENUN IKAT MERAH"), p("c1", "3", "BATIK TULIS"), p("c2", "4", "KAIN SONGKET")}
}

func commitCustomer(t *testing.T, f *fixture, cust, email string) []gate.IntakeOutcome {
	t.Helper()
	ctx := context.Background()
	req := f.req(jaga.RoleService, jaga.PurposeServiceProvision)
	b, err := f.g.PrepareIntake(ctx, req, []gate.IntakeRow{{Key: []string{"test", "source_id", cust}, File: "customers.csv", Line: 2,
		Values: map[string]string{"full_name": "Rina Sari", "email": email}, Channel: jaga.ChannelStoreVisit}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.g.CommitIntake(ctx, f.g.NewIntakeSession(0), b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPendingPurchases: lines of an unknown customer are kept pending (once, however
// often imported); the customer's intake links them in its own transaction, counted on
// its row and audited as one import of purchases; the purchases then read as imported;
// a line of a customer who never comes is purged after gate.PendingPurchaseRetention,
// by Jaga's job or the dpo only, with one audit event.
func TestPendingPurchases(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	clk := newTestClock(t0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	req := f.req(jaga.RoleService, jaga.PurposeServiceProvision)
	for run := range 2 {
		res, err := f.g.ImportPurchases(ctx, req, pendingRows())
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int]int{0: 3, 1: 0}[run]; len(res.Errors) != 3 || res.KeptPending != want || res.Inserted != 0 {
			t.Fatalf("run %d: %+v; want 3 pending, %d of them new", run, res, want)
		}
	}
	out := commitCustomer(t, f, "c1", "rina@example.com")
	if len(out) != 1 || out[0].Status != gate.IntakeCreated || out[0].LinkedPurchases != 2 {
		t.Fatalf("customer c1: %+v; want created with 2 purchases linked", out)
	}
	ps, err := f.g.Purchases(ctx, gate.ReadRequest{Request: req, Subject: out[0].Subject})
	if err != nil {
		t.Fatal(err)
	}
	var descs []string
	for _, p := range ps {
		descs = append(descs, p.Description)
	}
	slices.Sort(descs)
	if !slices.Equal(descs, []string{"BATIK TULIS", "TENUN IKAT MERAH"}) {
		t.Fatalf("linked purchases %v", descs)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionImport, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	linkedEv := 0
	for _, e := range evs {
		if e.Count == 2 && slices.Equal(e.FieldsRequested, []string{jaga.FieldPurchases}) && slices.Equal(e.Subjects, []jaga.SubjectID{out[0].Subject}) {
			linkedEv++
		}
	}
	if linkedEv != 1 {
		t.Fatalf("%d import events of the 2 linked purchases; want 1", linkedEv)
	}
	// The purchase file again: c1's lines are stored, c2's still pending.
	res, err := f.g.ImportPurchases(ctx, req, pendingRows())
	if err != nil || res.Existing != 2 || res.Inserted != 0 || len(res.Errors) != 1 || res.KeptPending != 0 {
		t.Fatalf("again after c1: %+v, %v", res, err)
	}

	job := gate.Request{Actor: &jaga.Actor{ID: jaga.ActorIDDeletions, Kind: jaga.ActorSystem, Role: jaga.RoleDPO}, Purpose: jaga.PurposeLegalObligation}
	clk.Set(t0.Add(gate.PendingPurchaseRetention - time.Hour))
	if n, err := f.g.PurgePendingPurchases(ctx, job); err != nil || n != 0 {
		t.Fatalf("before the retention period ends: %d, %v", n, err)
	}
	if _, err := f.g.PurgePendingPurchases(ctx, f.req(jaga.RoleSupport, jaga.PurposeLegalObligation)); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		t.Errorf("support purging: %v", err)
	}
	if _, err := f.g.PurgePendingPurchases(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR)); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		t.Errorf("purge under dsr: %v", err)
	}
	clk.Set(t0.Add(gate.PendingPurchaseRetention + time.Hour))
	if n, err := f.g.PurgePendingPurchases(ctx, job); err != nil || n != 1 {
		t.Fatalf("after the retention period: %d, %v", n, err)
	}
	pevs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionPendingPurchasesPurged, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(pevs) != 3 || pevs[2].Count != 1 || pevs[2].Decision != string(jaga.Allow) {
		t.Fatalf("purge events %+v", pevs)
	}
	// c2 arrives too late: nothing left to link.
	if out := commitCustomer(t, f, "c2", "budi@example.com"); out[0].LinkedPurchases != 0 {
		t.Fatalf("customer c2 after the purge: %+v", out)
	}
}

// TestPendingPurchaseBound: a pending line's ciphertext is bound to its own row: two
// lines whose sealed values are swapped in the database fail to open, and the
// customer's import fails rather than link them.
func TestPendingPurchaseBound(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	req := f.req(jaga.RoleService, jaga.PurposeServiceProvision)
	if _, err := f.g.ImportPurchases(ctx, req, pendingRows()); err != nil {
		t.Fatal(err)
	}
	err := f.g.ExecForTest(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		key := f.keys.ImportKey("test", "source_id", "c1")
		lines, err := tx.PendingPurchases(ctx, [][]byte{key})
		if err != nil || len(lines) != 2 {
			t.Fatalf("c1's pending lines: %d, %v", len(lines), err)
		}
		h := *lines[0].Holder
		if _, err := tx.DeletePendingPurchases(ctx, [][]byte{key}); err != nil {
			return nil, err
		}
		lines[0].Sealed, lines[1].Sealed = lines[1].Sealed, lines[0].Sealed
		_, err = tx.InsertPendingPurchases(ctx, []*jaga.PendingPurchaseHolder{&h}, lines)
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.g.PrepareIntake(ctx, req, []gate.IntakeRow{{Key: []string{"test", "source_id", "c1"}, File: "customers.csv", Line: 2,
		Values: map[string]string{"full_name": "Rina Sari", "email": "rina@example.com"}, Channel: jaga.ChannelStoreVisit}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.g.CommitIntake(ctx, f.g.NewIntakeSession(0), b); err == nil {
		t.Fatal("swapped pending lines were linked")
	}
}

// TestPendingPurchaseFlaggedWhenLinked: a pending line whose description holds an
// identifier flags its customer when it is linked, naming its file and line, as a line
// linked at once does.
func TestPendingPurchaseFlaggedWhenLinked(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	req := f.req(jaga.RoleService, jaga.PurposeServiceProvision)
	rows := pendingRows()
	rows[0].Purchase.Description = "Titip untuk Budi 081234567890"
	rows[0].File, rows[0].Line = "late.csv", 2
	if _, err := f.g.ImportPurchases(ctx, req, rows); err != nil {
		t.Fatal(err)
	}
	out := commitCustomer(t, f, "c1", "rina@example.com")
	if len(out) != 1 || out[0].LinkedPurchases != 2 || !slices.Equal(out[0].LinkedReview, []string{gate.ReviewFreeTextPII + "phone"}) {
		t.Fatalf("customer c1: %+v; want 2 linked and the flag they raised counted on its row", out)
	}
	flags, err := f.g.ReviewFlags(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), jaga.ReviewFlagFilter{Subject: out[0].Subject})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fl := range flags {
		if fl.Reason == gate.ReviewFreeTextPII+"phone" && fl.File == "late.csv" && fl.Line == 2 {
			got = append(got, fl.Reason)
		}
	}
	if len(got) != 1 {
		t.Fatalf("flags %+v; want one pii_in_free_text:phone at late.csv:2", flags)
	}
}
