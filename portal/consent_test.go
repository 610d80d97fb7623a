package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestConsentGivenInPortal: a customer withdraws cross-selling and gives it again in the
// portal; the new record refers to the approved notice in force with its text hash and
// the browser's user agent (evidence for a form Jaga served, R-7), and it counts again.
func TestConsentGivenInPortal(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	for _, action := range []string{"withdraw", "give"} {
		_, _, tok := c.get("/privasi/saya")
		st, loc, body := c.post("/privasi/persetujuan", url.Values{"csrf": {tok}, "purpose": {jaga.PurposeCrossSelling}, "action": {action}})
		if st != http.StatusSeeOther || loc != "/privasi/saya?ok=consent" {
			t.Fatalf("%s: %d %s %s", action, st, loc, body)
		}
	}
	recs, err := e.g.Consents(ctx, gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, e.subject(t))
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	n, ok := e.g.CurrentNotice(jaga.PurposeCrossSelling)
	if !ok {
		t.Fatal("no approved notice covers cross_selling")
	}
	if last.Status != jaga.ConsentGiven || last.Flag != "" || last.NoticeVersion != n.Version ||
		last.TextHash != n.TextHash || last.UserAgent == "" || last.Channel != jaga.ChannelWebForm {
		t.Fatalf("consent given in the portal: %+v", last)
	}
	mk := &jaga.Actor{ID: "act_mk", Kind: jaga.ActorStaff, Role: jaga.RoleMarketer}
	if _, err := e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: mk, Purpose: jaga.PurposeCrossSelling}, Subject: e.subject(t)}); err != nil {
		t.Fatalf("cross_selling after the consent is given again: %v", err)
	}
}

// subject returns the ID of the env's customer, found by e-mail under purpose dsr.
func (e *env) subject(t *testing.T) jaga.SubjectID {
	t.Helper()
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email)})
	if err != nil || len(recs) != 1 {
		t.Fatalf("find the customer: %v (%d)", err, len(recs))
	}
	return recs[0].Subject
}
