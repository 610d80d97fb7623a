package api_test

import (
	"context"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/policy"
)

// TestPatchFieldRoleMayNotRead: PATCH /v1/subjects/{id} refuses a field the role's
// policy denies for the purpose (the analyst may not read income, specific:financial)
// with 403 role_not_allowed naming the field, audited; one it may read is still refused
// unless the purpose's write list names it (write_not_allowed).
func TestPatchFieldRoleMayNotRead(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	path := "/v1/subjects/" + string(f.siti)
	analyst := e.keys[jaga.RoleAnalyst]
	r := e.do(t, call{method: "PATCH", path: path, key: analyst, purpose: jaga.PurposeServiceImprovement, body: `{"attributes": {"income": "99000"}}`})
	r.wantProblem(t, 403, jaga.EFORBIDDEN, "income", "role_not_allowed")
	e.audited(t, r, jaga.ActionUpdate, "deny:role_not_allowed")
	r = e.do(t, call{method: "PATCH", path: path, key: analyst, purpose: jaga.PurposeServiceImprovement, body: `{"fields": {"domicile_city": "Kota Malang"}}`})
	r.wantProblem(t, 403, jaga.EFORBIDDEN, "domicile_city", "write_not_allowed")
}

// TestPatchWritePermission: reading and changing are separate permissions (least
// privilege, UU PDP Art 16(2); DESIGN.md's analyst has aggregates and pseudonymous data
// only). The analyst sees the birth year under service_improvement but may neither
// overwrite nor erase the birth date (403 write_not_allowed naming the field and the
// role, never the value, audited), which stays as it was; support may change a
// customer's phone under customer_support, and the marketer and the auditor change
// nothing.
func TestPatchWritePermission(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	path := "/v1/subjects/" + string(f.siti)
	e.secrets = append(e.secrets, "1990-01-01", "6281311113333")
	analyst := e.keys[jaga.RoleAnalyst]
	birthDate := func(t *testing.T) string {
		t.Helper()
		var rec record
		e.do(t, call{method: "GET", path: path + "?fields=birth_date", key: e.keys[jaga.RoleService], purpose: jaga.PurposeServiceProvision}).
			want(t, 200).decode(t, &rec)
		return rec.Fields["birth_date"]
	}
	before := birthDate(t)
	if before == "" {
		t.Fatal("the seeded subject has no birth date")
	}
	for name, body := range map[string]string{
		"Overwrite": `{"fields": {"birth_date": "1990-01-01"}}`,
		"Erase":     `{"fields": {"birth_date": null}}`,
	} {
		t.Run("AnalystBirthDate"+name, func(t *testing.T) {
			r := e.do(t, call{method: "PATCH", path: path, key: analyst, purpose: jaga.PurposeServiceImprovement, body: body})
			p := r.wantProblem(t, 403, jaga.EFORBIDDEN, "birth_date", "write_not_allowed")
			if !strings.Contains(p.Detail, "analyst") || !strings.Contains(p.Detail, "birth_date") {
				t.Errorf("detail %q does not name the role and the field", p.Detail)
			}
			ev := e.audited(t, r, jaga.ActionUpdate, "deny:write_not_allowed")
			if len(ev.FieldsRequested) != 1 || ev.FieldsRequested[0] != "birth_date" {
				t.Errorf("audited fields %v", ev.FieldsRequested)
			}
			if got := birthDate(t); got != before {
				t.Errorf("birth date changed by a refused write")
			}
		})
	}
	t.Run("SupportPhone", func(t *testing.T) {
		r := e.do(t, call{method: "PATCH", path: path, key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport,
			body: `{"fields": {"phone": "+6281311113333"}}`}).want(t, 204)
		e.audited(t, r, jaga.ActionUpdate, "allow")
	})
	t.Run("SupportName", func(t *testing.T) {
		// Support reads the name but changes contact details and the address only.
		r := e.do(t, call{method: "PATCH", path: path, key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport,
			body: `{"fields": {"full_name": "Siti Lain"}}`})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "full_name", "write_not_allowed")
	})
	t.Run("MarketerCity", func(t *testing.T) {
		r := e.do(t, call{method: "PATCH", path: path, key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling,
			body: `{"fields": {"domicile_city": "Kota Malang"}}`})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "domicile_city", "write_not_allowed")
		e.audited(t, r, jaga.ActionUpdate, "deny:write_not_allowed")
	})
}

// TestPatchPermissionBeforeValue: a role that may not change a field, or may not read
// it, is refused (403) before the value it sent is validated, so that a malformed value
// of a forbidden field gets the same answer as a well-formed one (the trial's dpo with
// nik denied got 422 "not a birth date" for one NIK and 403 for another).
func TestPatchPermissionBeforeValue(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	path := "/v1/subjects/" + string(f.siti)
	analyst := e.keys[jaga.RoleAnalyst]
	for _, c := range []struct{ name, body, field, reason string }{
		{"ReadDeniedAttribute", `{"attributes": {"income": "not a number"}}`, "income", "role_not_allowed"},
		{"WriteNotAllowedField", `{"fields": {"birth_date": "31 Februari"}}`, "birth_date", "write_not_allowed"},
		{"WriteNotAllowedTooLong", `{"fields": {"domicile_city": "` + strings.Repeat("x", 5000) + `"}}`, "domicile_city", "write_not_allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, call{method: "PATCH", path: path, key: analyst, purpose: jaga.PurposeServiceImprovement, body: c.body})
			r.wantProblem(t, 403, jaga.EFORBIDDEN, c.field, c.reason)
		})
	}
}

// TestPatchNothingToUpdate: an empty PATCH names the body member that is missing
// ("fields"; the body has no "values").
func TestPatchNothingToUpdate(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	path := "/v1/subjects/" + string(f.siti)
	for _, body := range []string{`{}`, `{"fields": {}}`, `{"fields": {}, "attributes": {}}`} {
		r := e.do(t, call{method: "PATCH", path: path, key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport, body: body})
		p := r.wantProblem(t, 422, jaga.EUNPROCESSABLE, "fields", "")
		if !strings.Contains(p.Detail, "attributes") {
			t.Errorf("%s: detail %q does not name \"attributes\"", body, p.Detail)
		}
	}
}

// TestPatchDeniedNIKBeforeValue: the trial's case. Under a policy whose dpo reads every
// field but nik for dsr and writes ["*"], a PATCH of nik answers 403 role_not_allowed
// naming nik whatever the value: a NIK whose digits 7-12 are no birth date, a valid one,
// or null; never a 422 about the value.
func TestPatchDeniedNIKBeforeValue(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	p, err := policy.Parse("policy.yaml", []byte("version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"*\": allow, nik: deny}\n        write: [\"*\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.gate.ReloadPolicy(context.Background(), gate.Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeSecurity}, p); err != nil {
		t.Fatal(err)
	}
	path := "/v1/subjects/" + string(f.siti)
	for _, v := range []string{`"3273012345670001"`, `"3273055712859902"`, `null`} {
		r := e.do(t, call{method: "PATCH", path: path, key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR, body: `{"fields": {"nik": ` + v + `}}`})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "nik", "role_not_allowed")
	}
}
