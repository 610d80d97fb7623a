package api_test

import (
	"context"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// Seeded personal values. Each is 6 bytes or more so that a leak is unambiguous.
const (
	sitiName   = "Siti Rahayu"
	sitiEmail  = "siti.rahayu@example.co.id"
	sitiPhone  = "+6281234567890"
	sitiNIK    = "3273015501900019"
	sitiStreet = "Jl. Merdeka No. 17"
	budiName   = "Budi Santoso"
	budiEmail  = "budi.santoso@example.com"
	budiPhone  = "081298765432"
)

// fixture is what seed stores: Siti consented to cross_selling and
// service_improvement and has one purchase; Budi refused cross_selling.
type fixture struct {
	siti, budi jaga.SubjectID
}

var collected = time.Date(2024, 5, 1, 2, 30, 0, 0, time.UTC)

// seed stores the fixture through the gate, as the service role under
// service_provision: Siti through a bulk import (so that purchases can be imported for
// her), Budi through Create.
func (e *env) seed(tb testing.TB) fixture {
	tb.Helper()
	ctx := context.Background()
	e.secrets = append(e.secrets, sitiName, sitiEmail, sitiPhone, sitiNIK, sitiStreet, budiName, budiEmail, "81298765432")
	req := gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision}
	res, err := e.gate.ImportSubjects(ctx, req, []gate.ImportRow{{
		Key: []string{"api_test", "siti"},
		Values: map[string]string{"full_name": sitiName, "email": sitiEmail, "phone": sitiPhone, "nik": sitiNIK,
			"birth_date": "1990-01-15", "gender": "F", "address": sitiStreet, "domicile_province": "Jawa Barat",
			"domicile_city": "Kota Bandung", "income": "58138", "education": "Graduation"},
		Channel: jaga.ChannelWebForm, CollectedAt: collected,
		Consents: []gate.ConsentInput{
			{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, NoticeVersion: "notice-id-v2", At: collected},
			{Purpose: jaga.PurposeServiceImprovement, Status: jaga.ConsentGiven, NoticeVersion: "notice-id-v2", At: collected},
		},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Errors) > 0 {
		tb.Fatalf("seed: %v", res.Errors[0].Err)
	}
	f := fixture{siti: res.Subjects[0]}
	pres, err := e.gate.ImportPurchases(ctx, req,
		[]gate.PurchaseRow{{Key: []string{"api_test", "purchase", "1"}, SubjectKey: []string{"api_test", "siti"},
			Purchase: gate.Purchase{InvoiceNo: "536365", StockCode: "85123A", Description: "WHITE HANGING HEART T-LIGHT HOLDER",
				Quantity: "6", InvoiceDate: "2010-12-01T08:26:00Z", UnitPrice: "2.55"}}})
	if err != nil {
		tb.Fatal(err)
	}
	if pres.Inserted != 1 {
		tb.Fatalf("seed purchases: %+v", pres)
	}
	f.budi, err = e.gate.Create(ctx, gate.CreateRequest{Request: req,
		Values:  map[string]string{"full_name": budiName, "email": budiEmail, "phone": budiPhone, "domicile_city": "Kota Surabaya"},
		Channel: jaga.ChannelExhibition, CollectedAt: collected,
		Consents: []gate.ConsentInput{{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentRefused, Evidence: "paper-form-0042", At: collected}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
