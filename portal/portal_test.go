package portal_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// TestSignIn: a customer signs in with the code mailed by the real SMTP server and sees
// their own data, decrypted through the gate as themself under purpose dsr.
func TestSignIn(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	body := c.signIn(e.email)
	if !strings.Contains(body, e.name) || !strings.Contains(body, e.email) {
		t.Fatal("my page does not show my data")
	}
	for _, cookie := range c.jar.Cookies(mustURL(t, e.srv.URL)) {
		if cookie.Name == "jaga_portal" && strings.Contains(cookie.Value, e.email) {
			t.Fatal("session cookie holds the address")
		}
	}
	t.Run("English", func(t *testing.T) {
		st, body, _ := c.get("/privacy/me")
		if st != http.StatusOK || !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Who used my data") {
			t.Fatalf("english page: %d", st)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestBadCodes: wrong codes lock the challenge after 5 tries (the right code then fails
// too), and an expired code is refused.
func TestBadCodes(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	tok, code, wrong := c.requestCode(e.email)
	// Input that is not 6 digits is 422 and uses up no attempt: the five wrong codes
	// below still lock only on the fifth.
	for _, bad := range []string{"abcdef", "12345", "1234567", "12 345", "１２３４５６"} {
		st, _, body := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {bad}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, "6 angka") {
			t.Fatalf("code %q: status %d, want 422 saying the code is 6 digits", bad, st)
		}
	}
	for i := 1; i <= 5; i++ {
		st, _, body := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {wrong}})
		want := http.StatusUnauthorized
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if st != want || !strings.Contains(body, `role="alert"`) {
			t.Fatalf("wrong code %d: status %d, want %d", i, st, want)
		}
	}
	if st, _, body := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {code}}); st != http.StatusTooManyRequests || !strings.Contains(body, "Terlalu banyak percobaan") {
		t.Fatalf("right code after lockout: %d", st)
	}

	t.Run("Expired", func(t *testing.T) {
		c := e.client(t)
		_, _, tok := c.get("/privasi/")
		n := len(e.smtp.Messages())
		c.post("/privasi/masuk", url.Values{"csrf": {tok}, "address": {e.email}})
		code := e.waitCode(t, e.email, n)
		e.clock.Advance(10*time.Minute + time.Second)
		if st, _, body := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {code}}); st != http.StatusGone || !strings.Contains(body, "kedaluwarsa") {
			t.Fatalf("expired code: %d", st)
		}
	})
	t.Run("AddressTwice", func(t *testing.T) {
		c := e.client(t)
		_, _, tok := c.get("/privasi/")
		if st, _, _ := c.post("/privasi/masuk", url.Values{"csrf": {tok}, "address": {"a@b.com", e.email}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("two addresses: %d; want 422", st)
		}
	})
	t.Run("NoChallenge", func(t *testing.T) {
		c := e.client(t)
		_, _, tok := c.get("/privasi/")
		if st, _, _ := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {"123456"}}); st != http.StatusBadRequest {
			t.Fatalf("code without a challenge: %d", st)
		}
	})
}

// TestForgedCookies: a session cookie that is forged, re-signed for another subject,
// moved from another cookie or expired gives no access.
func TestForgedCookies(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	u := mustURL(t, e.srv.URL)
	var sess, pre string
	for _, ck := range c.jar.Cookies(u) {
		switch ck.Name {
		case "jaga_portal":
			sess = ck.Value
		case "jaga_pre":
			pre = ck.Value
		}
	}
	payload, sig, _ := strings.Cut(sess, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	var s map[string]any
	json.Unmarshal(raw, &s)
	s["s"] = "sub_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"
	other, _ := json.Marshal(s)
	s["e"] = time.Now().Add(24 * time.Hour).Unix()
	for name, v := range map[string]string{
		"other subject, old signature": base64.RawURLEncoding.EncodeToString(other) + "." + sig,
		"garbage":                      "eyJzIjoic3ViXzEifQ.AAAA",
		"no signature":                 payload,
		"pre-session cookie moved":     pre,
	} {
		t.Run(name, func(t *testing.T) {
			f := e.client(t)
			f.jar.SetCookies(u, []*http.Cookie{{Name: "jaga_portal", Value: v, Path: "/"}})
			if st, body, _ := f.get("/privasi/saya"); st != http.StatusUnauthorized || strings.Contains(body, e.email) {
				t.Fatalf("forged cookie: %d", st)
			}
		})
	}
	t.Run("Expired", func(t *testing.T) {
		e.clock.Advance(31 * time.Minute)
		defer e.clock.Advance(-31 * time.Minute)
		if st, _, _ := c.get("/privasi/saya"); st != http.StatusUnauthorized {
			t.Fatalf("expired session: %d", st)
		}
	})
}

// TestCSRF: every form refuses a post without the token, with a token of another
// session, and with a forged one; nothing changes.
func TestCSRF(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	_, _, good := c.get("/privasi/saya")
	other := e.client(t)
	_, _, foreign := other.get("/privasi/")
	forms := map[string]url.Values{
		"/privasi/masuk":       {"address": {e.email}},
		"/privasi/kode":        {"code": {"123456"}},
		"/privasi/persetujuan": {"purpose": {jaga.PurposeCrossSelling}, "action": {"withdraw"}},
		"/privasi/permintaan":  {"type": {"erase"}, "confirm": {"yes"}},
		"/privasi/keluar":      {},
		"/privacy/consent":     {"purpose": {jaga.PurposeCrossSelling}, "action": {"withdraw"}},
		"/privacy/request":     {"type": {"restrict"}},
		"/privacy/sign-in":     {"address": {e.email}},
		"/privacy/code":        {"code": {"123456"}},
		"/privacy/sign-out":    {},
	}
	mails := len(e.smtp.Messages())
	for path, form := range forms {
		for name, tok := range map[string]string{"missing": "", "foreign": foreign, "forged": good[:len(good)-2] + "AA"} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if tok != "" {
				f.Set("csrf", tok)
			}
			if st, _, _ := c.post(path, f); st != http.StatusForbidden {
				t.Errorf("%s with %s token: %d, want 403", path, name, st)
			}
		}
	}
	reqs, _ := e.desk.List(ctx, jaga.DSRFilter{Limit: 100})
	if len(reqs) != 0 {
		t.Fatalf("a refused form filed %d requests", len(reqs))
	}
	if _, body, _ := c.get("/privasi/saya"); !strings.Contains(body, `id="withdraw-cross_selling"`) {
		t.Fatal("a refused form changed the consent or ended the session")
	}
	e.portal.Wait()
	if n := len(e.smtp.Messages()); n != mails {
		t.Fatalf("a refused form sent %d mails", n-mails)
	}
}

// TestUnknownEmail: an address that is no customer's gets the same answer (status,
// location, cookies, page) and the same work (a look-up, a stored challenge, an
// asynchronous delivery), and no code can sign it in.
func TestUnknownEmail(t *testing.T) {
	e := mustEnv(t)
	answer := func(addr string) (int, string, []string, string) {
		c := e.client(t)
		_, _, tok := c.get("/privasi/")
		st, loc, _ := c.post("/privasi/masuk", url.Values{"csrf": {tok}, "address": {addr}})
		var names []string
		for _, ck := range c.jar.Cookies(mustURL(t, e.srv.URL)) {
			names = append(names, ck.Name)
		}
		_, page, _ := c.get("/privasi/kode")
		page = csrfRE.ReplaceAllString(page, "")
		if addr != e.email {
			for _, code := range []string{"000000", "123456"} {
				if st, _, _ := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {code}}); st != http.StatusUnauthorized {
					t.Fatalf("unknown address, code %s: %d", code, st)
				}
			}
		}
		return st, loc, names, page
	}
	n := len(e.smtp.Messages())
	s1, l1, c1, p1 := answer(e.email)
	s2, l2, c2, p2 := answer("nobody.here@example.org")
	if s1 != s2 || l1 != l2 || strings.Join(c1, ",") != strings.Join(c2, ",") || p1 != p2 {
		t.Fatalf("known %d %s %v, unknown %d %s %v; pages equal: %v", s1, l1, c1, s2, l2, c2, p1 == p2)
	}
	e.portal.Wait()
	msgs := e.smtp.Messages()[n:]
	if len(msgs) != 1 || msgs[0].To[0] != e.email {
		t.Fatalf("mails: %+v", msgs)
	}
	// Both look-ups were audited alike.
	evs, err := e.g.AuditLog(ctx, gate.Request{Actor: e.dpo}, jaga.AuditFilter{ActorID: "act_portal", Action: jaga.ActionFind})
	if err != nil || len(evs) != 2 {
		t.Fatalf("portal look-ups audited: %d %v", len(evs), err)
	}
	t.Run("RateLimit", func(t *testing.T) {
		c := e.client(t)
		_, _, tok := c.get("/privasi/")
		var st int
		for i := 0; i < 6; i++ {
			st, _, _ = c.post("/privasi/masuk", url.Values{"csrf": {tok}, "address": {"ratelimited@example.org"}})
		}
		if st != http.StatusTooManyRequests {
			t.Fatalf("6th code request for one address: %d", st)
		}
	})
}

// TestExport: the downloaded JSON validates against the JSON Schema the portal
// publishes and holds the access history; the CSV has the same data.
func TestExport(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	// Staff used the data: that use must appear in the history.
	sup := &jaga.Actor{ID: "act_support1", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}
	if _, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: sup, Purpose: jaga.PurposeCustomerSupport}, Field: "email", Value: jaga.Redact(e.email)}); err != nil {
		t.Fatal(err)
	}
	st, schemaDoc, _ := c.get("/privasi/schema/export-v1.json")
	if st != http.StatusOK {
		t.Fatalf("schema: %d", st)
	}
	st, body, _ := c.get("/privasi/unduh/data.json")
	if st != http.StatusOK {
		t.Fatalf("download: %d", st)
	}
	validateExport(t, []byte(schemaDoc), []byte(body))
	var ex dsr.Export
	if err := json.Unmarshal([]byte(body), &ex); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range ex.History {
		if h.Role == jaga.RoleSupport && h.Purpose == jaga.PurposeCustomerSupport && h.Action == jaga.ActionFind {
			found = true
		}
	}
	if !found || ex.Fields["email"] != e.email {
		t.Fatalf("export lacks the support look-up or my e-mail: %+v", ex.History)
	}
	st, csvBody, _ := c.get("/privasi/unduh/data.csv")
	if st != http.StatusOK || !strings.HasPrefix(csvBody, "section,name,value,time\n") || !strings.Contains(csvBody, "access_history,find,support customer_support allow") {
		t.Fatalf("csv: %d %q", st, csvBody[:min(200, len(csvBody))])
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := strings.Replace(body, `"access_history"`, `"history"`, 1)
		if err := validate([]byte(schemaDoc), []byte(bad)); err == nil {
			t.Fatal("an export without access_history validates")
		}
	})
}

func validate(schemaDoc, doc []byte) error {
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaDoc))
	if err != nil {
		return err
	}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	if err := comp.AddResource("export.schema.json", sch); err != nil {
		return err
	}
	s, err := comp.Compile("export.schema.json")
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

func validateExport(t *testing.T, schemaDoc, doc []byte) {
	t.Helper()
	if err := validate(schemaDoc, doc); err != nil {
		t.Fatalf("export does not validate against the published schema: %v", err)
	}
}
