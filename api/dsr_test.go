package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// TestDSR: a request received at the store counter and entered by staff joins the same
// register with its 72 h clock; it shows in the open and overdue views, is
// refused only with a valid code and a DPO's approval, and its timeline lists every
// step. Every response validates against openapi.yaml.
func TestDSR(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	dpo := e.keys[jaga.RoleDPO]
	received := time.Date(2025, 3, 10, 23, 30, 0, 0, jaga.WIB)
	r := e.do(t, call{method: "POST", path: "/v1/dsr", key: dpo, body: map[string]any{
		"subject": f.siti, "type": "access", "channel": "store_counter", "received_at": received}})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var d jaga.DSR
	json.Unmarshal(r.body, &d)
	if !d.DueAt.Equal(received.Add(72*time.Hour)) || !d.Statutory || d.Channel != jaga.DSRChannelStoreCounter {
		t.Fatalf("created %+v", d)
	}
	for _, view := range []string{"open", "overdue", "all"} {
		r = e.do(t, call{method: "GET", path: "/v1/dsr?view=" + view, key: dpo})
		var l struct{ Requests []jaga.DSR }
		json.Unmarshal(r.body, &l)
		if r.status != http.StatusOK || len(l.Requests) != 1 || l.Requests[0].ID != d.ID {
			t.Fatalf("view %s: %d %s", view, r.status, r.body)
		}
	}
	if r = e.do(t, call{method: "GET", path: "/v1/dsr", key: e.keys[jaga.RoleSupport]}); r.status != http.StatusForbidden {
		t.Fatalf("support lists the register: %d", r.status)
	}
	e.audited(t, r, gate.ActionDSRStep, "deny:role_not_allowed")
	if r = e.do(t, call{method: "POST", path: "/v1/dsr/" + d.ID + "/refuse", key: dpo, body: map[string]string{"refusal_code": "art15_defence"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("art15 code for access: %d %s", r.status, r.body)
	}
	if r = e.do(t, call{method: "POST", path: "/v1/dsr/" + d.ID + "/refuse", key: dpo, body: map[string]string{"refusal_code": "art33_other_person"}}); r.status != http.StatusOK {
		t.Fatalf("refuse: %d %s", r.status, r.body)
	}
	if r = e.do(t, call{method: "POST", path: "/v1/dsr/" + d.ID + "/approve", key: dpo}); r.status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	json.Unmarshal(r.body, &d)
	if d.Status != jaga.DSRRefused || d.RefusalCode != "art33_other_person" {
		t.Fatalf("after approval %+v", d)
	}
	if r = e.do(t, call{method: "POST", path: "/v1/dsr/" + d.ID + "/fulfil", key: dpo}); r.status != http.StatusConflict {
		t.Fatalf("fulfil a refused request: %d", r.status)
	}
	r = e.do(t, call{method: "GET", path: "/v1/dsr/" + d.ID + "/timeline", key: e.keys[jaga.RoleAuditor]})
	var tl struct {
		Events []struct{ Action, Reason, RequestID string } `json:"events"`
	}
	json.Unmarshal(r.body, &tl)
	if r.status != http.StatusOK || len(tl.Events) < 3 || tl.Events[1].Reason != "received access via store_counter" {
		t.Fatalf("timeline: %d %s", r.status, r.body)
	}
	if r = e.do(t, call{method: "GET", path: "/v1/dsr/dsr_nothere", key: dpo}); r.status != http.StatusNotFound {
		t.Fatalf("unknown request: %d", r.status)
	}
	if r = e.do(t, call{method: "POST", path: "/v1/dsr", key: dpo, body: map[string]any{"subject": f.siti, "type": "sell", "channel": "email"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad type: %d", r.status)
	}
}
