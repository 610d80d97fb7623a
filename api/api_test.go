package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"jaga"
	"jaga/api"
	"jaga/dsr"
	"jaga/gate"
	"jaga/internal/vaulttest"
)

// env is a real vault in a temporary directory (keys/, data/jaga.db), its gate, one
// actor per default role and the API served over loopback HTTP. Every response a test
// receives through do is validated against the OpenAPI document the server serves.
type env struct {
	gate   *gate.Gate
	store  jaga.Store
	srv    *httptest.Server
	client *http.Client
	keys   map[jaga.Role]string
	actors map[jaga.Role]*jaga.Actor
	router routers.Router
	desk   *dsr.Desk
	// secrets are personal values seeded by the test; no problem document, header or
	// audit event may contain one (invariant 6).
	secrets []string
}

// newEnv builds the vault, the gate and the server; everything is closed at cleanup.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	v := vaulttest.New(tb, vaulttest.Options{})
	g, db := v.Gate, v.Store

	e := &env{gate: g, store: db, keys: map[jaga.Role]string{}, actors: map[jaga.Role]*jaga.Actor{}}
	for _, role := range jaga.DefaultRoles {
		a, key, err := g.CreateActor(ctx, gate.Request{}, "test "+string(role), role)
		if err != nil {
			tb.Fatal(err)
		}
		e.keys[role], e.actors[role] = key, a
	}
	var err error
	if e.desk, err = dsr.New(dsr.Config{Vault: dsr.GateVault{Gate: g, Store: db}}); err != nil {
		tb.Fatal(err)
	}
	e.srv = httptest.NewServer(api.New(g, api.Options{Desk: e.desk}))
	tb.Cleanup(e.srv.Close)
	e.client = e.srv.Client()
	e.loadSpec(tb)
	return e
}

// loadSpec fetches /v1/openapi.yaml from the server, checks that it is a valid OpenAPI
// document and builds the router that matches responses to operations.
func (e *env) loadSpec(tb testing.TB) {
	tb.Helper()
	resp, err := e.client.Get(e.srv.URL + "/v1/openapi.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET /v1/openapi.yaml: %d %v", resp.StatusCode, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		tb.Fatalf("openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	if e.router, err = legacy.NewRouter(doc); err != nil {
		tb.Fatal(err)
	}
}

// call is one request: method, path (with query), API key, Jaga-Purpose, Jaga-Reason and
// body (a string or []byte sent as is, anything else marshalled as JSON).
type call struct {
	method, path string
	key          string
	purpose      string
	reason       string
	body         any
	header       map[string]string
	// purposes, when set, are sent as that many Jaga-Purpose header lines (purpose is
	// then ignored).
	purposes []string
	// authorizations, when set, are sent as that many Authorization header lines (key
	// is then ignored).
	authorizations []string
}

// response is what do returns.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends c and validates the response against the OpenAPI document: its status must
// be declared for the operation, its headers and body must match (openapi3filter). It
// also checks that every response has a request ID and that no problem document holds
// a seeded personal value.
func (e *env) do(tb testing.TB, c call) *response {
	tb.Helper()
	var body io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequest(c.method, e.srv.URL+c.path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if c.authorizations != nil {
		req.Header["Authorization"] = c.authorizations
	}
	if c.purpose != "" {
		req.Header.Set(api.HeaderPurpose, c.purpose)
	}
	if c.purposes != nil {
		req.Header[api.HeaderPurpose] = c.purposes
	}
	if c.reason != "" {
		req.Header.Set(api.HeaderReason, c.reason)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := &response{status: resp.StatusCode, header: resp.Header, body: b}
	e.validate(tb, req, r)
	return r
}

// validate checks r against the OpenAPI operation of req.
func (e *env) validate(tb testing.TB, req *http.Request, r *response) {
	tb.Helper()
	if r.header.Get(api.HeaderRequestID) == "" {
		tb.Errorf("%s %s: no %s header", req.Method, req.URL.Path, api.HeaderRequestID)
	}
	if strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		for _, s := range e.secrets {
			if bytes.Contains(r.body, []byte(s)) {
				tb.Errorf("%s %s: problem document holds a personal value: %s", req.Method, req.URL.Path, r.body)
			}
		}
	}
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		tb.Errorf("%s %s: no operation in openapi.yaml: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.status,
		Header:                 r.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(r.body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("%s %s: response %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, r.status, err, r.body)
	}
}

// want fails the test unless r has status.
func (r *response) want(tb testing.TB, status int) *response {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// decode unmarshals r's body into v.
func (r *response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem returns r's problem document after checking its type and status.
func (r *response) problem(tb testing.TB) api.Problem {
	tb.Helper()
	var p api.Problem
	r.decode(tb, &p)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		tb.Errorf("problem Content-Type %q", r.header.Get("Content-Type"))
	}
	if p.Status != r.status || !strings.HasPrefix(p.Type, "urn:jaga:problem:") || p.Detail == "" {
		tb.Errorf("malformed problem for status %d: %+v", r.status, p)
	}
	return p
}

// wantProblem checks status, code, field and reason of a problem response.
func (r *response) wantProblem(tb testing.TB, status int, code, field, reason string) api.Problem {
	tb.Helper()
	r.want(tb, status)
	p := r.problem(tb)
	if p.Type != "urn:jaga:problem:"+code {
		tb.Errorf("problem type %q, want code %s", p.Type, code)
	}
	if p.Field != field {
		tb.Errorf("problem field %q, want %q (%s)", p.Field, field, p.Detail)
	}
	if p.Reason != reason {
		tb.Errorf("problem reason %q, want %q (%s)", p.Reason, reason, p.Detail)
	}
	return p
}

// audited returns the audit event the gate wrote for the request that got r, found by
// its request ID, and checks its action and decision. It fails if there is none or more
// than one.
func (e *env) audited(tb testing.TB, r *response, action, decision string) *jaga.AuditEvent {
	tb.Helper()
	id := r.header.Get(api.HeaderRequestID)
	var found []*jaga.AuditEvent
	var after int64
	for {
		evs, err := e.gate.AuditLog(context.Background(), gate.Request{Actor: e.actors[jaga.RoleAuditor], Purpose: jaga.PurposeSecurity},
			jaga.AuditFilter{AfterSeq: after, Limit: 1000})
		if err != nil {
			tb.Fatal(err)
		}
		for _, ev := range evs {
			if ev.RequestID == id {
				found = append(found, ev)
			}
			after = ev.Seq
		}
		if len(evs) < 1000 {
			break // each AuditLog call appends its own event: stop at a short page
		}
	}
	if len(found) != 1 {
		tb.Fatalf("request %s: %d audit events, want 1", id, len(found))
	}
	ev := found[0]
	if ev.Action != action || ev.Decision != decision {
		tb.Errorf("audit event: action %s decision %s, want %s %s", ev.Action, ev.Decision, action, decision)
	}
	b, _ := json.Marshal(ev)
	for _, s := range e.secrets {
		if bytes.Contains(b, []byte(s)) {
			tb.Errorf("audit event holds a personal value: %s", b)
		}
	}
	return ev
}

// notAudited fails if the gate wrote an event for the request that got r (the request
// was refused before it reached the gate).
func (e *env) notAudited(tb testing.TB, r *response) {
	tb.Helper()
	id := r.header.Get(api.HeaderRequestID)
	evs, err := e.gate.AuditLog(context.Background(), gate.Request{Actor: e.actors[jaga.RoleAuditor]}, jaga.AuditFilter{Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	for _, ev := range evs {
		if ev.RequestID == id {
			tb.Errorf("request %s was audited: %+v", id, ev)
		}
	}
}
