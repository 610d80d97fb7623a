package gate_test

import (
	"context"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestQuarantineListStatus: a status no row can have is EINVALID naming the status
// member, not an empty list read as "nothing quarantined"; "" and the three statuses
// list.
func TestQuarantineListStatus(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	req := f.req(jaga.RoleService, jaga.PurposeServiceProvision)
	_, err := f.g.QuarantineList(ctx, req, jaga.QuarantineFilter{Status: "all"})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EINVALID || e.Field != "status" {
		t.Fatalf("status all: %v", err)
	}
	for _, st := range append([]jaga.QuarantineStatus{""}, jaga.QuarantineStatuses...) {
		if _, err := f.g.QuarantineList(ctx, req, jaga.QuarantineFilter{Status: st}); err != nil {
			t.Errorf("status %q: %v", st, err)
		}
	}
}

// TestCreateActorUnknownRole: an unknown role is EUNPROCESSABLE on role and the message
// lists the staff roles, so that the caller learns what to give.
func TestCreateActorUnknownRole(t *testing.T) {
	f := MustFixture(t)
	_, _, err := f.g.CreateActor(context.Background(), gate.Request{}, "Staf Baru", jaga.Role("janitor"))
	e := jaga.AsError(err)
	if e == nil || e.Field != "role" {
		t.Fatalf("role janitor: %v", err)
	}
	for _, r := range jaga.DefaultRoles {
		if !strings.Contains(e.Message, string(r)) {
			t.Errorf("message %q does not list role %s", e.Message, r)
		}
	}
}
