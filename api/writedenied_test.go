package api_test

import (
	"testing"

	"jaga"
)

// TestPatchFieldRoleMayNotRead: PATCH /v1/subjects/{id} refuses a field the role's
// policy denies for the purpose (the analyst may not read income, specific:financial)
// with 403 role_not_allowed, audited, while a field it may read is written.
func TestPatchFieldRoleMayNotRead(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	path := "/v1/subjects/" + string(f.siti)
	analyst := e.keys[jaga.RoleAnalyst]
	r := e.do(t, call{method: "PATCH", path: path, key: analyst, purpose: jaga.PurposeServiceImprovement, body: `{"attributes": {"income": "99000"}}`})
	r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "role_not_allowed")
	e.audited(t, r, jaga.ActionUpdate, "deny:role_not_allowed")
	e.do(t, call{method: "PATCH", path: path, key: analyst, purpose: jaga.PurposeServiceImprovement, body: `{"fields": {"domicile_city": "Kota Malang"}}`}).want(t, 204)
}
