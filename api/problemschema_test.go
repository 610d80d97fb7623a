package api_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"jaga"
	"jaga/gate"
	"jaga/policy"
)

// TestProblemSchemaCoversCodes: the Problem schema of openapi.yaml accepts the type of
// every error code (503 unavailable included, which responses validated against the
// document would otherwise fail), and its reason description names every refusal
// reason the code gives, completely (the description once ended "subject_restricted -
// or").
func TestProblemSchemaCoversCodes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	problem := doc.Components.Schemas["Problem"].Value
	typ := regexp.MustCompile(problem.Properties["type"].Value.Pattern)
	for _, code := range []string{jaga.EINVALID, jaga.EUNPROCESSABLE, jaga.EUNAUTHORIZED, jaga.EFORBIDDEN,
		jaga.ENOTFOUND, jaga.ECONFLICT, jaga.ERATELIMIT, jaga.EINTERNAL, jaga.EUNAVAILABLE} {
		if !typ.MatchString("urn:jaga:problem:" + code) {
			t.Errorf("the Problem type pattern %s refuses code %s", typ, code)
		}
	}
	desc := problem.Properties["reason"].Value.Description
	reasons := append(slices.Clone(policy.Reasons), policy.ReasonWriteNotAllowed, gate.ReasonIdentifierExists,
		gate.ReasonUndeclaredIdentifier, "purpose_not_allowed", "not_own_data", "not_revealable", "reason_required",
		"lookup_field_denied", "dpo_required", "same_approver")
	for _, r := range reasons {
		if !strings.Contains(desc, "`"+r+"`") {
			t.Errorf("the reason description does not name %s", r)
		}
	}
	if d := strings.TrimSpace(desc); !strings.HasSuffix(d, ".") || strings.HasSuffix(d, "- or") {
		t.Errorf("the reason description is cut off: %q", d)
	}
}
