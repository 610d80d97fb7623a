package api_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestFreeTextReview: a subject created or updated with an identifier in a free-text
// field is stored and the response names the review flag raised (issue 8); a clean
// update stays 204. Responses are validated against openapi.yaml.
func TestFreeTextReview(t *testing.T) {
	e := newEnv(t)
	const nik = "3273055712859902"
	e.secrets = append(e.secrets, nik, "rina.s@example.com")
	svc := e.keys[jaga.RoleService]
	r := e.do(t, call{method: "POST", path: "/v1/subjects", key: svc, purpose: jaga.PurposeServiceProvision, body: map[string]any{
		"fields": map[string]string{"full_name": "Rina Sari", "email": "rina.s@example.com", "address": "Jl. Braga 12, NIK " + nik},
	}}).want(t, http.StatusCreated)
	var created struct {
		ID     jaga.SubjectID `json:"id"`
		Review []string       `json:"review"`
	}
	r.decode(t, &created)
	if !slices.Equal(created.Review, []string{"pii_in_free_text:nik"}) {
		t.Fatalf("create review = %v", created.Review)
	}
	r = e.do(t, call{method: "PATCH", path: "/v1/subjects/" + string(created.ID), key: svc, purpose: jaga.PurposeServiceProvision,
		body: map[string]any{"fields": map[string]string{"address": "Jl. Braga 12, kartu 4111 1111 1111 1111"}}}).want(t, http.StatusOK)
	var updated struct {
		Review []string `json:"review"`
	}
	r.decode(t, &updated)
	if !slices.Equal(updated.Review, []string{"pii_in_free_text:card"}) {
		t.Fatalf("update review = %v", updated.Review)
	}
	e.do(t, call{method: "PATCH", path: "/v1/subjects/" + string(created.ID), key: svc, purpose: jaga.PurposeServiceProvision,
		body: map[string]any{"fields": map[string]string{"address": "Jl. Braga 12"}}}).want(t, http.StatusNoContent)
}

// TestResolveToken: POST /v1/tokens/resolve returns the value behind a token to the dpo
// and support as the policy allows, refuses the rest, and audits every call; responses
// match openapi.yaml.
func TestResolveToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const nik, npwp, email = "3273055712859902", "01.312.166.0-091.000", "rina.s@example.com"
	e.secrets = append(e.secrets, nik, npwp, email)
	sub, err := e.gate.Create(ctx, gate.CreateRequest{Request: gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision},
		Values: map[string]string{"full_name": "Rina Sari", "email": email, "nik": nik}})
	if err != nil {
		t.Fatal(err)
	}
	text := "NIK " + nik + " NPWP " + npwp + " email " + email
	s, err := e.gate.NewTokenSession(ctx, gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Redact(ctx, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	toks := regexp.MustCompile(`jgt_[a-z]{26}`).FindAllString(string(out), -1)
	if len(toks) != 3 {
		t.Fatalf("redacted %q", out)
	}
	type resolved struct {
		Token, Kind, Value string
		Subject            jaga.SubjectID
	}
	t.Run("OK", func(t *testing.T) {
		for _, c := range []struct {
			role    jaga.Role
			purpose string
			tok     string
			want    resolved
		}{
			{jaga.RoleDPO, jaga.PurposeLegalObligation, toks[0], resolved{toks[0], "nik", nik, sub}},
			{jaga.RoleDPO, jaga.PurposeLegalObligation, toks[1], resolved{toks[1], "npwp", npwp, ""}},
			{jaga.RoleSupport, jaga.PurposeCustomerSupport, toks[2], resolved{toks[2], "email", email, sub}},
		} {
			r := e.do(t, call{method: "POST", path: "/v1/tokens/resolve", key: e.keys[c.role], purpose: c.purpose, reason: "TICKET-77",
				body: map[string]string{"token": c.tok}}).want(t, http.StatusOK)
			var got resolved
			r.decode(t, &got)
			if got != c.want {
				t.Fatalf("resolved %+v, want %+v", got, c.want)
			}
			ev := e.audited(t, r, jaga.ActionResolveToken, "allow")
			if ev.Reason != "TICKET-77" {
				t.Fatalf("audit reason %q", ev.Reason)
			}
		}
	})
	t.Run("Refused", func(t *testing.T) {
		r := e.do(t, call{method: "POST", path: "/v1/tokens/resolve", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport, reason: "T-1",
			body: map[string]string{"token": toks[0]}})
		r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "not_revealable")
		e.audited(t, r, jaga.ActionResolveToken, "deny:not_revealable")
		r = e.do(t, call{method: "POST", path: "/v1/tokens/resolve", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeLegalObligation,
			body: map[string]string{"token": toks[1]}})
		r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "reason_required")
		e.do(t, call{method: "POST", path: "/v1/tokens/resolve", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeLegalObligation, reason: "T-1",
			body: map[string]string{"token": "jgt_nope"}}).wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "token", "")
		e.do(t, call{method: "POST", path: "/v1/tokens/resolve", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeLegalObligation, reason: "T-1",
			body: map[string]string{"token": "jgt_abcdefghijklmnopqrstuvwxyz"}}).wantProblem(t, http.StatusNotFound, jaga.ENOTFOUND, "", "")
		e.do(t, call{method: "POST", path: "/v1/tokens/resolve", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeLegalObligation, reason: "T-1",
			body: map[string]string{"tokens": toks[0]}}).wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "tokens", "")
	})
}
