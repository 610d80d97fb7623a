package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"jaga"
)

// bodyOperations returns "METHOD path" for every operation of openapi.yaml that takes a
// request body (the intake package's routes left out: they are tested there), with the
// path parameters filled in so that the request reaches the body: Siti's subject ID, a
// purpose, a notice version, a well-formed DSR ID and review flag 1.
func bodyOperations(tb testing.TB, f fixture) []string {
	tb.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	fill := strings.NewReplacer("{id}", string(f.siti), "{purpose}", jaga.PurposeCrossSelling, "{version}", "notice-id-v1")
	var ops []string
	for path, item := range doc.Paths.Map() {
		if strings.HasPrefix(path, "/v1/intake/") {
			continue
		}
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			p := fill.Replace(path)
			switch {
			case strings.HasPrefix(p, "/v1/dsr/"):
				p = strings.Replace(p, string(f.siti), "dsr_"+strings.Repeat("0", 32), 1)
			case strings.HasPrefix(p, "/v1/review-flags/"):
				p = strings.Replace(p, string(f.siti), "1", 1)
			}
			ops = append(ops, method+" "+p)
		}
	}
	sort.Strings(ops)
	if len(ops) < 14 {
		tb.Fatalf("only %d operations with a body: %v", len(ops), ops)
	}
	return ops
}

// TestContentType: a JSON body is read only when it is declared application/json
// (parameters allowed, a charset only utf-8). Anything else, a missing Content-Type
// included, is 415 Unsupported Media Type as a problem document naming the header, the
// type received and the type expected, on every operation that takes a body, before
// the body is parsed: a valid JSON body sent as text/plain is refused, a multipart one
// no longer comes back as "malformed JSON at line 1".
func TestContentType(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	support := e.keys[jaga.RoleSupport]
	lookup := func(t *testing.T, contentType string, body []byte) *response {
		t.Helper()
		req, err := http.NewRequest("POST", e.srv.URL+"/v1/subjects/lookup", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Bearer "+support)
		req.Header.Set("Jaga-Purpose", jaga.PurposeCustomerSupport)
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		r := &response{status: resp.StatusCode, header: resp.Header, body: b.Bytes()}
		e.validate(t, req, r)
		return r
	}
	body := []byte(`{"email": "` + sitiEmail + `"}`)
	unsupported := func(t *testing.T, r *response, received string) {
		t.Helper()
		r.want(t, http.StatusUnsupportedMediaType)
		p := r.problem(t)
		if p.Type != "urn:jaga:problem:"+jaga.EINVALID || p.Field != "Content-Type" ||
			!strings.Contains(p.Detail, "application/json") || !strings.Contains(p.Detail, received) {
			t.Errorf("problem %+v; want Content-Type named, %q received and application/json expected", p, received)
		}
	}

	t.Run("OK", func(t *testing.T) {
		// utf8 is the WHATWG Encoding Standard's label of UTF-8: accepted as utf-8 is.
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
			`application/json; charset="UTF-8"`, "application/json; charset=utf8", "application/json; charset=UTF8"} {
			lookup(t, ct, body).want(t, http.StatusOK)
		}
	})
	t.Run("ErrTextPlain", func(t *testing.T) {
		unsupported(t, lookup(t, "text/plain", body), "text/plain")
	})
	t.Run("ErrFormEncoded", func(t *testing.T) {
		// What curl -d sends without -H 'Content-Type: application/json'.
		unsupported(t, lookup(t, "application/x-www-form-urlencoded", body), "application/x-www-form-urlencoded")
	})
	t.Run("ErrMultipart", func(t *testing.T) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("email", sitiEmail)
		mw.Close()
		r := lookup(t, mw.FormDataContentType(), b.Bytes())
		unsupported(t, r, "multipart/form-data")
		if bytes.Contains(r.body, []byte("malformed")) {
			t.Errorf("multipart body parsed as JSON: %s", r.body)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		unsupported(t, lookup(t, "", body), "missing")
	})
	t.Run("ErrCharset", func(t *testing.T) {
		unsupported(t, lookup(t, "application/json; charset=iso-8859-1", body), "utf-8")
		// The charset received is named, not only the one expected.
		unsupported(t, lookup(t, "application/json; charset=latin1", body), "charset of Content-Type application/json is latin1")
	})
	t.Run("ErrDuplicateParameter", func(t *testing.T) {
		r := lookup(t, "application/json; charset=utf-8; charset=latin1", body)
		unsupported(t, r, "gives parameter charset more than once")
		if p := r.problem(t); strings.Contains(p.Detail, "not a media type") {
			t.Errorf("detail %q calls a duplicate parameter not a media type", p.Detail)
		}
	})
	t.Run("ErrNotAMediaType", func(t *testing.T) {
		unsupported(t, lookup(t, "json", body), "Content-Type json is not supported")
		unsupported(t, lookup(t, "@@", body), "not a media type")
		unsupported(t, lookup(t, "application/json; charset", body), "malformed parameters")
	})
	t.Run("EveryBodyOperation", func(t *testing.T) {
		for _, op := range bodyOperations(t, f) {
			method, path, _ := strings.Cut(op, " ")
			r := e.do(t, call{method: method, path: path, key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR,
				body: `{}`, header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}})
			if r.status != http.StatusUnsupportedMediaType {
				t.Errorf("%s: %d %s; want 415", op, r.status, r.body)
				continue
			}
			if p := r.problem(t); p.Field != "Content-Type" || !strings.Contains(p.Detail, "text/plain") {
				t.Errorf("%s: problem %+v", op, p)
			}
		}
	})
}
