package policy_test

import (
	"strings"
	"testing"

	"jaga"
	"jaga/policy"
)

const writeNotAllowed = jaga.Decision("deny:" + policy.ReasonWriteNotAllowed)

// TestDefaultWrites is the default policy's write permission (DESIGN.md's roles; least
// privilege, UU PDP Art 16(2)): support changes contact details and the address under
// customer_support, service what it reads, dpo everything under dsr and
// legal_obligation, the subject their own record under dsr; the analyst, the marketer,
// the auditor, the admin and the portal's look-up change nothing.
func TestDefaultWrites(t *testing.T) {
	pol, pur := policy.Default(), purposes(t)
	for _, c := range []struct {
		role    jaga.Role
		purpose string
		field   string
		want    jaga.Decision
	}{
		{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "birth_date", writeNotAllowed}, // reads the year only
		{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "domicile_city", writeNotAllowed},
		{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "kidhome", writeNotAllowed},
		{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "income", "deny:role_not_allowed"}, // read deny comes first
		{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "nik", "deny:field_not_in_purpose"},
		{jaga.RoleMarketer, jaga.PurposeCrossSelling, "domicile_city", writeNotAllowed},
		{jaga.RoleMarketer, jaga.PurposeCrossSelling, "email", "deny:field_not_in_purpose"},
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, "phone", jaga.Allow}, // masked, yet writable
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, "email", jaga.Allow},
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, "address", jaga.Allow},
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, "domicile_province", jaga.Allow},
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, "domicile_city", jaga.Allow},
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, "full_name", writeNotAllowed},
		{jaga.RoleSupport, jaga.PurposeServiceProvision, "phone", writeNotAllowed},
		{jaga.RoleService, jaga.PurposeServiceProvision, "nik", jaga.Allow},
		{jaga.RoleService, jaga.PurposeServiceProvision, "birth_date", jaga.Allow},
		{jaga.RoleService, jaga.PurposeServiceProvision, "income", "deny:field_not_in_purpose"},
		{jaga.RoleDPO, jaga.PurposeDSR, "nik", jaga.Allow},
		{jaga.RoleDPO, jaga.PurposeLegalObligation, "income", jaga.Allow},
		{jaga.RoleSubject, jaga.PurposeDSR, "income", jaga.Allow},
		{jaga.RolePortal, jaga.PurposeDSR, "email", writeNotAllowed},
		{jaga.RoleAuditor, jaga.PurposeSecurity, "email", "deny:role_not_allowed"},
		{jaga.RoleAdmin, jaga.PurposeDSR, "email", "deny:role_not_allowed"},
	} {
		if got := pol.CanWrite(c.role, pur[c.purpose], field(t, c.field)); got != c.want {
			t.Errorf("%s %s %s: %s, want %s", c.role, c.purpose, c.field, got, c.want)
		}
	}
	// Over every role, purpose and field: a write is allowed only where the read is not
	// denied, and never for the roles that change nothing.
	roles := append(append([]jaga.Role{}, jaga.DefaultRoles...), jaga.BuiltinRoles...)
	for _, role := range roles {
		for _, p := range pur {
			for _, f := range jaga.DefaultSchema().Fields {
				w := pol.CanWrite(role, p, f)
				if !w.IsAllow() && !w.IsDeny() {
					t.Errorf("%s %s %s: write decision %s is neither allow nor deny", role, p.ID, f.Name, w)
				}
				if w.IsAllow() && pol.Decide(role, p, f).IsDeny() {
					t.Errorf("%s %s %s: writable but not readable", role, p.ID, f.Name)
				}
				switch role {
				case jaga.RoleAnalyst, jaga.RoleMarketer, jaga.RoleAuditor, jaga.RoleAdmin, jaga.RolePortal:
					if w.IsAllow() {
						t.Errorf("%s may write %s under %s", role, f.Name, p.ID)
					}
				}
			}
		}
	}
	if got := pol.CanWrite(jaga.RoleDPO, nil, field(t, "email")); got != "deny:purpose_not_active" {
		t.Errorf("no purpose: %s", got)
	}
}

// TestWriteAbsent: a purpose without write (a policy file written before write lists
// existed), with "write: []" or with an empty "write:" lets the role change nothing,
// although it still reads what its fields allow (default.yaml's header).
func TestWriteAbsent(t *testing.T) {
	dsr, email := purposes(t)[jaga.PurposeDSR], field(t, "email")
	for name, w := range map[string]string{"Absent": "", "EmptyList": "        write: []\n", "Null": "        write:\n"} {
		t.Run(name, func(t *testing.T) {
			p := MustParse(t, "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"*\": allow}\n"+w)
			if got := p.Decide(jaga.RoleDPO, dsr, email); got != jaga.Allow {
				t.Errorf("read: %s", got)
			}
			for _, f := range jaga.DefaultSchema().Fields {
				if got := p.CanWrite(jaga.RoleDPO, dsr, f); got != writeNotAllowed {
					t.Errorf("write %s: %s, want %s", f.Name, got, writeNotAllowed)
				}
			}
		})
	}
}

// TestWriteKeys: write keys match as fields' keys do: a name, "@attributes" (general
// attributes only), "@specific" (specific-class fields and attributes), "*" (all); a
// read deny wins over any of them.
func TestWriteKeys(t *testing.T) {
	dsr := purposes(t)[jaga.PurposeDSR]
	for _, c := range []struct {
		write string
		allow []string // of email, kidhome (general attribute), income (specific attribute), nik
	}{
		{"[email]", []string{"email"}},
		{`["@attributes"]`, []string{"kidhome"}},
		{`["@specific"]`, []string{"income"}},
		{`["@attributes", "@specific"]`, []string{"income", "kidhome"}},
		{`["*"]`, []string{"email", "income", "kidhome"}}, // nik is denied for reading
	} {
		t.Run(c.write, func(t *testing.T) {
			p := MustParse(t, "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"*\": allow, nik: deny}\n        write: "+c.write+"\n")
			var got []string
			for _, name := range []string{"email", "income", "kidhome", "nik"} {
				if p.CanWrite(jaga.RoleDPO, dsr, field(t, name)).IsAllow() {
					got = append(got, name)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.allow, ",") {
				t.Errorf("writable %v, want %v", got, c.allow)
			}
			if d := p.CanWrite(jaga.RoleDPO, dsr, field(t, "nik")); d != "deny:role_not_allowed" {
				t.Errorf("nik: %s, want the read deny", d)
			}
		})
	}
}

// TestParseWrite: a bad write list names its line and column, as the parser does for
// fields and reveal.
func TestParseWrite(t *testing.T) {
	const head = "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"*\": allow, nik: deny}\n"
	for _, c := range []struct{ name, src, want string }{
		{"NotList", head + "        write: email\n", "test.yaml:7:16: role dpo, purpose dsr: write must be a list"},
		{"Mapping", head + "        write: {email: allow}\n", "test.yaml:7:16: role dpo, purpose dsr: write must be a list"},
		{"NotName", head + "        write: [email, 3]\n", "test.yaml:7:24: role dpo, purpose dsr: write entries must be field names or groups"},
		{"Nested", head + "        write: [[email]]\n", "test.yaml:7:17: role dpo, purpose dsr: write entries must be field names or groups"},
		{"Purchases", head + "        write: [email, purchases]\n", "test.yaml:7:24: role dpo, purpose dsr: write cannot list purchases"},
		{"UnknownGroup", head + "        write: [\"@attrs\"]\n", "test.yaml:7:17: role dpo, purpose dsr: unknown field group \"@attrs\""},
		{"BadName", head + "        write: [Email]\n", "test.yaml:7:17: role dpo, purpose dsr: field \"Email\" must be a snake_case name"},
		{"Twice", head + "        write:\n          - phone\n          - email\n          - phone\n", "test.yaml:10:13: role dpo, purpose dsr: \"phone\" is given twice in write (first at line 8)"},
		{"Denied", head + "        write: [email, nik]\n", "test.yaml:7:24: role dpo, purpose dsr: write lists \"nik\", which the purpose's fields deny (deny:role_not_allowed)"},
		{"DeniedBeforeFields", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        write: [nik]\n        fields: {nik: \"deny:not_here\"}\n", "test.yaml:6:17: role dpo, purpose dsr: write lists \"nik\""},
		{"Alias", head + "        write: &w [email]\n", "test.yaml:7:16: role dpo, purpose dsr: anchors and aliases are not supported"},
		{"Portal", "version: 1\nroles:\n  portal:\n    purposes:\n      dsr:\n        fields: {email: allow}\n        write: [email]\n", "test.yaml:7:17: role portal only looks customers up at sign-in; it may write nothing"},
		{"UnknownKey", head + "        writes: [email]\n", "test.yaml:7:9: role dpo, purpose dsr: unknown key \"writes\" in a purpose; expected fields, reveal or write"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.Parse("test.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("parsed %v, want an error", p)
			}
			if e := jaga.AsError(err); e == nil || e.Code != jaga.EINVALID || !strings.HasPrefix(e.Message, c.want) {
				t.Fatalf("error %v, want prefix %q", err, c.want)
			}
		})
	}
}

// TestCheckWrite: a write entry must be a field of the schema that the purpose's fields
// do not deny (by a group or by leaving it out), located in the file.
func TestCheckWrite(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"UnknownField", "version: 1\nroles:\n  support:\n    purposes:\n      customer_support:\n        fields: {\"*\": allow}\n        write: [phone, phnoe]\n",
			"test.yaml:7:24: role support, purpose customer_support: write lists unknown field \"phnoe\""},
		{"Unlisted", "version: 1\nroles:\n  support:\n    purposes:\n      customer_support:\n        fields: {phone: mask:last3}\n        write: [phone, address]\n",
			"test.yaml:7:24: role support, purpose customer_support: write lists \"address\", which the purpose's fields deny (deny:role_not_allowed)"},
		{"DeniedByGroup", "version: 1\nroles:\n  analyst:\n    purposes:\n      service_improvement:\n        fields: {\"@specific\": deny, \"*\": allow}\n        write: [income]\n",
			"test.yaml:7:17: role analyst, purpose service_improvement: write lists \"income\", which the purpose's fields deny (deny:role_not_allowed)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := MustParse(t, c.src).Check(jaga.DefaultSchema(), jaga.DefaultPurposes())
			if e := jaga.AsError(err); e == nil || e.Code != jaga.EINVALID || !strings.HasPrefix(e.Message, c.want) {
				t.Fatalf("error %v, want prefix %q", err, c.want)
			}
		})
	}
}
