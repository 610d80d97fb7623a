package api_test

import (
	"net/http"
	"strings"
	"testing"

	"jaga"
)

// TestUpdateKeepsIdentifier: PATCH cannot leave a subject without email, phone and nik
// (the customer could no longer be found or sign in to the portal): 422 naming the last
// one removed, a detail that points to erasure, audited, nothing stored. Budi has an
// e-mail and a phone and no NIK.
func TestUpdateKeepsIdentifier(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	dpo := e.keys[jaga.RoleDPO]
	path := "/v1/subjects/" + string(f.budi)
	patch := func(t *testing.T, body string) *response {
		t.Helper()
		return e.do(t, call{method: "PATCH", path: path, key: dpo, purpose: jaga.PurposeDSR, body: body})
	}
	fields := func(t *testing.T) map[string]string {
		t.Helper()
		var rec record
		e.do(t, call{method: "GET", path: path, key: dpo, purpose: jaga.PurposeDSR}).want(t, http.StatusOK).decode(t, &rec)
		return rec.Fields
	}
	refused := func(t *testing.T, body, field string) {
		t.Helper()
		r := patch(t, body)
		p := r.wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, field, "")
		if !strings.Contains(p.Detail, "at least one of email, phone or nik") || !strings.Contains(p.Detail, "erasure") {
			t.Errorf("detail %q", p.Detail)
		}
		e.audited(t, r, jaga.ActionUpdate, "error:unprocessable")
	}
	t.Run("ErrRemoveBoth", func(t *testing.T) {
		refused(t, `{"fields": {"email": null, "phone": null}}`, "phone")
		refused(t, `{"fields": {"email": "", "phone": " ", "nik": null, "domicile_city": "Kota Malang"}}`, "phone")
		if fs := fields(t); fs["email"] != budiEmail || fs["phone"] == "" || fs["domicile_city"] != "Kota Surabaya" {
			t.Fatalf("a refused update changed the subject: %v", fs)
		}
	})
	t.Run("OneByOne", func(t *testing.T) {
		patch(t, `{"fields": {"email": null}}`).want(t, http.StatusNoContent)
		refused(t, `{"fields": {"phone": null}}`, "phone")
		if fs := fields(t); fs["phone"] == "" {
			t.Fatalf("the last identifier was removed: %v", fs)
		}
	})
	t.Run("ReplaceKeeps", func(t *testing.T) {
		// Removing the phone while giving an e-mail leaves one.
		patch(t, `{"fields": {"phone": null, "email": "budi.baru@example.com"}}`).want(t, http.StatusNoContent)
		fs := fields(t)
		if fs["email"] != "budi.baru@example.com" || fs["phone"] != "" {
			t.Fatalf("after the replacement: %v", fs)
		}
	})
}
