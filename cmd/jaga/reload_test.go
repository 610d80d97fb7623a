package main

import (
	"bytes"
	"context"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestPolicyReloadRoleFirst: a role that may not reload the policy is refused 403
// role_not_allowed even when no policy file is configured: the role is
// checked before the configuration, so the refusal says nothing about it (the API test checks the
// refusal's audit event).
func TestPolicyReloadRoleFirst(t *testing.T) {
	dir := t.TempDir()
	v, err := openVault(context.Background(), dir, defaultConfig(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	support := &jaga.Actor{ID: "act_support", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}
	err = v.reloadPolicy(context.Background(), gate.Request{Actor: support})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EFORBIDDEN || e.Reason != "role_not_allowed" {
		t.Fatalf("support reloading without a policy file: %v; want 403 role_not_allowed", err)
	}
	// An actor that may reload still hears that there is nothing to reload.
	if err := v.reloadPolicy(context.Background(), gate.Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeSecurity}); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Fatalf("system reload without a policy file: %v", err)
	}
}
