package gate_test

import (
	"context"
	"strings"
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
	wib := jaga.WIB
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

// TestRecordedConsentAheadMessage: a consent recorded with a time more than 5 minutes
// ahead is refused with the 5-minute bound it broke, an hour or a millennium ahead.
func TestRecordedConsentAheadMessage(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	for _, at := range []time.Time{time.Now().Add(time.Hour), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		_, err := f.g.RecordConsent(ctx, gate.ConsentRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub, Channel: jaga.ChannelAPI,
			Consent: gate.ConsentInput{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentWithdrawn, At: at, Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}})
		if e := jaga.AsError(err); e == nil || e.Field != "at" || !strings.Contains(e.Message, "5 minutes") {
			t.Errorf("consent at %v: %v", at, err)
		}
	}
}

// TestBirthDateBounds: a birth date of year 0001 (a zero date from a tool) is 422 naming
// birth_date; the bundled data's oldest year, 1893, is kept; CheckValue says the same.
func TestBirthDateBounds(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	req := f.req(jaga.RoleDPO, jaga.PurposeDSR)
	_, err := f.g.Create(ctx, gate.CreateRequest{Request: req, Values: map[string]string{"full_name": "Budi Santoso", "email": "budi@example.com", "birth_date": "0001-01-01"}})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "birth_date" {
		t.Fatalf("birth date 0001-01-01: %v", err)
	}
	if _, err := f.g.Create(ctx, gate.CreateRequest{Request: req, Values: map[string]string{"full_name": "Budi Santoso", "email": "budi@example.com", "birth_date": "1893-05-01"}}); err != nil {
		t.Fatalf("birth date 1893-05-01: %v", err)
	}
	if e := jaga.AsError(f.g.CheckValue("birth_date", "0001-01-01")); e == nil || e.Field != "birth_date" {
		t.Errorf("CheckValue birth_date 0001-01-01: %v", e)
	}
	if e := jaga.AsError(f.g.CheckValue("email", "budi@@example.com")); e == nil || e.Field != "email" {
		t.Errorf("CheckValue email with two @: %v", e)
	}
	if err := f.g.CheckValue("email", ""); err != nil {
		t.Errorf("CheckValue of a removal: %v", err)
	}
	if e := jaga.AsError(f.g.CheckValue("shoe_size", "42")); e == nil || e.Field != "shoe_size" {
		t.Errorf("CheckValue unknown field: %v", e)
	}
}
