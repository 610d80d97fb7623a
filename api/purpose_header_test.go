package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"jaga"
	"jaga/api"
)

// TestSeveralPurposes: two Jaga-Purpose headers, or one that lists several purposes,
// are 400 on every authenticated route with a detail that says one purpose must be
// sent and never quotes the header; where the route reaches the gate the refusal is
// audited without a purpose, as for an unknown one.
func TestSeveralPurposes(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	svc := e.keys[jaga.RoleService]
	e.secrets = append(e.secrets, "pic_dewi")
	several := [][]string{
		{jaga.PurposeServiceProvision, jaga.PurposeServiceProvision},
		{jaga.PurposeServiceProvision, "pic_dewi"},
		{jaga.PurposeServiceProvision + ", " + jaga.PurposeCrossSelling},
		{"pic_dewi,service_provision"},
	}
	wantSeveral := func(t *testing.T, r *response) {
		t.Helper()
		p := r.wantProblem(t, http.StatusBadRequest, jaga.EINVALID, api.HeaderPurpose, "")
		if !strings.Contains(p.Detail, "exactly one purpose") {
			t.Errorf("detail %q does not say that one purpose must be sent", p.Detail)
		}
	}
	t.Run("CreateAudited", func(t *testing.T) {
		for _, ps := range several {
			r := e.do(t, call{method: "POST", path: "/v1/subjects", key: svc, purposes: ps,
				body: map[string]any{"fields": map[string]string{"full_name": "Dewi Lestari", "email": "dewi.lestari@example.id"}}})
			wantSeveral(t, r)
			if ev := e.audited(t, r, jaga.ActionCreate, "error:invalid"); ev.Purpose != "" {
				t.Errorf("%q: audit event records purpose %q", ps, ev.Purpose)
			}
		}
		r := e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport,
			body: map[string]string{"email": "dewi.lestari@example.id"}})
		r.want(t, http.StatusNotFound) // nothing was stored
	})
	t.Run("ReadAudited", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti), key: e.keys[jaga.RoleSupport],
			purposes: []string{jaga.PurposeCustomerSupport, jaga.PurposeCrossSelling}})
		wantSeveral(t, r)
		e.audited(t, r, jaga.ActionRead, "error:invalid")
	})
	t.Run("AuditLogNotDefaulted", func(t *testing.T) {
		// GET /v1/audit reads under security when no purpose is sent; a header that
		// cannot be read is not "no purpose".
		for _, ps := range [][]string{{jaga.PurposeSecurity, jaga.PurposeSecurity}, {"security,security"}} {
			r := e.do(t, call{method: "GET", path: "/v1/audit", key: e.keys[jaga.RoleAuditor], purposes: ps})
			wantSeveral(t, r)
			e.audited(t, r, jaga.ActionReadAudit, "error:invalid")
		}
		r := e.do(t, call{method: "GET", path: "/v1/audit", key: e.keys[jaga.RoleAuditor], purpose: "pic_dewi@example.org"})
		p := r.wantProblem(t, http.StatusBadRequest, jaga.EINVALID, api.HeaderPurpose, "")
		if p.Detail != "unknown purpose" {
			t.Errorf("malformed purpose: detail %q", p.Detail)
		}
	})
	t.Run("EveryRoute", func(t *testing.T) {
		doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for path, item := range doc.Paths.Map() {
			if strings.HasPrefix(path, "/v1/intake/") || path == "/healthz" {
				continue // not the api package's routes
			}
			for method, op := range item.Operations() {
				if op.Security != nil && len(*op.Security) == 0 || path == "/v1/audit/key" {
					continue // no API key, no purpose: served to anyone
				}
				ops = append(ops, method+" "+path)
			}
		}
		sort.Strings(ops)
		if len(ops) < 30 {
			t.Fatalf("only %d operations found", len(ops))
		}
		fill := strings.NewReplacer("{id}", string(f.siti), "{purpose}", jaga.PurposeCrossSelling, "{version}", "notice-id-v1")
		for _, op := range ops {
			method, path, _ := strings.Cut(op, " ")
			path = fill.Replace(path)
			switch {
			case strings.HasPrefix(path, "/v1/dsr/"):
				path = strings.Replace(path, string(f.siti), "dsr_x", 1)
			case strings.HasPrefix(path, "/v1/review-flags/"):
				path = strings.Replace(path, string(f.siti), "1", 1)
			case path == "/v1/audit/proof/inclusion":
				path += "?seq=1&size=1"
			case path == "/v1/audit/proof/consistency":
				path += "?from=1&to=1"
			}
			c := call{method: method, path: path, key: e.keys[jaga.RoleDPO], purposes: []string{jaga.PurposeDSR, jaga.PurposeSecurity}}
			switch {
			case path == "/v1/subjects/lookup":
				c.body = map[string]string{"email": budiEmail}
			case method == "POST" || method == "PUT" || method == "PATCH":
				c.body = "{}"
			}
			r := e.do(t, c)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "exactly one purpose") {
				t.Errorf("%s: %d %s; want 400 saying one purpose must be sent", op, r.status, r.body)
			}
		}
	})
}
