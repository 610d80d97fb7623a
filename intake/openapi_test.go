package intake_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"jaga"
	"jaga/intake"
	"jaga/notify"
	"jaga/notify/smtptest"
	"jaga/server"
)

func init() {
	// The form pages are HTML, which kin-openapi does not decode: check them as strings.
	openapi3filter.RegisterBodyDecoder("text/html", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	})
}

// TestIntakeOpenAPI serves the intake routes as `jaga serve` does (server middleware,
// request IDs) and validates every answer — pages, accepted posts, problems, the double
// opt-in confirmation — against api/openapi.yaml: status declared for the operation,
// headers and body matching.
func TestIntakeOpenAPI(t *testing.T) {
	spec, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	g, _, _ := mustGate(t)
	ss := smtptest.Start(t)
	forms := append(intake.DefaultForms(), intake.Form{ID: "alamat", Channel: jaga.ChannelWebForm, Purposes: []string{"service_improvement"},
		NoticeVersion: "notice-id-v3", Fields: []string{"full_name", "email", "address"}, Required: []string{"full_name", "email"}})
	dead, _ := net.Listen("tcp", "127.0.0.1:0") // a mail server that is gone
	deadPort := dead.Addr().(*net.TCPAddr).Port
	dead.Close()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mk := func(m notify.Mailer) http.Handler {
		return server.New(server.Config{Gate: g, Intake: intake.New(intake.Config{Gate: g, Forms: forms, BaseURL: srv.URL, Mailer: m})}).Handler()
	}
	good := mk(&notify.SMTP{Host: ss.Host, Port: ss.Port, From: "jaga@example.com"})
	mux.Handle("/", good)
	noMail := httptest.NewServer(mk(nil))
	defer noMail.Close()
	badMail := httptest.NewServer(mk(&notify.SMTP{Host: "127.0.0.1", Port: deadPort, From: "jaga@example.com"}))
	defer badMail.Close()

	do := func(t *testing.T, base, method, path, ctype, body string, hdr map[string]string, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
		vreq, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body)) // the route as the spec's server sees it
		vreq.Header = req.Header
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatalf("%s %s: no operation in openapi.yaml: %v", method, path, err)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: res.StatusCode, Header: res.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		in.SetBodyBytes(b)
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s: response %d does not match openapi.yaml: %v\nbody: %s", method, path, res.StatusCode, err, b)
		}
		return b
	}
	const js = "application/json"
	t.Run("Page", func(t *testing.T) {
		do(t, srv.URL, "GET", "/v1/intake/forms/daftar", "", "", nil, 200)
		do(t, srv.URL, "GET", "/v1/intake/forms/tidak-ada", "", "", nil, 404)
	})
	t.Run("Post", func(t *testing.T) {
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", js,
			`{"fields":{"full_name":"Rina Wulandari","email":"rina.w@example.com","domicile_city":"Kota Bandung"},"consents":{"service_improvement":true,"cross_selling":true}}`,
			map[string]string{"Sec-GPC": "1"}, 202)
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", "application/x-www-form-urlencoded",
			"full_name=Budi+Santoso&email=budi.s%40example.com&consent_cross_selling=yes", map[string]string{"Accept": "text/html"}, 200)
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", js, `{"fields":{"full_name":"Tanpa Email"}}`, nil, 202) // quarantined
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", js, `{"fields":{"hobi":"x"}}`, nil, 422)
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", "application/x-www-form-urlencoded", "full_name=A&email=a%40example.com&consent_cross_selling=maybe", nil, 422)
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", js, `{"fields":{"full_name":"`+strings.Repeat("a", 70<<10)+`"}}`, nil, 413)
		// As the API: 415 naming the header, the type received and the types accepted.
		for ct, want := range map[string]string{
			"text/plain":                       "Content-Type text/plain is not supported",
			"":                                 "the Content-Type header is missing",
			"application/json; charset=latin1": "is latin1",
			"application/x-www-form-urlencoded; charset=utf8": "",
		} {
			if want == "" {
				do(t, srv.URL, "POST", "/v1/intake/forms/daftar", ct, "full_name=Ayu+Lestari&email=ayu.l%40example.com", nil, 202)
				continue
			}
			var p struct{ Field, Detail string }
			if err := json.Unmarshal(do(t, srv.URL, "POST", "/v1/intake/forms/daftar", ct, `x`, nil, 415), &p); err != nil {
				t.Fatal(err)
			}
			if p.Field != "Content-Type" || !strings.Contains(p.Detail, want) ||
				!strings.Contains(p.Detail, "multipart/form-data") && !strings.Contains(p.Detail, "charset=utf-8") {
				t.Errorf("Content-Type %q: problem %+v; want field Content-Type, %q and what is accepted", ct, p, want)
			}
		}
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", js, `{"fields":{"full_name":"`+"\xff"+`"}}`, nil, 400)
		mp, ct := multipartBody(t, part{Name: "full_name", Value: "Sari Dewi"}, part{Name: "email", Value: "mp@example.org"})
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", ct, mp, nil, 202)
		mp, ct = multipartBody(t, part{Name: "full_name", Value: "Sari Dewi"}, part{Name: "email", Value: "mp@example.org"}, part{Name: "cv", Value: "x", File: "cv.pdf"})
		do(t, srv.URL, "POST", "/v1/intake/forms/daftar", ct, mp, nil, 422)
		do(t, srv.URL, "POST", "/v1/intake/forms/tidak-ada", js, `{}`, nil, 404)
	})
	t.Run("FreeTextReview", func(t *testing.T) {
		b := do(t, srv.URL, "POST", "/v1/intake/forms/alamat", js,
			`{"fields":{"full_name":"Dewi Lestari","email":"dewi.l@example.com","address":"Jl. Braga 12, NIK 3273055712859902"},"consents":{"service_improvement":true}}`, nil, 202)
		if !strings.Contains(string(b), `"review":["pii_in_free_text:nik"]`) || strings.Contains(string(b), "3273055712859902") {
			t.Fatalf("answer %s: want the review flag named, not the value", b)
		}
		b = do(t, srv.URL, "POST", "/v1/intake/forms/alamat", js,
			`{"fields":{"full_name":"Dewi Lestari","email":"dewi.l2@example.com","address":"Jl. Braga 12"},"consents":{"service_improvement":true}}`, nil, 202)
		if strings.Contains(string(b), "review") {
			t.Fatalf("a plain address raised a review: %s", b)
		}
	})
	t.Run("DoubleOptIn", func(t *testing.T) {
		do(t, srv.URL, "POST", "/v1/intake/forms/newsletter", js, `{"fields":{"email":"x@example.com"}}`, nil, 422)
		do(t, srv.URL, "POST", "/v1/intake/forms/newsletter", js,
			`{"fields":{"full_name":"Sari Dewi","email":"sari.dewi@example.com"},"consents":{"cross_selling":true}}`, nil, 202)
		do(t, noMail.URL, "POST", "/v1/intake/forms/newsletter", js,
			`{"fields":{"full_name":"Sari Dewi","email":"sari.dewi@example.com"},"consents":{"cross_selling":true}}`, nil, 503)
		do(t, badMail.URL, "POST", "/v1/intake/forms/newsletter", js,
			`{"fields":{"full_name":"Sari Dewi","email":"sari.dewi@example.com"},"consents":{"cross_selling":true}}`, nil, 502)
		msgs := ss.Messages()
		i := slices.IndexFunc(msgs, func(m smtptest.Mail) bool { return strings.Contains(m.Data, "/v1/intake/confirm/") })
		if i < 0 {
			t.Fatal("no confirmation mail")
		}
		link := regexp.MustCompile(`/v1/intake/confirm/[A-Za-z0-9_-]+`).FindString(msgs[i].Data)
		do(t, srv.URL, "GET", link, "", "", nil, 200)
		do(t, srv.URL, "GET", link, "", "", nil, 200) // a GET changes nothing
		do(t, srv.URL, "POST", link, "", "", map[string]string{"Origin": "https://evil.example", "Accept": js}, 403)
		do(t, srv.URL, "POST", link, "", "", map[string]string{"Referer": "https://evil.example/x", "Accept": "text/html"}, 403)
		do(t, srv.URL, "POST", link, "", "", map[string]string{"Origin": srv.URL, "Accept": js}, 200)
		do(t, srv.URL, "POST", link, "", "", map[string]string{"Origin": srv.URL, "Accept": js}, 404)
		do(t, srv.URL, "POST", link, "", "", map[string]string{"Origin": srv.URL}, 404)
		do(t, srv.URL, "GET", link, "", "", nil, 404)
		do(t, srv.URL, "GET", "/v1/intake/confirm/tidak-ada", "", "", nil, 404)
	})
}
