package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestPurchaseDescriptionPII: a purchase description that holds a phone and an NIK
// ("Beli untuk Budi 0812… NIK 3174…") flags its subject pii_in_free_text:<kind> when it
// is imported (once: the same line again raises no second flag), and reaches the analyst
// (service_improvement: email, phone and nik denied) with both replaced by their kind,
// while the service role, which may see identifiers, gets it as stored.
func TestPurchaseDescriptionPII(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	ctx := context.Background()
	const phone, nik = "081234567890", "3174011505850001"
	desc := "Beli untuk Budi " + phone + " NIK " + nik
	req := gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision}
	row := gate.PurchaseRow{Key: []string{"api_test", "purchase", "pii"}, SubjectKey: []string{"api_test", "siti"}, File: "purchases.csv", Line: 7,
		Purchase: gate.Purchase{InvoiceNo: "536366", StockCode: "22633", Description: desc, Quantity: "1", InvoiceDate: "2010-12-01T08:28:00Z", UnitPrice: "1.85"}}
	for run := 0; run < 2; run++ {
		res, err := e.gate.ImportPurchases(ctx, req, []gate.PurchaseRow{row})
		if err != nil {
			t.Fatal(err)
		}
		want := []gate.RowReview{{Row: 0, Reasons: []string{"pii_in_free_text:nik", "pii_in_free_text:phone"}}}
		if run == 1 {
			want = nil
		}
		if len(res.Review) != len(want) || len(want) == 1 && !slices.Equal(res.Review[0].Reasons, want[0].Reasons) {
			t.Fatalf("run %d: review %+v; want %+v", run, res.Review, want)
		}
	}
	flags, err := e.gate.ReviewFlags(ctx, gate.Request{Actor: e.actors[jaga.RoleDPO], Purpose: jaga.PurposeLegalObligation, Reason: "TICKET-9"},
		jaga.ReviewFlagFilter{Subject: f.siti})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, fl := range flags {
		if strings.HasPrefix(fl.Reason, gate.ReviewFreeTextPII) {
			reasons = append(reasons, fl.Reason)
			if fl.File != "purchases.csv" || fl.Line != 7 {
				t.Errorf("flag %s at %s:%d; want purchases.csv:7", fl.Reason, fl.File, fl.Line)
			}
		}
	}
	slices.Sort(reasons)
	if !slices.Equal(reasons, []string{"pii_in_free_text:nik", "pii_in_free_text:phone"}) {
		t.Errorf("open pii flags of the subject: %v; want nik and phone, once each", reasons)
	}

	path := "/v1/subjects/" + string(f.siti) + "/purchases"
	t.Run("AnalystRedacted", func(t *testing.T) {
		got := purchaseDescription(t, e, path, jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "536366")
		if strings.Contains(got, phone) || strings.Contains(got, nik) || strings.Contains(got, "81234567890") {
			t.Fatalf("analyst got an identifier: %q", got)
		}
		if got != "Beli untuk Budi [PHONE] NIK [NIK]" {
			t.Errorf("analyst got %q", got)
		}
		// A description without identifiers is unchanged.
		if d := purchaseDescription(t, e, path, jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "536365"); d != "WHITE HANGING HEART T-LIGHT HOLDER" {
			t.Errorf("plain description became %q", d)
		}
	})
	t.Run("MarketerRedacted", func(t *testing.T) {
		if got := purchaseDescription(t, e, path, jaga.RoleMarketer, jaga.PurposeCrossSelling, "536366"); strings.Contains(got, phone) || strings.Contains(got, nik) {
			t.Fatalf("marketer got an identifier: %q", got)
		}
	})
	t.Run("ServiceAsStored", func(t *testing.T) {
		if got := purchaseDescription(t, e, path, jaga.RoleService, jaga.PurposeServiceProvision, "536366"); got != desc {
			t.Fatalf("service role got %q; want the description as stored", got)
		}
	})
}

// purchaseDescription returns the description of the purchase with invoice number inv.
func purchaseDescription(t *testing.T, e *env, path string, role jaga.Role, purpose, inv string) string {
	t.Helper()
	r := e.do(t, call{method: "GET", path: path, key: e.keys[role], purpose: purpose}).want(t, 200)
	var out struct{ Purchases []map[string]string }
	r.decode(t, &out)
	for _, p := range out.Purchases {
		if p["invoice_no"] == inv {
			return p["description"]
		}
	}
	t.Fatalf("purchase %s not listed", inv)
	return ""
}
