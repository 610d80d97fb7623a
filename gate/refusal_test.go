package gate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestRefuse records refusals made in front of the gate (an unknown API key, a role a
// desk does not serve) with one audit event each, through the gate's refusal path: the
// decision comes from the error's code or reason, the error's message and an
// unregistered purpose stay out, and a call without a refusal writes nothing.
func TestRefuse(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	before := lastSeq(t, f)

	const secret = "jaga_thisIsTheKeyThatMustNotBeStored"
	unauth := jaga.Errorf(jaga.EUNAUTHORIZED, "invalid API key %s", secret)
	if err := f.g.Refuse(ctx, gate.Request{Reason: "subjects resolve-flag", Purpose: "no_such_purpose"}, gate.ActionResolveReviewFlag, unauth); err != unauth {
		t.Fatalf("Refuse returned %v, want the refusal itself", err)
	}
	role := jaga.Refusal("role_not_allowed", "the request desk is for the dpo role")
	req := f.req(jaga.RoleAuditor, jaga.PurposeDSR)
	req.Reason = "dsr approve"
	if err := f.g.Refuse(ctx, req, gate.ActionDSRStep, role); err != role {
		t.Fatalf("Refuse returned %v", err)
	}
	for _, c := range []struct {
		action string
		err    error
	}{{gate.ActionDSRStep, nil}, {"Not A Name", role}} {
		if err := f.g.Refuse(ctx, req, c.action, c.err); jaga.ErrorCode(err) != jaga.EINTERNAL {
			t.Errorf("Refuse(%q, %v) = %v, want EINTERNAL", c.action, c.err, err)
		}
	}
	if err := f.g.Refuse(ctx, req, gate.ActionDSRStep, errors.New("plain")); jaga.ErrorCode(err) != jaga.EINTERNAL {
		t.Errorf("plain error: %v", err)
	}

	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, ""), jaga.AuditFilter{AfterSeq: before})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3 (two refusals and the plain error): %+v", len(evs), evs)
	}
	a, b, c := evs[0], evs[1], evs[2]
	if a.Action != gate.ActionResolveReviewFlag || a.Decision != "error:unauthorized" || a.ActorID != "" || a.Role != "" ||
		a.Purpose != "" || a.Reason != "subjects resolve-flag" {
		t.Errorf("unauthenticated refusal: %+v", a)
	}
	if b.Action != gate.ActionDSRStep || b.Decision != "deny:role_not_allowed" || b.ActorID != f.actors[jaga.RoleAuditor].ID ||
		b.Role != jaga.RoleAuditor || b.Purpose != jaga.PurposeDSR || b.Reason != "dsr approve" {
		t.Errorf("role refusal: %+v", b)
	}
	if c.Decision != "error:internal" {
		t.Errorf("plain error: %+v", c)
	}
	for _, ev := range evs {
		if s := strings.Join([]string{ev.Reason, ev.Decision, ev.Purpose}, " "); strings.Contains(s, "jaga_") || strings.Contains(s, "dpo role") {
			t.Errorf("event %d holds the error's text: %+v", ev.Seq, ev)
		}
	}
}
