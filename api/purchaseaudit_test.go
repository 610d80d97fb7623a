package api_test

import (
	"context"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestPurchaseReadAuditMask: the audit event of a purchases read says what left the
// gate. The analyst (service_improvement), who gets each description with the phone
// and NIK typed into it replaced by their kind, has an event naming purchases
// mask:identifiers; the service role, who gets the descriptions as stored, has a plain
// allow with no field decision.
func TestPurchaseReadAuditMask(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	ctx := context.Background()
	const desc = "Beli untuk Budi 081234567890 NIK 3174011505850001"
	row := gate.PurchaseRow{Key: []string{"api_test", "purchase", "audit"}, SubjectKey: []string{"api_test", "siti"}, File: "purchases.csv", Line: 3,
		Purchase: gate.Purchase{InvoiceNo: "536999", StockCode: "22633", Description: desc, Quantity: "1", InvoiceDate: "2010-12-01T08:28:00Z", UnitPrice: "1.85"}}
	if _, err := e.gate.ImportPurchases(ctx, gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision}, []gate.PurchaseRow{row}); err != nil {
		t.Fatal(err)
	}
	path := "/v1/subjects/" + string(f.siti) + "/purchases"
	last := func(t *testing.T, role jaga.Role) *jaga.AuditEvent {
		t.Helper()
		evs, err := e.gate.AuditLog(ctx, gate.Request{Actor: e.actors[jaga.RoleAuditor], Purpose: jaga.PurposeSecurity},
			jaga.AuditFilter{Subject: f.siti, Action: jaga.ActionReadPurchases, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].ActorID == e.actors[role].ID {
				return evs[i]
			}
		}
		t.Fatalf("no read_purchases event of role %s", role)
		return nil
	}
	t.Run("AnalystMasked", func(t *testing.T) {
		if got := purchaseDescription(t, e, path, jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "536999"); got != "Beli untuk Budi [PHONE] NIK [NIK]" {
			t.Fatalf("analyst got %q", got)
		}
		ev := last(t, jaga.RoleAnalyst)
		if ev.Decisions[jaga.FieldPurchases] != jaga.Mask("identifiers") || ev.Decision != string(jaga.Allow) {
			t.Fatalf("event decision %q, decisions %v; want allow with purchases mask:identifiers", ev.Decision, ev.Decisions)
		}
		if len(ev.FieldsReturned) != 1 || ev.FieldsReturned[0] != jaga.FieldPurchases {
			t.Fatalf("fields returned %v", ev.FieldsReturned)
		}
	})
	t.Run("ServiceAsStored", func(t *testing.T) {
		if got := purchaseDescription(t, e, path, jaga.RoleService, jaga.PurposeServiceProvision, "536999"); got != desc {
			t.Fatalf("service got %q", got)
		}
		if ev := last(t, jaga.RoleService); ev.Decision != string(jaga.Allow) || len(ev.Decisions) != 0 {
			t.Fatalf("event decision %q, decisions %v; want a plain allow", ev.Decision, ev.Decisions)
		}
	})
}
