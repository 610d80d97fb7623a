package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"jaga"
	"jaga/api"
	"jaga/gate"
	"jaga/internal/vaulttest"
)

const (
	testName  = "Rina Wulandari"
	testEmail = "rina.wulandari@example.co.id"
	testPhone = "+6285712345678"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines to log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testVault is a real vault (keys/, data/jaga.db) in a temporary directory with one
// subject, a support and an auditor key.
type testVault struct {
	gate    *gate.Gate
	support string
	auditor *jaga.Actor
	subject jaga.SubjectID
}

func mustVault(tb testing.TB) *testVault {
	tb.Helper()
	ctx := context.Background()
	// The audit log is read under purpose security, active once its (demo) balancing
	// test is recorded: vaulttest seeds the demo registry.
	g := vaulttest.New(tb, vaulttest.Options{}).Gate
	v := &testVault{gate: g}
	var err error
	if _, v.support, err = g.CreateActor(ctx, gate.Request{}, "support", jaga.RoleSupport); err != nil {
		tb.Fatal(err)
	}
	if v.auditor, _, err = g.CreateActor(ctx, gate.Request{}, "auditor", jaga.RoleAuditor); err != nil {
		tb.Fatal(err)
	}
	svc, _, err := g.CreateActor(ctx, gate.Request{}, "service", jaga.RoleService)
	if err != nil {
		tb.Fatal(err)
	}
	v.subject, err = g.Create(ctx, gate.CreateRequest{Request: gate.Request{Actor: svc, Purpose: jaga.PurposeServiceProvision},
		Values: map[string]string{"full_name": testName, "email": testEmail, "phone": testPhone}, Channel: jaga.ChannelStoreVisit})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// specRouter loads the OpenAPI document the handler serves.
func specRouter(tb testing.TB, h http.Handler) routers.Router {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/openapi.yaml", nil))
	if rec.Code != 200 {
		tb.Fatalf("GET /v1/openapi.yaml: %d", rec.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		tb.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// send does one request and validates the response against the OpenAPI document.
func send(tb testing.TB, router routers.Router, base, method, path, key, purpose, body string) (int, http.Header, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if purpose != "" {
		req.Header.Set("Jaga-Purpose", purpose)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		tb.Fatalf("%s %s: not in openapi.yaml: %v", method, path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(b)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("%s %s: response %d does not match openapi.yaml: %v\n%s", method, path, resp.StatusCode, err, b)
	}
	return resp.StatusCode, resp.Header, b
}

func TestServer(t *testing.T) {
	v := mustVault(t)
	var logs syncBuffer
	s := New(Config{Gate: v.gate, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	router := specRouter(t, s.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	waitReady(t, base)

	t.Run("Health", func(t *testing.T) {
		st, h, b := send(t, router, base, "GET", "/healthz", "", "", "")
		if st != 200 || string(b) != "ok\n" || h.Get("Jaga-Request-Id") == "" {
			t.Fatalf("healthz %d %q", st, b)
		}
	})
	var lookupID string
	t.Run("LookupPassesRequestID", func(t *testing.T) {
		st, h, b := send(t, router, base, "POST", "/v1/subjects/lookup", v.support, jaga.PurposeCustomerSupport, `{"email":"`+testEmail+`"}`)
		if st != 200 {
			t.Fatalf("lookup %d: %s", st, b)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", h)
		}
		lookupID = h.Get("Jaga-Request-Id")
		evs, err := v.gate.AuditLog(context.Background(), gate.Request{Actor: v.auditor}, jaga.AuditFilter{Action: jaga.ActionFind})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].RequestID != lookupID || evs[0].Decision != "allow" {
			t.Fatalf("audit events %+v, want one with request ID %s", evs, lookupID)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		if st, _, b := send(t, router, base, "GET", "/v1/subjects/"+string(v.subject), v.support, "", ""); st != 400 {
			t.Errorf("no purpose: %d %s", st, b)
		}
		if st, _, b := send(t, router, base, "GET", "/v1/subjects/"+string(v.subject), "", jaga.PurposeCustomerSupport, ""); st != 401 {
			t.Errorf("no key: %d %s", st, b)
		}
	})
	t.Run("AccessLog", func(t *testing.T) {
		out := logs.String()
		for _, secret := range []string{testName, testEmail, testPhone, "5712345678", v.support} {
			if strings.Contains(out, secret) {
				t.Errorf("log holds a personal value or key %q:\n%s", secret, out)
			}
		}
		var found bool
		for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			if m["msg"] != "http" || m["request_id"] != lookupID {
				continue
			}
			found = true
			if m["method"] != "POST" || m["route"] != "POST /v1/subjects/lookup" || m["status"] != 200.0 || m["actor"] == "" {
				t.Errorf("access log line %v", m)
			}
			if _, ok := m["duration"]; !ok {
				t.Errorf("no duration: %v", m)
			}
		}
		if !found {
			t.Errorf("no access log line for the look-up:\n%s", out)
		}
		if !strings.Contains(out, `"route":"GET /v1/subjects/{id}"`) {
			t.Errorf("route pattern not logged for reads:\n%s", out)
		}
	})
}

func waitReady(tb testing.TB, base string) {
	tb.Helper()
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatal("server did not become ready")
}

func TestHealthNotReady(t *testing.T) {
	s := New(Config{Gate: mustVault(t).gate})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	router := specRouter(t, s.Handler())
	if st, _, b := send(t, router, srv.URL, "GET", "/healthz", "", "", ""); st != 503 || string(b) != "not ready\n" {
		t.Fatalf("healthz before Serve: %d %q", st, b)
	}
	s.SetReady(true)
	if st, _, _ := send(t, router, srv.URL, "GET", "/healthz", "", "", ""); st != 200 {
		t.Fatalf("healthz when ready: %d", st)
	}
}

func TestPanicRecovery(t *testing.T) {
	var logs syncBuffer
	s := New(Config{Gate: mustVault(t).gate, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	h := s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(errors.New("boom with " + testEmail))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/subjects/x", nil))
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var p api.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "urn:jaga:problem:internal" || p.Detail != "internal error" || p.RequestID != rec.Header().Get("Jaga-Request-Id") {
		t.Errorf("problem %+v", p)
	}
	out := logs.String()
	if !strings.Contains(out, "handler panic") || !strings.Contains(out, p.RequestID) {
		t.Errorf("panic not logged with the request ID:\n%s", out)
	}
	if strings.Contains(out, testEmail) {
		t.Errorf("panic value (which may hold a value) logged:\n%s", out)
	}
}

func TestGracefulShutdown(t *testing.T) {
	s := New(Config{Gate: mustVault(t).gate, ShutdownTimeout: 5 * time.Second})
	started := make(chan struct{})
	s.handler = s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(200 * time.Millisecond)
		w.Write([]byte("done"))
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if b := <-got; b != "done" {
		t.Fatalf("request in flight got %q", b)
	}
	if s.ready.Load() {
		t.Error("still ready after shutdown")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("listener still open")
	}
}

// TestHealthPing: /healthz asks Config.Ping; a store that does not answer makes it 503
// "database unavailable" with Retry-After, so a load balancer stops routing to the node.
func TestHealthPing(t *testing.T) {
	v := vaulttest.New(t, vaulttest.Options{})
	s := New(Config{Gate: v.Gate, Ping: v.Store.Ping})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	router := specRouter(t, s.Handler())
	s.SetReady(true)
	if st, _, b := send(t, router, srv.URL, "GET", "/healthz", "", "", ""); st != 200 || string(b) != "ok\n" {
		t.Fatalf("healthz with the store open: %d %q", st, b)
	}
	if err := v.Store.Close(); err != nil {
		t.Fatal(err)
	}
	st, h, b := send(t, router, srv.URL, "GET", "/healthz", "", "", "")
	if st != 503 || string(b) != "database unavailable\n" || h.Get("Retry-After") == "" {
		t.Fatalf("healthz with the store closed: %d %q Retry-After %q", st, b, h.Get("Retry-After"))
	}
}
