package intake_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestConfirmFetchMetadata: a confirmation POST that a browser marks as coming from
// another site (Sec-Fetch-Site cross-site or same-site) is refused 403 even without
// Origin and Referer, which privacy extensions and proxies strip; the browser's own
// same-origin POST and a client that sends none of the three headers (not a browser:
// the JSON clients the API documents) still confirm.
func TestConfirmFetchMetadata(t *testing.T) {
	e := newSignupEnv(t)
	const email = "dewi.fetch@example.com"
	link := e.signUp(t, email)
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Accept": "application/json"},
		{"Sec-Fetch-Site": "cross-site", "Referer": link},
	} {
		if status, _, body := call(t, "POST", link, hdr); status != http.StatusForbidden {
			t.Fatalf("%v: %d %s; want 403", hdr, status, body)
		}
		if ids := subjectByEmail(t, e.keys, e.st, email); len(ids) != 0 {
			t.Fatalf("%v confirmed the sign-up", hdr)
		}
	}
	status, _, page := call(t, "POST", link, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.srv.URL, "Accept": "text/html"})
	if status != http.StatusOK || !strings.Contains(page, "DOI-") {
		t.Fatalf("same-origin POST: %d\n%s", status, page)
	}
	const other = "dewi.cli@example.com"
	link = e.signUp(t, other)
	if status, ct, body := call(t, "POST", link, map[string]string{"Accept": "application/json"}); status != http.StatusOK || ct != "application/json" {
		t.Fatalf("POST without browser headers: %d %s %s", status, ct, body)
	}
	if ids := subjectByEmail(t, e.keys, e.st, other); len(ids) != 1 {
		t.Fatalf("%d subjects after the JSON confirmation", len(ids))
	}
}
