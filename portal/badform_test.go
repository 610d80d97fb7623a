package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBadFormsNamed: every refused portal form answers with the customer's page again
// (422), naming the field and why in the page's language instead of one generic
// sentence; a refused correction is filled in again for its owner, and no submitted
// value reaches the log.
func TestBadFormsNamed(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	const badPhone = "081-ZZQ-9"
	for _, tc := range []struct {
		page, path string
		form       url.Values
		want       []string
	}{
		{"/privasi/saya", "/privasi/persetujuan", url.Values{"purpose": {"nope_purpose"}, "action": {"withdraw"}}, []string{"Tujuan: tidak dikenal"}},
		{"/privacy/me", "/privacy/consent", url.Values{"purpose": {"cross_selling"}, "action": {"maybe"}}, []string{"Action: choose give or withdraw"}},
		{"/privasi/saya", "/privasi/permintaan", url.Values{"type": {"rectify"}, "field": {"no_such_field"}, "value": {"Kota Medan"}}, []string{"Data yang diperbaiki: pilih salah satu data"}},
		{"/privasi/saya", "/privasi/permintaan", url.Values{"type": {"rectify"}, "field": {"phone"}, "value": {badPhone}},
			[]string{"Isi yang benar (Nomor HP", "nomor HP tidak valid", `<option value="phone" selected>`, `value="` + badPhone + `" aria-invalid="true"`}},
		{"/privacy/me", "/privacy/request", url.Values{"type": {"rectify"}, "field": {"email"}, "value": {"  "}}, []string{"Correct value (E-mail address): required."}},
		{"/privasi/saya", "/privasi/permintaan", url.Values{"type": {"erase"}}, []string{"Penghapusan: centang kotak"}},
		{"/privacy/me", "/privacy/request", url.Values{"type": {"delete_all"}}, []string{"Request type: unknown"}},
	} {
		_, _, tok := c.get(tc.page)
		tc.form.Set("csrf", tok)
		st, _, body := c.post(tc.path, tc.form)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="my-data"`) || strings.Contains(body, "Permintaan tidak valid") || strings.Contains(body, "request is not valid") {
			t.Fatalf("%s %v: %d; want 422 with the page and a named reason\n%s", tc.path, tc.form, st, body)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %v: the answer lacks %q\n%s", tc.path, tc.form, w, body)
			}
		}
	}
	if logs := e.logs.String(); strings.Contains(logs, "ZZQ") || strings.Contains(logs, "Kota Medan") {
		t.Fatalf("a submitted value reached the log:\n%s", logs)
	}
}
