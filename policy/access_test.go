package policy_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/policy"
)

var update = flag.Bool("update", false, "rewrite testdata/decisions.golden from the current decisions")

var bases = []jaga.LawfulBasis{jaga.BasisConsent, jaga.BasisContract, jaga.BasisLegalObligation, jaga.BasisVitalInterest, jaga.BasisPublicTask, jaga.BasisLegitimateInterest}

// decisionTable is every decision of the default policy over role (the default roles
// and the portal's sign-in look-up) × purpose × status × lawful basis × consent state ×
// restriction × field class, one line per combination but the field: each line lists the field classes' decisions (a general identity
// field, a general contact field, a general attribute, a specific:financial attribute,
// the purchases), or "*=<decision>" when they are all the same.
func decisionTable(t *testing.T) []byte {
	pol := policy.Default()
	schema := jaga.DefaultSchema()
	var fields []jaga.FieldSpec
	for _, n := range []string{"full_name", "email", "education", "income"} {
		f, ok := schema.Field(n)
		if !ok {
			t.Fatalf("schema has no %s", n)
		}
		fields = append(fields, f)
	}
	fields = append(fields, jaga.FieldSpec{Name: jaga.FieldPurchases})
	var buf bytes.Buffer
	buf.WriteString("# role purpose status basis consent restricted | field decisions (go test ./policy -run TestDecisionTable -update)\n")
	buf.WriteString("# fields: full_name (general), email (general contact), education (general attribute), income (specific:financial attribute), purchases\n")
	for _, role := range append(slices.Clone(jaga.DefaultRoles), jaga.RolePortal) {
		for _, p := range jaga.DefaultPurposes() {
			for _, status := range []jaga.PurposeStatus{jaga.PurposeActive, jaga.PurposeDraft, jaga.PurposeRetired} {
				for _, basis := range bases {
					for _, state := range policy.ConsentStates {
						for _, restricted := range []bool{false, true} {
							pu := p
							pu.Status, pu.Basis = status, basis
							s := policy.Subject{Consent: state, Restricted: restricted}
							ds := make([]string, len(fields))
							for i, f := range fields {
								d := pol.Access(role, &pu, s, f)
								if r := d.Reason(); d.IsDeny() && !slices.Contains(policy.Reasons, r) {
									t.Errorf("%s %s: reason %q is not one of policy.Reasons", role, p.ID, r)
								}
								ds[i] = string(d)
							}
							fmt.Fprintf(&buf, "%s %s %s %s %s %v |", role, p.ID, status, basis, state, restricted)
							if allSame(ds) {
								fmt.Fprintf(&buf, " *=%s\n", ds[0])
								continue
							}
							for i, f := range fields {
								fmt.Fprintf(&buf, " %s=%s", f.Name, ds[i])
							}
							buf.WriteByte('\n')
						}
					}
				}
			}
		}
	}
	return buf.Bytes()
}

func allSame(ss []string) bool {
	for _, s := range ss[1:] {
		if s != ss[0] {
			return false
		}
	}
	return true
}

// TestDecisionTable compares the whole decision space with testdata/decisions.golden
// (issue 3, must-show 1). After an intended change, run with -update and review the diff.
func TestDecisionTable(t *testing.T) {
	got := decisionTable(t)
	path := filepath.Join("testdata", "decisions.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -run TestDecisionTable -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("decisions differ from %s at line %d:\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("decisions differ from %s: %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestAccess checks rows of the table by hand, so that the golden file cannot enshrine
// a wrong rule unnoticed.
func TestAccess(t *testing.T) {
	pol := policy.Default()
	pur := purposes(t)
	active := func(id string) *jaga.Purpose {
		p := *pur[id]
		p.Status = jaga.PurposeActive
		return &p
	}
	given := policy.Subject{Consent: policy.StateGiven}
	tests := []struct {
		name    string
		role    jaga.Role
		purpose *jaga.Purpose
		subject policy.Subject
		field   string
		want    jaga.Decision
	}{
		{"SegmentField", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), given, "full_name", jaga.Allow},
		{"Attribute", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), given, "education", jaga.Allow},
		{"NoContact", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), given, "email", "deny:field_not_in_purpose"},
		{"SpecificNotListed", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), given, "income", "deny:field_not_in_purpose"},
		{"SpecificListed", jaga.RoleDPO, active(jaga.PurposeDSR), policy.Subject{}, "income", jaga.Allow},
		{"NoConsent", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), policy.Subject{Consent: policy.StateNone}, "full_name", "deny:no_consent"},
		{"Refused", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), policy.Subject{Consent: policy.StateRefused}, "full_name", "deny:no_consent"},
		{"Withdrawn", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), policy.Subject{Consent: policy.StateWithdrawn}, "full_name", "deny:consent_withdrawn"},
		{"Expired", jaga.RoleAnalyst, active(jaga.PurposeServiceImprovement), policy.Subject{Consent: policy.StateExpired}, "gender", "deny:consent_expired"},
		{"Invalid", jaga.RoleAnalyst, active(jaga.PurposeServiceImprovement), policy.Subject{Consent: policy.StateInvalid}, "gender", "deny:consent_invalid"},
		{"Guardian", jaga.RoleAnalyst, active(jaga.PurposeServiceImprovement), policy.Subject{Consent: policy.StateGuardianRequired}, "gender", "deny:guardian_required"},
		{"Draft", jaga.RoleMarketer, pur[jaga.PurposeCrossSelling], given, "full_name", "deny:purpose_not_active"},
		{"Nil", jaga.RoleDPO, nil, given, "full_name", "deny:purpose_not_active"},
		{"Role", jaga.RoleSupport, active(jaga.PurposeCrossSelling), given, "full_name", "deny:role_not_allowed"},
		{"RoleRule", jaga.RoleAnalyst, active(jaga.PurposeServiceImprovement), given, "full_name", "deny:field_not_in_purpose"},
		{"RestrictedConsentPurpose", jaga.RoleMarketer, active(jaga.PurposeCrossSelling), policy.Subject{Consent: policy.StateGiven, Restricted: true}, "full_name", "deny:subject_restricted"},
		{"RestrictedContract", jaga.RoleSupport, active(jaga.PurposeCustomerSupport), policy.Subject{Restricted: true}, "full_name", "deny:subject_restricted"},
		{"RestrictedDSR", jaga.RoleDPO, active(jaga.PurposeDSR), policy.Subject{Restricted: true}, "email", jaga.Allow},
		{"RestrictedLegal", jaga.RoleDPO, active(jaga.PurposeLegalObligation), policy.Subject{Restricted: true}, "email", jaga.Allow},
		{"ContractNeedsNoConsent", jaga.RoleSupport, active(jaga.PurposeCustomerSupport), policy.Subject{Consent: policy.StateWithdrawn}, "phone", "mask:last3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pol.Access(tt.role, tt.purpose, tt.subject, field(t, tt.field)); got != tt.want {
				t.Errorf("Access = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestStateOf(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	guardian := jaga.SubjectID("sub_0190000000007000800000000000000a")
	child := &jaga.Guardianship{Guardian: guardian, AdultAt: t0.AddDate(5, 0, 0)}
	grown := &jaga.Guardianship{Guardian: guardian, AdultAt: t0.AddDate(-1, 0, 0)}
	c := func(st jaga.ConsentStatus, mod func(*jaga.Consent)) *jaga.Consent {
		x := &jaga.Consent{Status: st, At: t0}
		if mod != nil {
			mod(x)
		}
		return x
	}
	byGuardian := func(x *jaga.Consent) { x.GivenBy, x.Guardian = jaga.GivenByGuardian, guardian }
	tests := []struct {
		name string
		c    *jaga.Consent
		g    *jaga.Guardianship
		want policy.ConsentState
	}{
		{"None", nil, nil, policy.StateNone},
		{"Given", c(jaga.ConsentGiven, nil), nil, policy.StateGiven},
		{"Refused", c(jaga.ConsentRefused, nil), nil, policy.StateRefused},
		{"Withdrawn", c(jaga.ConsentWithdrawn, nil), nil, policy.StateWithdrawn},
		{"ExpiredStatus", c(jaga.ConsentExpired, nil), nil, policy.StateExpired},
		{"PastValidity", c(jaga.ConsentGiven, func(x *jaga.Consent) { x.ExpiresAt = t0 }), nil, policy.StateExpired},
		{"WithinValidity", c(jaga.ConsentGiven, func(x *jaga.Consent) { x.ExpiresAt = t0.Add(time.Hour) }), nil, policy.StateGiven},
		{"DraftNotice", c(jaga.ConsentGiven, func(x *jaga.Consent) { x.Flag = jaga.FlagDraftNotice }), nil, policy.StateInvalid},
		{"GPC", c(jaga.ConsentGiven, func(x *jaga.Consent) { x.Flag = jaga.FlagGPC }), nil, policy.StateInvalid},
		{"UnknownStatus", c("maybe", nil), nil, policy.StateInvalid},
		{"ChildSelf", c(jaga.ConsentGiven, nil), child, policy.StateGuardianRequired},
		{"ChildOtherGuardian", c(jaga.ConsentGiven, func(x *jaga.Consent) { x.GivenBy, x.Guardian = jaga.GivenByGuardian, "sub_other" }), child, policy.StateGuardianRequired},
		{"ChildGuardian", c(jaga.ConsentGiven, byGuardian), child, policy.StateGiven},
		{"GrownUp", c(jaga.ConsentGiven, nil), grown, policy.StateGiven},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.StateOf(tt.c, t0.Add(time.Minute), tt.g); got != tt.want {
				t.Errorf("StateOf = %s, want %s", got, tt.want)
			}
		})
	}
}
