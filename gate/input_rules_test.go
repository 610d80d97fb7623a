package gate_test

import (
	"context"
	"testing"

	"jaga"
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
