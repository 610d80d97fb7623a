package gate_test

import (
	"context"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// TestRecordTimeBounds: the gate holds consent and collection times to
// jaga.CheckRecordTime for every caller (CLI, import, API): 1960 or two days ahead is
// EUNPROCESSABLE naming the member, and nothing is stored.
func TestRecordTimeBounds(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	wib := time.FixedZone("WIB", 7*3600)
	for _, at := range []time.Time{time.Date(1960, 8, 17, 10, 0, 0, 0, wib), time.Now().Add(48 * time.Hour)} {
		_, err := f.g.Create(ctx, gate.CreateRequest{Request: f.req(jaga.RoleService, jaga.PurposeServiceProvision),
			Values: map[string]string{"full_name": "Budi Santoso", "email": "budi@example.com"}, CollectedAt: at})
		if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "collected_at" {
			t.Errorf("create collected %v: %v", at, err)
		}
		_, err = f.g.Create(ctx, gate.CreateRequest{Request: f.req(jaga.RoleService, jaga.PurposeServiceProvision),
			Values:   map[string]string{"full_name": "Budi Santoso", "email": "budi@example.com"},
			Consents: []gate.ConsentInput{{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentRefused, Evidence: "FRM-1", At: at}}})
		if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "consents" {
			t.Errorf("create consent at %v: %v", at, err)
		}
		_, err = f.g.RecordConsent(ctx, gate.ConsentRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub, Channel: jaga.ChannelAPI,
			Consent: gate.ConsentInput{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentWithdrawn, At: at, Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}})
		if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "at" {
			t.Errorf("withdrawal at %v: %v", at, err)
		}
	}
	recs, err := f.g.Consents(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Status != jaga.ConsentGiven {
		t.Fatalf("consents after refused changes: %+v", recs)
	}
	found, err := f.g.Find(ctx, gate.FindRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Field: "email", Value: jaga.Redact("budi@example.com")})
	if jaga.ErrorCode(err) != jaga.ENOTFOUND || len(found) != 0 {
		t.Fatalf("a refused create stored a subject: %v %v", found, err)
	}
}
