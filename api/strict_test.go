package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"jaga"
	"jaga/api"
)

// TestDuplicateMembers: a body naming a member twice is 400 naming it, never read as
// its last value (encoding/json's rule), and nothing is stored.
func TestDuplicateMembers(t *testing.T) {
	e := newEnv(t)
	e.seed(t)
	support := e.keys[jaga.RoleSupport]
	t.Run("Lookup", func(t *testing.T) {
		r := e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: support, purpose: jaga.PurposeCustomerSupport,
			body: `{"email":"nobody@x.org","email":"` + sitiEmail + `"}`})
		r.wantProblem(t, 400, jaga.EINVALID, "email", "")
		r = e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: support, purpose: jaga.PurposeCustomerSupport,
			body: `{"email":"nobody@x.org","EMAIL":"` + sitiEmail + `"}`})
		r.wantProblem(t, 400, jaga.EINVALID, "email", "")
	})
	t.Run("Create", func(t *testing.T) {
		r := e.do(t, call{method: "POST", path: "/v1/subjects", key: e.keys[jaga.RoleService], purpose: jaga.PurposeServiceProvision,
			body: `{"fields":{"full_name":"Dewi Lestari","email":"dewi.a@example.id","email":"dewi.b@example.id"},"channel":"api"}`})
		r.wantProblem(t, 400, jaga.EINVALID, "email", "")
		for _, email := range []string{"dewi.a@example.id", "dewi.b@example.id"} {
			e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: support, purpose: jaga.PurposeCustomerSupport,
				body: map[string]string{"email": email}}).want(t, 404)
		}
	})
}

// TestUnknownQueryParams: a misspelt or unknown query parameter is 400 naming it,
// instead of an unfiltered answer.
func TestUnknownQueryParams(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	support, dpo := e.keys[jaga.RoleSupport], e.keys[jaga.RoleDPO]
	for _, tc := range []struct{ method, path, key, purpose, field string }{
		{"GET", "/v1/subjects/" + string(f.siti) + "?feilds=email", support, jaga.PurposeCustomerSupport, "feilds"},
		{"GET", "/v1/audit?actoin=find", dpo, jaga.PurposeSecurity, "actoin"},
		{"GET", "/v1/audit?limit=1&limit=2", dpo, jaga.PurposeSecurity, "limit"},
		{"GET", "/v1/subjects/" + string(f.siti) + "/purchases?limit=1", support, jaga.PurposeCustomerSupport, "limit"},
		{"GET", "/v1/subjects/" + string(f.siti) + "?" + sitiEmail + "=1", support, jaga.PurposeCustomerSupport, "(invalid name)"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			r := e.do(t, call{method: tc.method, path: tc.path, key: tc.key, purpose: tc.purpose})
			r.wantProblem(t, 400, jaga.EINVALID, tc.field, "")
		})
	}
	t.Run("OK", func(t *testing.T) {
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "?fields=email&fields=phone", key: support, purpose: jaga.PurposeCustomerSupport}).want(t, 200)
		e.do(t, call{method: "GET", path: "/v1/audit?action=read&limit=5", key: dpo, purpose: jaga.PurposeSecurity}).want(t, 200)
	})
}

// TestQueryParamsMatchSpec holds the API's table of query parameters to the operations
// of openapi.yaml: a parameter documented but refused, or read but undocumented, fails.
func TestQueryParamsMatchSpec(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		if strings.HasPrefix(path, "/v1/intake/") || path == "/healthz" {
			continue // not the api package's routes
		}
		for method, op := range item.Operations() {
			var spec []string
			for _, p := range append(item.Parameters, op.Parameters...) {
				if p.Value.In == "query" {
					spec = append(spec, p.Value.Name)
				}
			}
			code := slices.Clone(api.QueryParams(method + " " + path))
			sort.Strings(spec)
			sort.Strings(code)
			if !slices.Equal(spec, code) {
				t.Errorf("%s %s: openapi.yaml has query parameters %v, the API reads %v", method, path, spec, code)
			}
		}
	}
}

// TestMethodNotAllowed: a known path with a method it does not serve is 405 with
// Allow, not 404, and a problem document of its own type (method_not_allowed, not
// invalid, which would blame the request's body or parameters) that openapi.yaml's
// Problem schema accepts; GET /v1/subjects/lookup is not a subject called "lookup".
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	problemSchema := doc.Components.Schemas["Problem"].Value
	for _, tc := range []struct{ method, path, allow string }{
		{"GET", "/v1/subjects/lookup", "POST"},
		{"DELETE", "/v1/subjects/lookup", "POST"},
		{"PUT", "/v1/subjects/" + string(f.siti), "GET, HEAD, PATCH, DELETE"},
		{"PUT", "/v1/audit", "GET, HEAD"},
		{"DELETE", "/v1/dsr", "GET, HEAD, POST"},
	} {
		req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+e.keys[jaga.RoleSupport])
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d, Allow %q; want 405 with Allow %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Allow"), tc.allow)
		}
		var p api.Problem
		if err := json.Unmarshal(b, &p); err != nil || p.Type != "urn:jaga:problem:method_not_allowed" ||
			p.Status != http.StatusMethodNotAllowed || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: problem %s (%v)", tc.method, tc.path, b, err)
		}
		var body any
		_ = json.Unmarshal(b, &body)
		if err := problemSchema.VisitJSON(body); err != nil {
			t.Errorf("%s %s: problem does not match openapi.yaml's Problem: %v", tc.method, tc.path, err)
		}
	}
	res, err := e.client.Get(e.srv.URL + "/v1/nothing")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", res.StatusCode)
	}
}
