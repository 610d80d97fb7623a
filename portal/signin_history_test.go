package portal_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jaga"
	"jaga/gate"
	"jaga/portal"
)

// TestBrowserSignInHistory: a customer signs in in real headless Chromium; their access
// history (the portal's page in both languages, and the gate's AccessHistory the API
// serves) names the sign-in look-up as the privacy portal at their own sign-in, never
// as a data-protection officer (UU PDP Art 32, R-29).
func TestBrowserSignInHistory(t *testing.T) {
	bctx := startChromium(t)
	e := mustEnv(t)
	shot := screenshot(artifacts(t))
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	history := func() string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("history-table")))
		if err != nil {
			t.Fatalf("history table: %v", err)
		}
		return s
	}
	base := e.srv.URL

	n := len(e.smtp.Messages())
	run("sign in", chromedp.Navigate(base+"/privasi/"), chromedp.WaitVisible(chromedp.ID("address")),
		chromedp.SendKeys(chromedp.ID("address"), e.email), chromedp.Click(chromedp.ID("send-code")),
		chromedp.WaitVisible(chromedp.ID("code")))
	code := e.waitCode(t, e.email, n)
	run("my page", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("history-table")), chromedp.ScrollIntoView(chromedp.ID("history")), shot("10-history-sign-in"))
	for _, page := range []struct{ path, portal, find, dpo string }{
		{"", "Portal privasi — saat Anda masuk", "mencari data", "pejabat pelindungan data"},
		{"/privacy/me", "Privacy portal — your sign-in", "looked up data", "data protection officer"},
	} {
		if page.path != "" {
			run("page "+page.path, chromedp.Navigate(base+page.path), chromedp.WaitVisible(chromedp.ID("history-table")))
		}
		h := history()
		if !strings.Contains(h, page.portal) || !strings.Contains(h, page.find) {
			t.Errorf("history table lacks the sign-in look-up as %q / %q:\n%s", page.portal, page.find, h)
		}
		if strings.Contains(h, page.dpo) || strings.Contains(h, "dpo") {
			t.Errorf("history table names a data-protection officer for the customer's own sign-in:\n%s", h)
		}
	}

	// The gate's history (what GET /v1/subjects/{id}/access-history serves) says the
	// same. The subject is read off the portal's own audit event, so that the test adds
	// no look-up of its own to the history.
	evs, err := e.g.AuditLog(ctx, gate.Request{Actor: e.dpo}, jaga.AuditFilter{ActorID: portal.Actor.ID, Action: jaga.ActionFind})
	if err != nil || len(evs) != 1 || len(evs[0].Subjects) != 1 {
		t.Fatalf("portal look-ups in the audit log: %v (%d)", err, len(evs))
	}
	if evs[0].Role != jaga.RolePortal || evs[0].Decision != string(jaga.Allow) || strings.Join(evs[0].FieldsReturned, ",") != "email,phone" {
		t.Fatalf("sign-in look-up audited as role %s, decision %s, fields %v", evs[0].Role, evs[0].Decision, evs[0].FieldsReturned)
	}
	sub := evs[0].Subjects[0]
	h, err := e.g.AccessHistory(ctx, gate.AccessHistoryRequest{Request: gate.Request{Actor: jaga.SubjectActor(sub), Purpose: jaga.PurposeDSR}, Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	finds := 0
	for _, en := range h.Entries {
		if en.Role == jaga.RoleDPO {
			t.Errorf("access history entry %d (%s) is a dpo's", en.Seq, en.Action)
		}
		if en.Action == jaga.ActionFind {
			finds++
			if en.Role != jaga.RolePortal {
				t.Errorf("sign-in look-up listed as role %s", en.Role)
			}
		}
	}
	if finds != 1 {
		t.Errorf("%d look-ups in the access history, want the one sign-in", finds)
	}
	if got := gate.AccessLabel("en", string(jaga.RolePortal)); got != "Privacy portal — your sign-in" {
		t.Errorf("English label of role portal: %q", got)
	}
}
