package gate_test

import (
	"context"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestLogin: a customer's sign-in is one login event naming them and nothing else;
// signing in as another customer is refused (not_own_data) and an erased customer's
// sign-in fails (ENOTFOUND), both audited as refused logins; a refused sign-in for a
// wrong code names the customer and no address.
func TestLogin(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	sub := f.MustCreate(t, "rina.login@example.com", jaga.ConsentGiven)
	other := f.MustCreate(t, "budi.login@example.com", jaga.ConsentGiven)
	dsr := func(s jaga.SubjectID) gate.Request {
		return gate.Request{Actor: jaga.SubjectActor(s), Purpose: jaga.PurposeDSR}
	}
	logins := func() []*jaga.AuditEvent {
		t.Helper()
		evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Subject: sub, Action: jaga.ActionLogin})
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	if err := f.g.Login(ctx, dsr(sub), sub); err != nil {
		t.Fatal(err)
	}
	evs := logins()
	if len(evs) != 1 || evs[0].ActorID != string(sub) || evs[0].Decision != "allow" || evs[0].Purpose != jaga.PurposeDSR ||
		len(evs[0].Subjects) != 1 || len(evs[0].FieldsRequested)+len(evs[0].FieldsReturned) != 0 {
		t.Fatalf("login events %+v", evs)
	}
	if err := f.g.Login(ctx, dsr(other), sub); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "not_own_data" {
		t.Fatalf("sign-in as another customer: %v", err)
	}
	portal := &jaga.Actor{ID: "act_portal", Kind: jaga.ActorService, Role: jaga.RolePortal}
	if err := f.g.LoginFailed(ctx, gate.Request{Actor: portal, Purpose: jaga.PurposeDSR}, sub, gate.ReasonWrongCode); err != nil {
		t.Fatal(err)
	}
	if err := f.g.LoginFailed(ctx, gate.Request{Actor: portal, Purpose: jaga.PurposeDSR}, sub, "rina.login@example.com"); jaga.ErrorCode(err) != jaga.EINTERNAL {
		t.Fatalf("a refused sign-in with an address as its reason: %v", err)
	}
	if err := f.g.Erase(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), sub); err != nil {
		t.Fatal(err)
	}
	if err := f.g.Login(ctx, dsr(sub), sub); jaga.ErrorCode(err) != jaga.ENOTFOUND {
		t.Fatalf("sign-in of an erased customer: %v", err)
	}
	evs = logins()
	want := []string{"allow", "deny:not_own_data", "deny:" + gate.ReasonWrongCode, "error:" + jaga.ENOTFOUND}
	if len(evs) != len(want) {
		t.Fatalf("%d login events, want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		if ev.Decision != want[i] || len(ev.Subjects) != 1 || ev.Subjects[0] != sub || ev.Reason != "" {
			t.Fatalf("login event %d: %+v, want decision %s", i, ev, want[i])
		}
	}
}
