package policy_test

import (
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/policy"
)

// TestPortalRole: the portal's sign-in look-up gets email and phone under dsr from the
// default policy and nothing else: no other field, no purchases, no other purpose.
func TestPortalRole(t *testing.T) {
	pol := policy.Default()
	pur := purposes(t)
	dsr := *pur[jaga.PurposeDSR]
	dsr.Status = jaga.PurposeActive
	for _, f := range jaga.DefaultSchema().Fields {
		want := jaga.Decision("deny:role_not_allowed")
		if f.Name == "email" || f.Name == "phone" {
			want = jaga.Allow
		}
		if got := pol.Access(jaga.RolePortal, &dsr, policy.Subject{Restricted: true}, f); got != want {
			t.Errorf("dsr %s: %s, want %s", f.Name, got, want)
		}
	}
	if got := pol.DecidePurchases(jaga.RolePortal, &dsr); got != "deny:role_not_allowed" {
		t.Errorf("purchases: %s", got)
	}
	if got := pol.Purposes(jaga.RolePortal); strings.Join(got, ",") != jaga.PurposeDSR {
		t.Errorf("purposes %v, want dsr only", got)
	}
	for _, p := range jaga.DefaultPurposes() {
		if p.ID != jaga.PurposeDSR && pol.AllowsPurpose(jaga.RolePortal, p.ID) {
			t.Errorf("portal may use %s", p.ID)
		}
	}
	for _, name := range []string{"email", "phone"} {
		if pol.CanReveal(jaga.RolePortal, jaga.PurposeDSR, name) {
			t.Errorf("portal may reveal %s", name)
		}
	}
	if slices.Contains(pol.Roles(), jaga.RolePortal) {
		t.Error("Roles (the roles staff may hold) lists portal")
	}
}

// TestPortalRoleFile: a policy file that leaves the portal role out (one written before
// it existed) gets the default rules, so that sign-in keeps working; one that names it
// may narrow it (portal: {} turns sign-in look-ups off) but not widen it.
func TestPortalRoleFile(t *testing.T) {
	email, dsr := field(t, "email"), purposes(t)[jaga.PurposeDSR]
	old := MustParse(t, "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"*\": allow}\n")
	if got := old.Decide(jaga.RolePortal, dsr, email); got != jaga.Allow {
		t.Errorf("file without portal: email %s, want allow", got)
	}
	if got := old.Decide(jaga.RolePortal, dsr, field(t, "nik")); got != "deny:role_not_allowed" {
		t.Errorf("file without portal: nik %s", got)
	}
	off := MustParse(t, "version: 1\nroles:\n  portal: {}\n")
	if off.AllowsPurpose(jaga.RolePortal, jaga.PurposeDSR) {
		t.Error("portal: {} still allows dsr")
	}
	phoneOnly := MustParse(t, "version: 1\nroles:\n  portal:\n    purposes:\n      dsr:\n        fields: {phone: allow, email: deny}\n")
	if got := phoneOnly.Decide(jaga.RolePortal, dsr, email); got != "deny:role_not_allowed" {
		t.Errorf("narrowed portal: email %s", got)
	}
	for _, c := range []struct{ name, src, want string }{
		{"OtherPurpose", "version: 1\nroles:\n  portal:\n    purposes:\n      customer_support:\n        fields: {email: allow}\n",
			"test.yaml:5:7: role portal looks customers up at sign-in under purpose dsr only, not customer_support"},
		{"OtherField", "version: 1\nroles:\n  portal:\n    purposes:\n      dsr:\n        fields: {email: allow, full_name: allow}\n",
			"test.yaml:6:32: role portal may receive only email and phone (what sign-in needs), not \"full_name\""},
		{"Wildcard", "version: 1\nroles:\n  portal:\n    purposes:\n      dsr:\n        fields: {\"*\": allow}\n",
			"test.yaml:6:18: role portal may receive only email and phone (what sign-in needs), not \"*\""},
		{"Masked", "version: 1\nroles:\n  portal:\n    purposes:\n      dsr:\n        fields: {email: mask:first_letter}\n",
			"test.yaml:6:18: role portal needs email in full or not at all"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := policy.Parse("test.yaml", []byte(c.src))
			if e := jaga.AsError(err); e == nil || e.Code != jaga.EINVALID || !strings.HasPrefix(e.Message, c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
