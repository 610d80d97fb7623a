package policy_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/policy"
)

func purposes(tb testing.TB) map[string]*jaga.Purpose {
	tb.Helper()
	m := map[string]*jaga.Purpose{}
	for _, p := range jaga.DefaultPurposes() {
		m[p.ID] = &p
	}
	return m
}

func field(tb testing.TB, name string) jaga.FieldSpec {
	tb.Helper()
	f, ok := jaga.DefaultSchema().Field(name)
	if !ok {
		tb.Fatalf("no field %q", name)
	}
	return f
}

// MustParse parses a policy or fails the test.
func MustParse(tb testing.TB, src string) *policy.Policy {
	tb.Helper()
	p, err := policy.Parse("test.yaml", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestDefault(t *testing.T) {
	p := policy.Default()
	if p != policy.Default() {
		t.Error("Default returns a new policy each time")
	}
	if err := p.Check(jaga.DefaultSchema(), jaga.DefaultPurposes()); err != nil {
		t.Fatal(err)
	}
	if got := len(p.Roles()); got != len(jaga.DefaultRoles) {
		t.Errorf("default policy names %d roles, want %d", got, len(jaga.DefaultRoles))
	}
	if _, err := policy.Parse("copy.yaml", policy.DefaultYAML()); err != nil {
		t.Fatal(err)
	}
}

// TestDefaultDecisions is DESIGN.md's roles table, role × purpose × field.
func TestDefaultDecisions(t *testing.T) {
	p := policy.Default()
	pur := purposes(t)
	const (
		allow     = jaga.Allow
		roleNo    = jaga.Decision("deny:role_not_allowed")
		notIn     = jaga.Decision("deny:field_not_in_purpose")
		notRole   = jaga.Decision("deny:role_not_allowed")
		maskPhone = jaga.Decision("mask:last3")
		maskEmail = jaga.Decision("mask:first_letter")
		maskYear  = jaga.Decision("mask:year")
	)
	type want map[string]jaga.Decision // field → decision ("purchases" for DecidePurchases)
	table := []struct {
		role    jaga.Role
		purpose string
		want    want
	}{
		// admin and auditor: no customer data for any purpose.
		{jaga.RoleAdmin, jaga.PurposeServiceProvision, want{"full_name": roleNo, "email": roleNo, "purchases": roleNo}},
		{jaga.RoleAdmin, jaga.PurposeDSR, want{"full_name": roleNo, "nik": roleNo}},
		{jaga.RoleAdmin, jaga.PurposeLegalObligation, want{"full_name": roleNo}},
		{jaga.RoleAuditor, jaga.PurposeSecurity, want{"full_name": roleNo}},
		{jaga.RoleAuditor, jaga.PurposeLegalObligation, want{"email": roleNo, "purchases": roleNo}},
		// dpo: dsr and legal_obligation, everything.
		{jaga.RoleDPO, jaga.PurposeDSR, want{"full_name": allow, "email": allow, "phone": allow, "nik": allow,
			"birth_date": allow, "income": allow, "mnt_wines": allow, "purchases": allow}},
		{jaga.RoleDPO, jaga.PurposeLegalObligation, want{"nik": allow, "income": allow, "purchases": allow}},
		{jaga.RoleDPO, jaga.PurposeCrossSelling, want{"full_name": roleNo, "purchases": roleNo}},
		{jaga.RoleDPO, jaga.PurposeSecurity, want{"full_name": roleNo}},
		// support: customer_support and service_provision, contact masked.
		{jaga.RoleSupport, jaga.PurposeCustomerSupport, want{"full_name": allow, "email": maskEmail, "phone": maskPhone,
			"address": allow, "domicile_province": allow, "domicile_city": allow,
			"nik": notIn, "birth_date": notIn, "income": notIn, "purchases": notIn}},
		{jaga.RoleSupport, jaga.PurposeServiceProvision, want{"full_name": allow, "email": maskEmail, "phone": maskPhone,
			"address": allow, "nik": notRole, "birth_date": notRole, "gender": notRole, "purchases": notRole}},
		{jaga.RoleSupport, jaga.PurposeCrossSelling, want{"full_name": roleNo}},
		{jaga.RoleSupport, jaga.PurposeDSR, want{"full_name": roleNo}},
		// marketer: cross_selling, no contact details, no specific data.
		{jaga.RoleMarketer, jaga.PurposeCrossSelling, want{"full_name": allow, "domicile_city": allow, "mnt_wines": allow,
			"education": allow, "year_birth": allow, "purchases": allow, "income": notIn,
			"email": notIn, "phone": notIn, "nik": notIn, "address": notIn, "domicile_province": notIn}},
		{jaga.RoleMarketer, jaga.PurposeServiceImprovement, want{"mnt_wines": roleNo, "purchases": roleNo}},
		{jaga.RoleMarketer, jaga.PurposeCustomerSupport, want{"email": roleNo}},
		// analyst: service_improvement, no direct identifiers.
		{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, want{"birth_date": maskYear, "gender": allow,
			"domicile_province": allow, "domicile_city": allow, "mnt_wines": allow, "response": allow,
			"purchases": allow, "income": notRole,
			"full_name": notIn, "email": notIn, "phone": notIn, "nik": notIn, "address": notIn}},
		{jaga.RoleAnalyst, jaga.PurposeCrossSelling, want{"full_name": roleNo}},
		// service: service_provision, identity fields.
		{jaga.RoleService, jaga.PurposeServiceProvision, want{"full_name": allow, "email": allow, "phone": allow,
			"nik": allow, "birth_date": allow, "gender": allow, "address": allow, "domicile_province": allow,
			"domicile_city": allow, "income": notIn, "mnt_wines": notIn, "purchases": allow}},
		{jaga.RoleService, jaga.PurposeCustomerSupport, want{"full_name": roleNo}},
		// A role no policy names.
		{jaga.Role("intern"), jaga.PurposeServiceProvision, want{"full_name": roleNo, "purchases": roleNo}},
	}
	for _, c := range table {
		pu := pur[c.purpose]
		for name, w := range c.want {
			t.Run(string(c.role)+"/"+c.purpose+"/"+name, func(t *testing.T) {
				var got jaga.Decision
				if name == jaga.FieldPurchases {
					got = p.DecidePurchases(c.role, pu)
				} else {
					got = p.Decide(c.role, pu, field(t, name))
				}
				if got != w {
					t.Fatalf("got %q, want %q", got, w)
				}
			})
		}
		want := false
		for _, d := range c.want {
			want = want || d != roleNo
		}
		if p.AllowsPurpose(c.role, c.purpose) != want {
			t.Errorf("AllowsPurpose(%s, %s) = %v, want %v", c.role, c.purpose, !want, want)
		}
	}
	t.Run("NilPurpose", func(t *testing.T) {
		if got := p.Decide(jaga.RoleDPO, nil, field(t, "email")); got != "deny:purpose_not_active" {
			t.Fatal(got)
		}
		if got := p.DecidePurchases(jaga.RoleDPO, nil); got != "deny:purpose_not_active" {
			t.Fatal(got)
		}
	})
	t.Run("Reveal", func(t *testing.T) {
		for _, c := range []struct {
			role         jaga.Role
			purpose, fld string
			want         bool
		}{
			{jaga.RoleSupport, jaga.PurposeCustomerSupport, "email", true},
			{jaga.RoleSupport, jaga.PurposeCustomerSupport, "phone", true},
			{jaga.RoleSupport, jaga.PurposeServiceProvision, "phone", true},
			{jaga.RoleSupport, jaga.PurposeCustomerSupport, "full_name", false},
			{jaga.RoleSupport, jaga.PurposeCustomerSupport, "nik", false},
			{jaga.RoleSupport, jaga.PurposeCrossSelling, "email", false},
			{jaga.RoleAnalyst, jaga.PurposeServiceImprovement, "birth_date", false},
			{jaga.RoleMarketer, jaga.PurposeCrossSelling, "email", false},
			{jaga.RoleDPO, jaga.PurposeDSR, "email", false},
		} {
			if got := p.CanReveal(c.role, c.purpose, c.fld); got != c.want {
				t.Errorf("CanReveal(%s, %s, %s) = %v, want %v", c.role, c.purpose, c.fld, got, c.want)
			}
		}
	})
}

// TestRegistryAndPolicy checks that both must allow: a policy that allows everything
// still cannot read a field the purpose registry leaves out.
func TestRegistryAndPolicy(t *testing.T) {
	p := MustParse(t, `
version: 1
roles:
  marketer:
    purposes:
      cross_selling:
        fields: {"*": allow}
      security:
        fields: {"*": allow}
`)
	pur := purposes(t)
	if got := p.Decide(jaga.RoleMarketer, pur[jaga.PurposeCrossSelling], field(t, "email")); got != "deny:field_not_in_purpose" {
		t.Errorf("email: %q", got)
	}
	// Specific data needs a purpose that lists it explicitly (issue 3): a policy's "*"
	// cannot reach income when cross_selling's "@attributes" does not.
	if got := p.Decide(jaga.RoleMarketer, pur[jaga.PurposeCrossSelling], field(t, "income")); got != "deny:field_not_in_purpose" {
		t.Errorf("income under *: %q", got)
	}
	if got := p.Decide(jaga.RoleMarketer, pur[jaga.PurposeSecurity], field(t, "full_name")); got != "deny:field_not_in_purpose" {
		t.Errorf("security: %q", got)
	}
	if got := p.DecidePurchases(jaga.RoleMarketer, pur[jaga.PurposeSecurity]); got != "deny:field_not_in_purpose" {
		t.Errorf("security purchases: %q", got)
	}
}

func TestPrecedence(t *testing.T) {
	p := MustParse(t, `
version: 1
roles:
  analyst:
    purposes:
      dsr:
        fields:
          "*": deny:everything_else
          "@attributes": allow
          "@specific": deny:specific_data
          kidhome: deny
          birth_date: mask:year
          purchases: deny:no_purchases
`)
	dsr := purposes(t)[jaga.PurposeDSR]
	extra := jaga.FieldSpec{Name: "health_note", Kind: jaga.KindField, Class: jaga.ClassSpecificHealth, Type: jaga.TypeText, MaxLen: 10}
	for _, c := range []struct {
		f    jaga.FieldSpec
		want jaga.Decision
	}{
		{field(t, "mnt_wines"), jaga.Allow},            // @attributes
		{field(t, "kidhome"), "deny:role_not_allowed"}, // name beats @attributes
		{field(t, "income"), "deny:specific_data"},     // @specific, not @attributes
		{extra, "deny:specific_data"},                  // a specific field
		{field(t, "birth_date"), "mask:year"},          // name
		{field(t, "email"), "deny:everything_else"},    // *
		{jaga.FieldSpec{Name: "x", Kind: jaga.KindAttribute, Class: jaga.ClassGeneral}, jaga.Allow},
	} {
		if got := p.Decide(jaga.RoleAnalyst, dsr, c.f); got != c.want {
			t.Errorf("%s: got %q, want %q", c.f.Name, got, c.want)
		}
	}
	if got := p.DecidePurchases(jaga.RoleAnalyst, dsr); got != "deny:no_purchases" {
		t.Errorf("purchases: %q", got)
	}
	// Without @specific, a specific attribute falls through to *, not to @attributes.
	q := MustParse(t, `
version: 1
roles:
  analyst:
    purposes:
      dsr:
        fields: {"@attributes": allow}
`)
	if got := q.Decide(jaga.RoleAnalyst, dsr, field(t, "income")); got != "deny:role_not_allowed" {
		t.Errorf("income: %q", got)
	}
	if got := q.DecidePurchases(jaga.RoleAnalyst, dsr); got != "deny:role_not_allowed" {
		t.Errorf("purchases: %q", got)
	}
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p := MustParse(t, `
# a comment
version: 1
roles:
  admin:
  auditor: {}
  dpo:
    purposes:
      dsr: {}
      legal_obligation:
        fields:
  support:
    purposes:
      customer_support:
        reveal: [phone]          # before fields: order does not matter
        fields: {phone: "mask:last3", email: 'mask:first_letter'}
`)
		if p.Name() != "test.yaml" {
			t.Error(p.Name())
		}
		if got := p.Roles(); len(got) != 4 {
			t.Errorf("roles %v", got)
		}
		if !p.AllowsPurpose(jaga.RoleDPO, jaga.PurposeDSR) || p.AllowsPurpose(jaga.RoleAdmin, jaga.PurposeDSR) {
			t.Error("AllowsPurpose")
		}
		if got := p.Decide(jaga.RoleDPO, purposes(t)[jaga.PurposeDSR], field(t, "email")); got != "deny:role_not_allowed" {
			t.Errorf("empty purpose rule: %q", got)
		}
		if !p.CanReveal(jaga.RoleSupport, jaga.PurposeCustomerSupport, "phone") || p.CanReveal(jaga.RoleSupport, jaga.PurposeCustomerSupport, "email") {
			t.Error("CanReveal")
		}
		if got := p.Purposes(jaga.RoleDPO); strings.Join(got, ",") != "dsr,legal_obligation" {
			t.Errorf("Purposes %v", got)
		}
	})
	// Each bad file names the line and column (where yaml.v3 gives one) of the problem.
	for _, c := range []struct {
		name, src, want string
	}{
		{"Syntax", "version: 1\nroles:\n  dpo: {}\n  support: purposes: {}\n", "test.yaml:4:20: mapping values are not allowed in this context"},
		{"SyntaxFlow", "version: 1\nroles:\n  dpo:\n    purposes: [dsr\n", "test.yaml:4:15: did not find expected ',' or ']'"},
		// A key indented off its block: the line of the key itself, not of the block (yaml/v3 said line 2).
		{"MisIndented", "version: 1\nroles:\n  dpo:\n    purposes: {}\n   support: {}\n", "test.yaml:5:4: did not find expected key (while parsing a block mapping that starts at line 3): is this line indented"},
		{"SyntaxIndent", "version: 1\nroles:\n  dpo:\n   purposes: {}\n  bad\n", "test.yaml:5:3: "},
		{"Tab", "version: 1\nroles:\n\tdpo: {}\n", "test.yaml:3:1: "},
		{"Empty", "", "test.yaml: policy file is empty"},
		{"OnlyComment", "# nothing\n", "test.yaml: policy file is empty"},
		{"TwoDocs", "version: 1\n---\nversion: 1\n", "test.yaml:2:1: a policy file holds one YAML document"},
		{"NotMapping", "- a\n- b\n", "test.yaml:1:1: the policy must be a mapping"},
		{"NoVersion", "roles: {}\n", "test.yaml:1:1: version is missing"},
		{"Version2", "version: 2\n", "test.yaml:1:10: unsupported policy version 2"},
		{"VersionString", "version: one\n", "test.yaml:1:10: version must be a number"},
		{"UnknownTopKey", "version: 1\nrole: {}\n", "test.yaml:2:1: unknown key \"role\""},
		{"UnknownRole", "version: 1\nroles:\n  dpo: {}\n  janitor: {}\n", "test.yaml:4:3: unknown role \"janitor\""},
		{"DuplicateRole", "version: 1\nroles:\n  dpo: {}\n  dpo: {}\n", "test.yaml:4:3: \"dpo\" is given twice in roles (first at line 3)"},
		{"UnknownRoleKey", "version: 1\nroles:\n  dpo:\n    purpose: {}\n", "test.yaml:4:5: role dpo: unknown key \"purpose\" in a role"},
		{"BadPurposeID", "version: 1\nroles:\n  dpo:\n    purposes:\n      Customer-Support: {}\n", "test.yaml:5:7: role dpo: purpose \"Customer-Support\" must be a snake_case ID"},
		{"UnknownPurposeKey", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        field: {}\n", "test.yaml:6:9: role dpo, purpose dsr: unknown key \"field\" in a purpose"},
		{"UnknownRule", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields:\n          email: alow\n", "test.yaml:7:18: role dpo, purpose dsr: unknown rule \"alow\" for \"email\""},
		{"UnknownMask", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields:\n          email: mask:last4\n", "test.yaml:7:18: role dpo, purpose dsr: unknown mask \"last4\""},
		{"BadReason", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields:\n          email: \"deny:Not OK\"\n", "test.yaml:7:18: role dpo, purpose dsr: deny reason \"Not OK\""},
		{"EmptyReason", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields:\n          email: \"deny:\"\n", "test.yaml:7:18: role dpo, purpose dsr: deny reason \"\""},
		{"BoolRule", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields:\n          email: true\n", "test.yaml:7:18: role dpo, purpose dsr: the rule for \"email\" must be"},
		{"MaskOnWildcard", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields:\n          \"@attributes\": mask:year\n", "test.yaml:7:26: role dpo, purpose dsr: a mask applies to one named field"},
		{"MaskOnPurchases", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {purchases: mask:year}\n", "test.yaml:6:29: role dpo, purpose dsr: a mask applies to one named field"},
		{"UnknownGroup", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"@attrs\": allow}\n", "test.yaml:6:18: role dpo, purpose dsr: unknown field group \"@attrs\""},
		{"BadFieldName", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {Email: allow}\n", "test.yaml:6:18: role dpo, purpose dsr: field \"Email\" must be a snake_case name"},
		{"DuplicateField", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {email: allow, email: deny}\n", "test.yaml:6:32: role dpo, purpose dsr: \"email\" is given twice in fields"},
		{"RevealNotMasked", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {email: allow}\n        reveal: [email]\n", "test.yaml:7:18: role dpo, purpose dsr: reveal lists \"email\", which has no mask rule"},
		{"RevealUnlisted", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        reveal: [phone]\n", "test.yaml:6:18: role dpo, purpose dsr: reveal lists \"phone\""},
		{"RevealNotList", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        reveal: phone\n", "test.yaml:6:17: role dpo, purpose dsr: reveal must be a list"},
		{"RevealTwice", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {phone: mask:last3}\n        reveal: [phone, phone]\n", "test.yaml:7:25: role dpo, purpose dsr: \"phone\" is given twice in reveal"},
		{"Alias", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr: &r {}\n      legal_obligation: *r\n", "test.yaml:5:12: role dpo: anchors and aliases are not supported"},
		{"RoleNotMapping", "version: 1\nroles:\n  dpo: [dsr]\n", "test.yaml:3:8: role dpo: a role must be a mapping"},
		{"FieldsNotMapping", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: [email]\n", "test.yaml:6:17: role dpo, purpose dsr: fields must be a mapping"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.Parse("test.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("parsed %v, want an error", p)
			}
			e := jaga.AsError(err)
			if e == nil || e.Code != jaga.EINVALID {
				t.Fatalf("error %#v, want an EINVALID *jaga.Error", err)
			}
			if !strings.HasPrefix(e.Message, c.want) {
				t.Fatalf("message %q, want prefix %q", e.Message, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	schema := jaga.DefaultSchema()
	for _, c := range []struct {
		name, src, want string
	}{
		{"UnknownPurpose", "version: 1\nroles:\n  dpo:\n    purposes:\n      dsr: {}\n      marketing: {}\n", "test.yaml:6:7: role dpo: unknown purpose \"marketing\""},
		{"UnknownField", "version: 1\nroles:\n  analyst:\n    purposes:\n      service_improvement:\n        fields:\n          \"@attributes\": allow\n          incme: deny\n", "test.yaml:8:11: role analyst, purpose service_improvement: unknown field \"incme\""},
		{"MaskType", "version: 1\nroles:\n  support:\n    purposes:\n      customer_support:\n        fields:\n          full_name: allow\n          email: mask:last3\n", "test.yaml:8:11: role support, purpose customer_support: mask last3 is for phone values; email is email"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := MustParse(t, c.src).Check(schema, jaga.DefaultPurposes())
			if err == nil {
				t.Fatal("no error")
			}
			if e := jaga.AsError(err); e == nil || e.Code != jaga.EINVALID || e.Message != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nroles:\n  dpo:\n    purposes:\n      dsr:\n        fields: {\"*\": allow}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := policy.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != path || !p.AllowsPurpose(jaga.RoleDPO, jaga.PurposeDSR) {
		t.Fatalf("loaded %v", p)
	}
	if err := os.WriteFile(path, []byte("version: 1\nroles:\n  cleaner: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Load(path); err == nil || !strings.Contains(err.Error(), path+":3:3: unknown role") {
		t.Fatalf("error %v", err)
	}
	if _, err := policy.Load(filepath.Join(dir, "missing.yaml")); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v", err)
	}
}
