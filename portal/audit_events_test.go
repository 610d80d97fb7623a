package portal_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
	"jaga/portal"
)

// auditEvents returns every event of the log with its encoded record, straight from
// the store.
func auditEvents(t *testing.T, e *env) ([]*jaga.AuditEvent, [][]byte) {
	t.Helper()
	var evs []*jaga.AuditEvent
	var raw [][]byte
	if err := e.store.View(ctx, func(tx jaga.Tx) error {
		for after := int64(0); ; {
			recs, err := tx.AuditRecords(ctx, jaga.AuditFilter{AfterSeq: after, Limit: 1000})
			if err != nil {
				return err
			}
			for _, r := range recs {
				ev, err := auditlog.Event(r)
				if err != nil {
					return err
				}
				evs, raw, after = append(evs, ev), append(raw, r.Data), r.Seq
			}
			if len(recs) < 1000 {
				return nil
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return evs, raw
}

// TestSignInAndDownloadAudited: the customer's sign-in writes a login event (a wrong
// code before it a refused one, by the portal), and each download of their data as a
// file (JSON, CSV) writes an export event naming them, the fields and purpose dsr
// (UU PDP Art 31, R-29); no event holds the address, the code or any value. The
// history page shows them in Bahasa and English.
func TestSignInAndDownloadAudited(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	tok, code, wrong := c.requestCode(e.email)
	if st, _, _ := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {wrong}}); st != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", st)
	}
	if st, loc, _ := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {code}}); st != http.StatusSeeOther || loc != "/privasi/saya" {
		t.Fatalf("code: %d %s", st, loc)
	}
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email), Fields: []string{"email"}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("find: %v", err)
	}
	sub := recs[0].Subject

	byAction := func(action string) []*jaga.AuditEvent {
		evs, _ := auditEvents(t, e)
		return slices.DeleteFunc(evs, func(ev *jaga.AuditEvent) bool { return ev.Action != action })
	}
	logins := byAction(jaga.ActionLogin)
	if len(logins) != 2 {
		t.Fatalf("%d login events, want a refused one and a sign-in", len(logins))
	}
	if l := logins[0]; l.ActorID != portal.Actor.ID || l.Decision != "deny:"+gate.ReasonWrongCode || l.Purpose != jaga.PurposeDSR || !slices.Equal(l.Subjects, []jaga.SubjectID{sub}) {
		t.Fatalf("refused sign-in: %+v", l)
	}
	if l := logins[1]; l.ActorID != string(sub) || l.Role != jaga.RoleSubject || l.Decision != string(jaga.Allow) || l.Purpose != jaga.PurposeDSR ||
		!slices.Equal(l.Subjects, []jaga.SubjectID{sub}) || len(l.FieldsReturned)+len(l.FieldsRequested) != 0 {
		t.Fatalf("sign-in: %+v", l)
	}
	if len(byAction(jaga.ActionExport)) != 0 {
		t.Fatal("an export event before any download (the page is not a download)")
	}

	for _, format := range []string{"json", "csv"} {
		before := len(byAction(jaga.ActionExport))
		if st, body, _ := c.get("/privasi/unduh/data." + format); st != http.StatusOK || !strings.Contains(body, e.email) {
			t.Fatalf("download %s: %d", format, st)
		}
		exports := byAction(jaga.ActionExport)
		if len(exports) != before+1 {
			t.Fatalf("download %s wrote %d export events", format, len(exports)-before)
		}
		x := exports[len(exports)-1]
		if x.ActorID != string(sub) || x.Purpose != jaga.PurposeDSR || x.Decision != string(jaga.Allow) || x.Reason != "dsr_export "+format ||
			!slices.Equal(x.Subjects, []jaga.SubjectID{sub}) || !slices.Contains(x.FieldsReturned, "email") || !slices.Contains(x.FieldsReturned, "full_name") {
			t.Fatalf("export event of the %s download: %+v", format, x)
		}
	}

	_, raw := auditEvents(t, e)
	for _, secret := range []string{e.email, e.name, e.phone, code} {
		for _, r := range raw {
			if bytes.Contains(bytes.ToLower(r), bytes.ToLower([]byte(secret))) {
				t.Fatalf("an audit event holds a value (%d bytes)", len(secret))
			}
		}
	}

	st, page, _ := c.get("/privasi/saya")
	for _, row := range []string{"<td>Anda sendiri</td><td>masuk</td>", "<td>Portal privasi — saat Anda masuk</td><td>masuk</td>", "<td>Anda sendiri</td><td>mengekspor data</td>"} {
		if st != http.StatusOK || !strings.Contains(page, row) {
			t.Fatalf("my page (%d) lacks %q", st, row)
		}
	}
	st, page, _ = c.get("/privacy/me")
	for _, row := range []string{"<td>you</td><td>signed in</td>", "<td>Privacy portal — your sign-in</td><td>signed in</td>", "<td>you</td><td>exported data</td>"} {
		if st != http.StatusOK || !strings.Contains(page, row) {
			t.Fatalf("my English page (%d) lacks %q", st, row)
		}
	}
}
