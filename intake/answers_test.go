package intake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"jaga"
	"jaga/intake"
)

func postForm(t *testing.T, base, ctype, body string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/v1/intake/forms/daftar", strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestConsentAnswers posts the sign-up form with every spelling of yes and no, form
// encoded and as JSON: a no is recorded refused ("answered no"), a yes given, a blank
// or left-out box refused ("box not ticked"), and anything else is 422 naming the
// consent member, with nothing stored.
func TestConsentAnswers(t *testing.T) {
	g, keys, st := mustGate(t)
	mux := http.NewServeMux()
	intake.New(intake.Config{Gate: g}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const form = "application/x-www-form-urlencoded"
	n := 0
	check := func(t *testing.T, status int, b []byte, email, want, why string) {
		t.Helper()
		var out intake.PostResponse
		if err := json.Unmarshal(b, &out); err != nil || status != http.StatusAccepted {
			t.Fatalf("status %d: %s", status, b)
		}
		cs := out.Consents["cross_selling"]
		if cs.Recorded != want || cs.Counts != (want == "given") || cs.Why != why {
			t.Fatalf("answer %+v; want %s, why %q", cs, want, why)
		}
		ids := subjectByEmail(t, keys, st, email)
		if len(ids) != 1 {
			t.Fatalf("%d subjects", len(ids))
		}
		c := current(t, st, ids[0], "cross_selling")
		if c == nil || string(c.Status) != want || c.Counts() != (want == "given") {
			t.Fatalf("record %+v; want %s", c, want)
		}
	}
	for _, v := range []string{"no", "false", "0", "N", "tidak", "T", " No "} {
		t.Run("FormNo_"+v, func(t *testing.T) {
			n++
			email := "no" + string(rune('a'+n)) + "@example.com"
			status, b := postForm(t, srv.URL, form, "full_name=Rina+W&email="+email+"&consent_cross_selling="+url.QueryEscape(v), nil)
			check(t, status, b, email, "refused", "answered no")
		})
	}
	for _, v := range []string{"yes", "on", "Ya", "1", "true", "Y"} {
		t.Run("FormYes_"+v, func(t *testing.T) {
			n++
			email := "yes" + string(rune('a'+n)) + "@example.com"
			status, b := postForm(t, srv.URL, form, "full_name=Rina+W&email="+email+"&consent_cross_selling="+v, nil)
			check(t, status, b, email, "given", "")
		})
	}
	t.Run("FormBlank", func(t *testing.T) {
		status, b := postForm(t, srv.URL, form, "full_name=Rina+W&email=blank@example.com&consent_cross_selling=", nil)
		check(t, status, b, "blank@example.com", "refused", "box not ticked")
		status, b = postForm(t, srv.URL, form, "full_name=Rina+W&email=absent@example.com", nil)
		check(t, status, b, "absent@example.com", "refused", "box not ticked")
	})
	t.Run("JSON", func(t *testing.T) {
		for i, tc := range []struct{ v, want, why string }{
			{`false`, "refused", "answered no"}, {`"tidak"`, "refused", "answered no"}, {`"0"`, "refused", "answered no"},
			{`true`, "given", ""}, {`"ya"`, "given", ""},
		} {
			email := "json" + string(rune('a'+i)) + "@example.com"
			status, b := postForm(t, srv.URL, "application/json",
				`{"fields":{"full_name":"Rina W","email":"`+email+`"},"consents":{"cross_selling":`+tc.v+`}}`, nil)
			check(t, status, b, email, tc.want, tc.why)
		}
	})
	t.Run("ErrNotYesNo", func(t *testing.T) {
		for _, tc := range []struct{ ctype, body, field string }{
			{form, "full_name=Rina+W&email=maybe@example.com&consent_cross_selling=maybe", "consent_cross_selling"},
			{form, "full_name=Rina+W&email=maybe@example.com&consent_cross_selling=yes%2Fno", "consent_cross_selling"},
			{"application/json", `{"fields":{"full_name":"Rina W","email":"maybe@example.com"},"consents":{"cross_selling":"maybe"}}`, "consents.cross_selling"},
			{"application/json", `{"fields":{"full_name":"Rina W","email":"maybe@example.com"},"consents":{"cross_selling":1}}`, "consents.cross_selling"},
		} {
			status, b := postForm(t, srv.URL, tc.ctype, tc.body, nil)
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"field":"`+tc.field+`"`) {
				t.Fatalf("%s: status %d %s; want 422 naming %s", tc.body, status, b, tc.field)
			}
		}
		if ids := subjectByEmail(t, keys, st, "maybe@example.com"); len(ids) != 0 {
			t.Fatal("a refused post stored a subject")
		}
	})
}

// TestUnknownFormFields: form-encoded and JSON posts name an unknown or repeated field
// with 422 (or a duplicated JSON member with 400), never dropping it silently, and
// never echo the value.
func TestUnknownFormFields(t *testing.T) {
	g, keys, st := mustGate(t)
	mux := http.NewServeMux()
	intake.New(intake.Config{Gate: g}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const form = "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		ctype, body, field string
		want               int
	}{
		{form, "full_name=Rina+W&email=u%40example.com&nik=3273055712859902", "nik", 422},
		{form, "full_name=Rina+W&email=u%40example.com&hacker=1", "hacker", 422},
		{form, "full_name=Rina+W&email=u%40example.com&consent_security=yes", "consent_security", 422},
		{form, "full_name=Rina+W&email=u%40example.com&email=v%40example.com", "email", 422},
		{"application/json", `{"fields":{"full_name":"Rina W","email":"u@example.com","hacker":"1"}}`, "hacker", 422},
		{"application/json", `{"fields":{"full_name":"Rina W"},"extra":{}}`, "extra", 422},
		{"application/json", `{"fields":{"full_name":"Rina W","email":"x@example.com","email":"u@example.com"}}`, "email", 400},
		{"application/json", `{"fields":{"full_name":"Rina W","email":"u@example.com"},"consents":{"cross_selling":false,"cross_selling":true}}`, "cross_selling", 400},
	} {
		status, b := postForm(t, srv.URL, tc.ctype, tc.body, nil)
		if status != tc.want || !strings.Contains(string(b), `"field":"`+tc.field+`"`) || strings.Contains(string(b), "3273055712859902") {
			t.Errorf("%s: status %d %s; want %d naming %s", tc.body, status, b, tc.want, tc.field)
		}
	}
	if ids := subjectByEmail(t, keys, st, "u@example.com"); len(ids) != 0 {
		t.Fatal("a refused post stored a subject")
	}
	t.Run("TooLarge", func(t *testing.T) {
		big := `{"fields":{"full_name":"` + strings.Repeat("a", 20<<20) + `"}}`
		status, b := postForm(t, srv.URL, "application/json", big, nil)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "larger than") {
			t.Fatalf("status %d %s; want 413", status, b)
		}
		status, b = postForm(t, srv.URL, form, "full_name="+strings.Repeat("a", 1<<20), nil)
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("form: status %d %s; want 413", status, b)
		}
	})
}

// TestRefusedHTML: a browser's entry that fails validation is not thanked and not
// kept: 422 with the form again, each refused field named in Bahasa and English with
// why, the values typed filled in again and the ticked box still ticked, and no
// quarantined row. The same entry sent as JSON is quarantined (202) as documented.
func TestRefusedHTML(t *testing.T) {
	g, _, st := mustGate(t)
	mux := http.NewServeMux()
	intake.New(intake.Config{Gate: g}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	quarantined := func() int {
		t.Helper()
		var n int
		if err := st.View(context.Background(), func(tx jaga.Tx) error {
			rows, err := tx.Quarantined(context.Background(), jaga.QuarantineFilter{Limit: 100})
			n = len(rows)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	status, b := postForm(t, srv.URL, "application/x-www-form-urlencoded", "full_name=Eko+Prasetyo&email=eko%40contoh&phone=12&consent_cross_selling=yes",
		map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
	page := string(b)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d; want 422\n%s", status, page)
	}
	for _, want := range []string{"belum dapat diterima", "not accepted", "tidak kami simpan", "have not kept it",
		`id="p-email"`, "alamat email tidak valid", "not a valid e-mail address",
		`id="p-phone"`, "nomor HP tidak valid", "not a valid mobile number",
		`name="full_name" id="f-full_name" value="Eko Prasetyo"`, `value="eko@contoh"`, `name="phone" id="f-phone" value="12"`,
		`name="consent_cross_selling" value="yes" checked`, `aria-invalid="true"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "Terima kasih") || strings.Contains(page, `name="consent_service_improvement" value="yes" checked`) {
		t.Errorf("page thanks the sender or ticks a box they left empty:\n%s", page)
	}
	if n := quarantined(); n != 0 {
		t.Fatalf("%d quarantined rows after a refused browser post; want none kept", n)
	}
	status, b = postForm(t, srv.URL, "application/x-www-form-urlencoded", "full_name=Good+One&email=good.one%40example.com", map[string]string{"Accept": "text/html"})
	if status != http.StatusOK || !strings.Contains(string(b), "Terima kasih") || strings.Contains(string(b), `id="problems"`) {
		t.Fatalf("accepted entry: %d %s", status, b)
	}
	// A post the form cannot read (a field given twice, a consent answer that is not
	// yes or no, an unknown field) also gets the page back from a browser, naming it.
	for _, body := range []string{"full_name=Eko&email=a%40contoh.id&email=b%40contoh.id", "full_name=Eko&email=a%40contoh.id&consent_cross_selling=maybe", "full_name=Eko&email=a%40contoh.id&hobi=x"} {
		status, b := postForm(t, srv.URL, "application/x-www-form-urlencoded", body, map[string]string{"Accept": "text/html"})
		if page := string(b); status != http.StatusUnprocessableEntity || !strings.Contains(page, "<form") || !strings.Contains(page, `id="problems"`) {
			t.Errorf("%s: %d; want 422 with the form and its problems\n%s", body, status, page)
		}
	}
	if n := quarantined(); n != 0 {
		t.Fatalf("%d quarantined rows after unreadable browser posts", n)
	}
	status, b = postForm(t, srv.URL, "application/x-www-form-urlencoded", "full_name=Eko+Prasetyo&email=eko%40contoh&phone=12", nil)
	var out intake.PostResponse
	if err := json.Unmarshal(b, &out); err != nil || status != http.StatusAccepted || out.Status != "quarantined" || quarantined() != 1 {
		t.Fatalf("JSON answer: %d %s; want 202 quarantined, one row", status, b)
	}
}
