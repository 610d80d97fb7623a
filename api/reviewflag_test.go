package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"jaga"
)

// TestReviewFlags: GET /v1/review-flags lists open flags for the dpo, support and the
// auditor with filters and paging; POST /v1/review-flags/{id}/resolve closes one (and
// the partner of an identity conflict) for the dpo and support only; a second
// resolution is 409, an unknown flag 404, a bad resolution or a note with personal data
// 422. Every call that reaches the gate is audited without the note; responses match
// openapi.yaml.
func TestReviewFlags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	f := e.seed(t)
	flags := []*jaga.ReviewFlag{
		{Subject: f.siti, Reason: "identity_conflict", Other: f.budi, File: "expo.xlsx", Line: 7},
		{Subject: f.budi, Reason: "identity_conflict", Other: f.siti, File: "expo.xlsx", Line: 7},
		{Subject: f.budi, Reason: "consent_cross_selling_draft_notice", File: "expo.xlsx", Line: 9},
		{Subject: f.siti, Reason: "phone_unverified"},
	}
	if err := e.store.Update(ctx, func(tx jaga.Tx) error { return tx.InsertReviewFlags(ctx, flags) }); err != nil {
		t.Fatal(err)
	}
	type page struct {
		Flags     []jaga.ReviewFlag `json:"flags"`
		NextAfter int64             `json:"next_after"`
	}
	list := func(t *testing.T, role jaga.Role, purpose, query string) (page, *response) {
		t.Helper()
		r := e.do(t, call{method: "GET", path: "/v1/review-flags" + query, key: e.keys[role], purpose: purpose}).want(t, http.StatusOK)
		var p page
		r.decode(t, &p)
		return p, r
	}
	ids := func(p page) []int64 {
		var out []int64
		for _, fl := range p.Flags {
			out = append(out, fl.ID)
		}
		return out
	}
	resolve := func(role jaga.Role, purpose, reason string, id int64, body any) *response {
		return e.do(t, call{method: "POST", path: fmt.Sprintf("/v1/review-flags/%d/resolve", id), key: e.keys[role], purpose: purpose, reason: reason, body: body})
	}

	t.Run("List", func(t *testing.T) {
		p, r := list(t, jaga.RoleSupport, jaga.PurposeCustomerSupport, "")
		if !slices.Equal(ids(p), []int64{flags[0].ID, flags[1].ID, flags[2].ID, flags[3].ID}) || p.NextAfter != flags[3].ID {
			t.Fatalf("open flags %v next %d", ids(p), p.NextAfter)
		}
		if p.Flags[0].Other != f.budi || p.Flags[0].File != "expo.xlsx" || p.Flags[0].Line != 7 || p.Flags[0].CreatedAt.IsZero() {
			t.Fatalf("first flag %+v", p.Flags[0])
		}
		ev := e.audited(t, r, "read_review_flags", "allow")
		if ev.Count != 4 || !slices.Contains(ev.Subjects, f.siti) || !slices.Contains(ev.Subjects, f.budi) {
			t.Fatalf("audit event %+v", ev)
		}
		p, _ = list(t, jaga.RoleDPO, jaga.PurposeLegalObligation, "?subject="+string(f.budi))
		if !slices.Equal(ids(p), []int64{flags[1].ID, flags[2].ID}) {
			t.Fatalf("flags of budi %v", ids(p))
		}
		p, _ = list(t, jaga.RoleDPO, jaga.PurposeDSR, "?reason=identity_conflict&limit=1")
		if !slices.Equal(ids(p), []int64{flags[0].ID}) {
			t.Fatalf("first identity conflict %v", ids(p))
		}
		p, _ = list(t, jaga.RoleDPO, jaga.PurposeDSR, fmt.Sprintf("?reason=identity_conflict&after=%d", p.NextAfter))
		if !slices.Equal(ids(p), []int64{flags[1].ID}) {
			t.Fatalf("second page %v", ids(p))
		}
		p, r = list(t, jaga.RoleAuditor, jaga.PurposeSecurity, "?reason=pii_in_free_text:nik")
		if len(p.Flags) != 0 || p.NextAfter != 0 {
			t.Fatalf("no such flags, got %+v", p)
		}
		e.audited(t, r, "read_review_flags", "allow")
	})

	t.Run("ListRefused", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/review-flags", key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling})
		r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "role_not_allowed")
		e.audited(t, r, "read_review_flags", "deny:role_not_allowed")
		r = e.do(t, call{method: "GET", path: "/v1/review-flags", key: e.keys[jaga.RoleAuditor], purpose: jaga.PurposeDSR})
		r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "purpose_not_allowed")
		e.audited(t, r, "read_review_flags", "deny:purpose_not_allowed")
		r = e.do(t, call{method: "GET", path: "/v1/review-flags", key: e.keys[jaga.RoleSupport]})
		r.wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "Jaga-Purpose", "")
		e.audited(t, r, "read_review_flags", "error:"+jaga.EINVALID)
		r = e.do(t, call{method: "GET", path: "/v1/review-flags?state=closed", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport})
		r.wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "state", "")
		e.audited(t, r, "read_review_flags", "error:"+jaga.EINVALID)
		e.do(t, call{method: "GET", path: "/v1/review-flags?subject=" + sitiEmail, key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).
			wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "subject", "")
		e.do(t, call{method: "GET", path: "/v1/review-flags?reason=Identity%20Conflict", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).
			wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "reason", "")
		e.do(t, call{method: "GET", path: "/v1/review-flags?limit=0", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).
			wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "limit", "")
		e.do(t, call{method: "GET", path: "/v1/review-flags?reasons=x", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).
			wantProblem(t, http.StatusBadRequest, jaga.EINVALID, "reasons", "")
	})

	t.Run("Resolve", func(t *testing.T) {
		const note = "TICKET-4211 two customers share a family e-mail"
		r := resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "TICKET-4211", flags[1].ID, map[string]string{"resolution": "accepted", "note": note}).want(t, http.StatusOK)
		var got struct {
			Resolved []jaga.ReviewFlag `json:"resolved"`
		}
		r.decode(t, &got)
		if len(got.Resolved) != 2 || got.Resolved[0].ID != flags[1].ID || got.Resolved[1].ID != flags[0].ID {
			t.Fatalf("resolved %+v: want flag %d and its partner %d", got.Resolved, flags[1].ID, flags[0].ID)
		}
		for _, fl := range got.Resolved {
			if fl.Resolution != jaga.ResolutionAccepted || fl.ResolvedBy != e.actors[jaga.RoleDPO].ID || fl.Note != note || fl.ResolvedAt.IsZero() {
				t.Fatalf("resolved flag %+v", fl)
			}
		}
		ev := e.audited(t, r, "resolve_review_flag", "allow")
		want := fmt.Sprintf("review flag %d identity_conflict: accepted (TICKET-4211)", flags[1].ID)
		if ev.Reason != want || ev.Count != 2 || !slices.Equal(ev.Subjects, []jaga.SubjectID{f.budi, f.siti}) || ev.ActorID != e.actors[jaga.RoleDPO].ID {
			t.Fatalf("audit event %+v, want reason %q naming budi and siti", ev, want)
		}
		if strings.Contains(ev.Reason, "family") {
			t.Fatal("the note reached the audit log")
		}
		p, _ := list(t, jaga.RoleSupport, jaga.PurposeCustomerSupport, "")
		if !slices.Equal(ids(p), []int64{flags[2].ID, flags[3].ID}) {
			t.Fatalf("open flags after resolving the conflict: %v", ids(p))
		}
		p, _ = list(t, jaga.RoleSupport, jaga.PurposeCustomerSupport, "?state=resolved")
		if !slices.Equal(ids(p), []int64{flags[0].ID, flags[1].ID}) || p.Flags[0].Resolution != jaga.ResolutionAccepted {
			t.Fatalf("resolved flags %+v", p.Flags)
		}
		r = resolve(jaga.RoleSupport, jaga.PurposeCustomerSupport, "", flags[3].ID, map[string]string{"resolution": "corrected"}).want(t, http.StatusOK)
		got.Resolved = nil
		r.decode(t, &got)
		if len(got.Resolved) != 1 || got.Resolved[0].Note != "" || got.Resolved[0].Resolution != jaga.ResolutionCorrected {
			t.Fatalf("resolved %+v", got.Resolved)
		}
		if ev := e.audited(t, r, "resolve_review_flag", "allow"); ev.Reason != fmt.Sprintf("review flag %d phone_unverified: corrected", flags[3].ID) {
			t.Fatalf("audit reason %q", ev.Reason)
		}
	})

	t.Run("ResolveRefused", func(t *testing.T) {
		r := resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "", flags[0].ID, map[string]string{"resolution": "dismissed"})
		p := r.wantProblem(t, http.StatusConflict, jaga.ECONFLICT, "", "")
		if !strings.Contains(p.Detail, "resolved already") {
			t.Fatalf("409 detail %q", p.Detail)
		}
		e.audited(t, r, "resolve_review_flag", "error:"+jaga.ECONFLICT)
		r = resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "", 1<<40, map[string]string{"resolution": "dismissed"})
		r.wantProblem(t, http.StatusNotFound, jaga.ENOTFOUND, "", "")
		e.audited(t, r, "resolve_review_flag", "error:"+jaga.ENOTFOUND)
		r = e.do(t, call{method: "POST", path: "/v1/review-flags/abc/resolve", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeLegalObligation, body: map[string]string{"resolution": "dismissed"}})
		r.wantProblem(t, http.StatusNotFound, jaga.ENOTFOUND, "", "")
		e.notAudited(t, r)

		r = resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "", flags[2].ID, map[string]string{"resolution": "fixed"})
		p = r.wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "resolution", "")
		if !strings.Contains(p.Detail, "accepted, corrected, dismissed") {
			t.Fatalf("422 detail %q does not list the resolutions", p.Detail)
		}
		e.audited(t, r, "resolve_review_flag", "error:"+jaga.EUNPROCESSABLE)
		const npwp = "01.312.166.0-091.000"
		e.secrets = append(e.secrets, npwp)
		for _, note := range []string{"called " + sitiEmail, "NIK " + sitiNIK, "npwp " + npwp, "line one\nline two", strings.Repeat("x", 201)} {
			r = resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "", flags[2].ID, map[string]string{"resolution": "corrected", "note": note})
			r.wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "note", "")
			e.audited(t, r, "resolve_review_flag", "error:"+jaga.EUNPROCESSABLE)
		}
		resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "", flags[2].ID, map[string]string{"resolution": "corrected", "by": "me"}).
			wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "by", "")
		r = resolve(jaga.RoleAuditor, jaga.PurposeSecurity, "", flags[2].ID, map[string]string{"resolution": "dismissed"})
		r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "role_not_allowed")
		e.audited(t, r, "resolve_review_flag", "deny:role_not_allowed")
		r = resolve(jaga.RoleService, jaga.PurposeServiceProvision, "", flags[2].ID, map[string]string{"resolution": "dismissed"})
		r.wantProblem(t, http.StatusForbidden, jaga.EFORBIDDEN, "", "role_not_allowed")
		e.audited(t, r, "resolve_review_flag", "deny:role_not_allowed")
		// None of the refused calls closed the flag.
		p2, _ := list(t, jaga.RoleSupport, jaga.PurposeCustomerSupport, "")
		if !slices.Equal(ids(p2), []int64{flags[2].ID}) {
			t.Fatalf("open flags %v, want only %d", ids(p2), flags[2].ID)
		}
	})
}
