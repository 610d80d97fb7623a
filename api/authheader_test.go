package api_test

import (
	"net/http"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestPolicyReloadRoleFirst: support reloading the policy is 403 role_not_allowed,
// audited, before anything about the configuration is said (this server has no
// policy file: 404 for a role that may reload).
func TestPolicyReloadRoleFirst(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, call{method: "POST", path: "/v1/admin/policy/reload", key: e.keys[jaga.RoleSupport]})
	p := r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "role_not_allowed")
	if p.Detail != "only admin and dpo manage the policy" {
		t.Errorf("detail %q does not speak of the policy", p.Detail)
	}
	e.audited(t, r, gate.ActionPolicyReload, "deny:role_not_allowed")
	r = e.do(t, call{method: "POST", path: "/v1/admin/policy/reload", key: e.keys[jaga.RoleAdmin]})
	r.wantProblem(t, http.StatusNotFound, jaga.ENOTFOUND, "", "")
}

// TestTwoAuthorizationHeaders: two Authorization headers are 400 naming the header and
// saying that exactly one is allowed, even when both carry the same valid key; as every
// failure before an actor is known, not audited.
func TestTwoAuthorizationHeaders(t *testing.T) {
	e := newEnv(t)
	key := e.keys[jaga.RoleSupport]
	r := e.do(t, call{method: "GET", path: "/v1/purposes", authorizations: []string{"Bearer " + key, "Bearer " + key}})
	p := r.wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "Authorization", "")
	if p.Detail != "exactly one Authorization header is allowed (Authorization: Bearer <key>)" {
		t.Errorf("detail %q", p.Detail)
	}
	e.notAudited(t, r)
}
