package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jaga"
)

func TestListPurchases(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	path := "/v1/subjects/" + string(f.siti) + "/purchases"

	t.Run("OK", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: path, key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling}).want(t, 200)
		var out struct {
			Subject   string
			Purchases []map[string]string
		}
		r.decode(t, &out)
		if out.Subject != string(f.siti) || len(out.Purchases) != 1 || out.Purchases[0]["stock_code"] != "85123A" || out.Purchases[0]["unit_price"] != "2.55" {
			t.Fatalf("purchases %+v", out)
		}
		if ev := e.audited(t, r, jaga.ActionReadPurchases, "allow"); ev.Count != 1 {
			t.Errorf("audit count %d", ev.Count)
		}
	})
	t.Run("ErrNotInPurpose", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: path, key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport})
		r.want(t, 403)
		e.audited(t, r, jaga.ActionReadPurchases, "deny:"+r.problem(t).Reason)
	})
	t.Run("ErrNoConsent", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi) + "/purchases", key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "no_consent")
		e.audited(t, r, jaga.ActionReadPurchases, "deny:no_consent")
	})
	t.Run("ErrNoPurpose", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: path, key: e.keys[jaga.RoleMarketer]})
		r.wantProblem(t, 400, jaga.EINVALID, "Jaga-Purpose", "")
		e.audited(t, r, jaga.ActionReadPurchases, "error:invalid")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/sub_" + strings.Repeat("1", 32) + "/purchases", key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling})
		r.wantProblem(t, 404, jaga.ENOTFOUND, "", "")
		e.audited(t, r, jaga.ActionReadPurchases, "error:not_found")
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		e.do(t, call{method: "GET", path: path, purpose: jaga.PurposeCrossSelling}).wantProblem(t, 401, jaga.EUNAUTHORIZED, "", "")
	})
}

func TestListConsents(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)

	t.Run("OK", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/consents", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR}).want(t, 200)
		var out struct {
			Subject  string
			Consents []struct {
				Purpose, Status, Flag, NoticeVersion, Channel string
				At                                            time.Time
			}
		}
		r.decode(t, &out)
		if out.Subject != string(f.siti) || len(out.Consents) != 2 {
			t.Fatalf("consents %+v", out)
		}
		for _, c := range out.Consents {
			if c.Status != "given" || c.Flag != "" || c.Channel != "web_form" || !c.At.Equal(collected) {
				t.Errorf("consent %+v", c)
			}
		}
		if ev := e.audited(t, r, jaga.ActionReadConsents, "allow"); ev.Count != 2 {
			t.Errorf("audit count %d", ev.Count)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi) + "/consents", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR}).want(t, 200)
		var out struct {
			Consents []struct{ Purpose, Status, Evidence string }
		}
		r.decode(t, &out)
		if len(out.Consents) != 1 || out.Consents[0].Status != "refused" || out.Consents[0].Evidence != "paper-form-0042" {
			t.Fatalf("consents %+v", out)
		}
	})
	t.Run("ErrNoPurpose", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/consents", key: e.keys[jaga.RoleDPO]})
		r.wantProblem(t, 400, jaga.EINVALID, "Jaga-Purpose", "")
		e.audited(t, r, jaga.ActionReadConsents, "error:invalid")
	})
	t.Run("ErrRoleNotAllowed", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/consents", key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeDSR})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "role_not_allowed")
		e.audited(t, r, jaga.ActionReadConsents, "deny:role_not_allowed")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/sub_" + strings.Repeat("f", 32) + "/consents", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR})
		r.wantProblem(t, 404, jaga.ENOTFOUND, "", "")
		e.audited(t, r, jaga.ActionReadConsents, "error:not_found")
	})
	t.Run("ErrMalformedID", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/subjects/" + sitiNIK + "/consents", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR})
		r.wantProblem(t, 404, jaga.ENOTFOUND, "", "")
		e.notAudited(t, r)
	})
}

// auditPage is the AuditPage schema of openapi.yaml.
type auditPage struct {
	Events []struct {
		Seq       int64
		ActorID   string `json:"actor_id"`
		Action    string
		Purpose   string
		Decision  string
		Subjects  []string
		RequestID string `json:"request_id"`
	}
	NextAfter int64 `json:"next_after"`
}

func TestListAudit(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	auditor := e.keys[jaga.RoleAuditor]
	read := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti), key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).want(t, 200)

	t.Run("OK", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/audit", key: auditor}).want(t, 200)
		var page auditPage
		r.decode(t, &page)
		if len(page.Events) == 0 || page.NextAfter != page.Events[len(page.Events)-1].Seq {
			t.Fatalf("page: %d events, next_after %d", len(page.Events), page.NextAfter)
		}
		found := false
		for i, ev := range page.Events {
			if ev.Seq != int64(i+1) {
				t.Fatalf("event %d: seq %d", i, ev.Seq)
			}
			if ev.RequestID == read.header.Get("Jaga-Request-Id") {
				found = found || (ev.Action == jaga.ActionRead && ev.Decision == "allow" && ev.Subjects[0] == string(f.siti))
			}
		}
		if !found {
			t.Error("the support read is not in the audit log")
		}
		e.audited(t, r, jaga.ActionReadAudit, "allow")
	})
	t.Run("Pages", func(t *testing.T) {
		var first, second auditPage
		e.do(t, call{method: "GET", path: "/v1/audit?limit=2", key: auditor}).want(t, 200).decode(t, &first)
		if len(first.Events) != 2 || first.NextAfter != 2 {
			t.Fatalf("first page: %d events, next_after %d", len(first.Events), first.NextAfter)
		}
		e.do(t, call{method: "GET", path: fmt.Sprintf("/v1/audit?limit=2&after=%d", first.NextAfter), key: auditor}).want(t, 200).decode(t, &second)
		if len(second.Events) == 0 || second.Events[0].Seq != 3 {
			t.Fatalf("second page %+v", second)
		}
		var empty auditPage
		e.do(t, call{method: "GET", path: "/v1/audit?after=1000000", key: auditor}).want(t, 200).decode(t, &empty)
		if len(empty.Events) != 0 || empty.NextAfter != 1000000 {
			t.Fatalf("past the end: %+v", empty)
		}
	})
	t.Run("Filters", func(t *testing.T) {
		var page auditPage
		q := "/v1/audit?subject=" + string(f.siti) + "&action=read&actor=" + e.actors[jaga.RoleSupport].ID
		e.do(t, call{method: "GET", path: q, key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeSecurity}).want(t, 200).decode(t, &page)
		if len(page.Events) != 1 || page.Events[0].RequestID != read.header.Get("Jaga-Request-Id") {
			t.Fatalf("filtered page %+v", page)
		}
	})
	t.Run("ErrRoleNotAllowed", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: "/v1/audit", key: e.keys[jaga.RoleSupport]})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "role_not_allowed")
		e.audited(t, r, jaga.ActionReadAudit, "deny:role_not_allowed")
	})
	for _, tc := range []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=ten", "limit"}, {"after=-1", "after"},
		{"subject=" + sitiEmail, "subject"}, {"actor=" + sitiEmail, "actor"}, {"action=Read+All", "action"},
	} {
		t.Run("ErrQuery/"+tc.field, func(t *testing.T) {
			r := e.do(t, call{method: "GET", path: "/v1/audit?" + tc.query, key: auditor})
			r.wantProblem(t, 400, jaga.EINVALID, tc.field, "")
		})
	}
	t.Run("ErrNoKey", func(t *testing.T) {
		e.do(t, call{method: "GET", path: "/v1/audit"}).wantProblem(t, 401, jaga.EUNAUTHORIZED, "", "")
	})
}

func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, call{method: "GET", path: "/v1/openapi.yaml"}).want(t, 200)
	if !strings.HasPrefix(string(r.body), "openapi: 3.") {
		t.Fatalf("body starts %q", r.body[:20])
	}
	for _, p := range []string{"/v1/subjects:", "/v1/subjects/lookup:", "/v1/subjects/{id}:", "/v1/subjects/{id}/purchases:",
		"/v1/subjects/{id}/consents:", "/v1/audit:", "/v1/openapi.yaml:", "Jaga-Purpose", "Jaga-Reason", "application/problem+json"} {
		if !strings.Contains(string(r.body), p) {
			t.Errorf("openapi.yaml does not describe %s", p)
		}
	}
}
