package api_test

import (
	"net/http"
	"testing"
	"time"

	"jaga"
)

// TestRecordTimeBounds: a consent or collection time before 1970 (the zero time of year
// 0001 included, which the gate alone would read as "no time") or more than 24 hours
// ahead is 422 naming its member, and nothing is stored.
func TestRecordTimeBounds(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	ahead := time.Now().Add(49 * time.Hour).UTC().Format(time.RFC3339)
	bad := []string{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00+07:00", "1969-12-31T23:59:59Z", "1900-01-01T00:00:00+07:00", ahead}

	consents := func(t *testing.T) int {
		t.Helper()
		var out struct{ Consents []map[string]any }
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/consents", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR}).
			want(t, http.StatusOK).decode(t, &out)
		return len(out.Consents)
	}
	t.Run("RecordConsent", func(t *testing.T) {
		before := consents(t)
		for _, status := range []string{"given", "withdrawn"} {
			for _, at := range bad {
				r := e.consent(t, f.siti, map[string]any{"purpose": "cross_selling", "status": status, "channel": "api",
					"given_by": "subject", "at": at}, nil)
				r.wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "at", "")
			}
		}
		if n := consents(t); n != before {
			t.Fatalf("%d consent records after the refused changes, %d before", n, before)
		}
		// The bounds themselves are accepted: the epoch, and no time (now).
		e.consent(t, f.siti, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "subject",
			"at": "1970-01-01T00:00:00Z"}, nil).want(t, http.StatusCreated)
		e.consent(t, f.siti, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "subject",
			"at": nil}, nil).want(t, http.StatusCreated)
	})
	t.Run("CreateSubject", func(t *testing.T) {
		body := func(collected, at string) map[string]any {
			return map[string]any{
				"fields":       map[string]any{"full_name": "Dewi Lestari", "email": "dewi.lestari@example.id"},
				"channel":      "web_form",
				"collected_at": collected,
				"consents": []map[string]any{{"purpose": "cross_selling", "status": "refused",
					"notice_version": "notice-id-v2", "at": at}},
			}
		}
		const ok = "2024-05-01T09:30:00+07:00"
		for _, tm := range bad {
			r := e.do(t, call{method: "POST", path: "/v1/subjects", key: e.keys[jaga.RoleService], purpose: jaga.PurposeServiceProvision, body: body(tm, ok)})
			r.wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "collected_at", "")
			r = e.do(t, call{method: "POST", path: "/v1/subjects", key: e.keys[jaga.RoleService], purpose: jaga.PurposeServiceProvision, body: body(ok, tm)})
			r.wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "consents", "")
		}
		e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport,
			body: map[string]string{"email": "dewi.lestari@example.id"}}).want(t, http.StatusNotFound)
	})
}

// TestDSRReceivedAtBounds: a request received in year 0001 (the zero time, which the
// desk alone would read as "now") or before 1970 is 422 naming received_at, and none is
// registered.
func TestDSRReceivedAtBounds(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	dpo := e.keys[jaga.RoleDPO]
	for _, at := range []string{"0001-01-01T00:00:00Z", "0001-01-01T07:00:00+07:00", "0001-01-01T00:00:01Z", "1969-12-31T00:00:00Z"} {
		e.do(t, call{method: "POST", path: "/v1/dsr", key: dpo, body: map[string]any{
			"subject": f.siti, "type": "access", "channel": "store_counter", "received_at": at}}).
			wantProblem(t, http.StatusUnprocessableEntity, jaga.EUNPROCESSABLE, "received_at", "")
	}
	var l struct{ Requests []jaga.DSR }
	e.do(t, call{method: "GET", path: "/v1/dsr?view=all", key: dpo}).want(t, http.StatusOK).decode(t, &l)
	if len(l.Requests) != 0 {
		t.Fatalf("%d requests registered from refused receipt times", len(l.Requests))
	}
}
