package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/intake"
	"jaga/internal/vaulttest"
	"jaga/notify"
	"jaga/notify/smtptest"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
)

func mustGate(t *testing.T) (*gate.Gate, *seal.Keyring, *sqlite.DB) {
	t.Helper()
	v := vaulttest.New(t, vaulttest.Options{}) // demo notices v1-v3 approved, v4 draft
	return v.Gate, v.Keys, v.Store
}

// subjectByEmail finds a subject by its e-mail blind index.
func subjectByEmail(t *testing.T, keys *seal.Keyring, st *sqlite.DB, email string) []jaga.SubjectID {
	t.Helper()
	var ids []jaga.SubjectID
	err := st.View(context.Background(), func(tx jaga.Tx) error {
		var err error
		ids, err = tx.FindByIndex(context.Background(), "email", keys.BlindIndex("email", email))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func current(t *testing.T, st *sqlite.DB, id jaga.SubjectID, purpose string) *jaga.Consent {
	t.Helper()
	var c *jaga.Consent
	err := st.View(context.Background(), func(tx jaga.Tx) error {
		var err error
		c, err = tx.CurrentConsent(context.Background(), id, purpose)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWebFormGPC posts the sign-up form with both boxes ticked and Sec-GPC: 1: no
// cross-selling consent counts (it is stored given with invalid:gpc), the response
// says why, and the service-improvement consent counts.
func TestWebFormGPC(t *testing.T) {
	g, keys, st := mustGate(t)
	mux := http.NewServeMux()
	intake.New(intake.Config{Gate: g}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body := `{"fields":{"full_name":"Rina Wulandari","email":"rina.w@example.com","phone":"0812-3456-7890","domicile_city":"Kota Bandung"},"consents":{"service_improvement":true,"cross_selling":true}}`
	req, _ := http.NewRequest("POST", srv.URL+"/v1/intake/forms/daftar", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-GPC", "1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out intake.PostResponse
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusAccepted || out.Status != "received" {
		t.Fatalf("status %d, %+v", res.StatusCode, out)
	}
	cs := out.Consents["cross_selling"]
	if cs.Counts || cs.Flag != jaga.FlagGPC || !strings.Contains(cs.Why, "Sec-GPC: 1") {
		t.Fatalf("cross_selling answer %+v; want no consent, flag invalid:gpc and why", cs)
	}
	if si := out.Consents["service_improvement"]; !si.Counts {
		t.Fatalf("service_improvement answer %+v", si)
	}
	ids := subjectByEmail(t, keys, st, "rina.w@example.com")
	if len(ids) != 1 {
		t.Fatalf("%d subjects with the e-mail", len(ids))
	}
	c := current(t, st, ids[0], "cross_selling")
	if c == nil || c.Counts() || c.Flag != jaga.FlagGPC {
		t.Fatalf("cross_selling record %+v; want given+invalid:gpc, not counting", c)
	}
	if c := current(t, st, ids[0], "service_improvement"); !c.Counts() {
		t.Fatalf("service_improvement record %+v", c)
	}

	t.Run("WithoutGPC", func(t *testing.T) {
		body := strings.Replace(body, "rina.w@", "budi.s@", 1)
		body = strings.Replace(body, "Rina Wulandari", "Budi Santoso", 1)
		body = strings.Replace(body, "0812-3456-7890", "0813-1111-2222", 1)
		res, err := http.Post(srv.URL+"/v1/intake/forms/daftar", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		ids := subjectByEmail(t, keys, st, "budi.s@example.com")
		if len(ids) != 1 || !current(t, st, ids[0], "cross_selling").Counts() {
			t.Fatalf("without Sec-GPC the ticked box must count")
		}
	})
	t.Run("HTMLForm", func(t *testing.T) {
		res, err := http.Get(srv.URL + "/v1/intake/forms/daftar")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(b)
		boxes := regexp.MustCompile(`<input type="checkbox"[^>]*>`).FindAllString(page, -1)
		if len(boxes) != 2 {
			t.Fatalf("%d checkboxes; want one per purpose", len(boxes))
		}
		for _, b := range boxes {
			if strings.Contains(b, "checked") {
				t.Fatalf("box ticked by default: %s", b)
			}
		}
		for _, s := range []string{"Pendaftaran", "Sign-up", "penawaran", "offers", `lang="id"`} {
			if !strings.Contains(page, s) {
				t.Fatalf("page lacks %q", s)
			}
		}
	})
	t.Run("MissingEmailQuarantined", func(t *testing.T) {
		res, err := http.Post(srv.URL+"/v1/intake/forms/daftar", "application/json",
			strings.NewReader(`{"fields":{"full_name":"Tanpa Email","phone":"0815-9840-3466"},"consents":{"service_improvement":true}}`))
		if err != nil {
			t.Fatal(err)
		}
		var out intake.PostResponse
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if out.Status != "quarantined" || len(out.Problems) == 0 || out.Problems[0].Code != "missing_required" {
			t.Fatalf("%+v", out)
		}
	})
}

// mailbox is an in-process SMTP server (go-smtp) on loopback that keeps what it receives.

// TestDoubleOptIn signs up for the newsletter: the confirmation mail goes out over
// SMTP to a real in-process server, no subject or consent exists until its link is
// followed and the button on its page pressed (a GET alone confirms nothing), then the
// subject exists with a counting consent whose evidence is the double-opt-in ID; the
// link works once.
func TestDoubleOptIn(t *testing.T) {
	g, keys, st := mustGate(t)
	ss := smtptest.Start(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	intake.New(intake.Config{Gate: g, BaseURL: srv.URL, Mailer: &notify.SMTP{Host: ss.Host, Port: ss.Port, From: "jaga@example.com"}}).Register(mux)

	res, err := http.Post(srv.URL+"/v1/intake/forms/newsletter", "application/x-www-form-urlencoded",
		strings.NewReader("full_name=Sari+Dewi&email=sari.dewi%40example.com&consent_cross_selling=yes"))
	if err != nil {
		t.Fatal(err)
	}
	var out intake.PostResponse
	_ = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || out.Status != "confirmation_sent" || out.Consents["cross_selling"].Counts {
		t.Fatalf("status %d, %+v", res.StatusCode, out)
	}
	if ids := subjectByEmail(t, keys, st, "sari.dewi@example.com"); len(ids) != 0 {
		t.Fatalf("a subject exists before confirmation")
	}
	msgs := ss.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "sari.dewi@example.com" {
		t.Fatalf("%d mails", len(msgs))
	}
	link := regexp.MustCompile(`http://\S+/v1/intake/confirm/\S+`).FindString(msgs[0].Data)
	if link == "" {
		t.Fatal("no confirmation link in the mail")
	}
	// Following the link (GET), as a mail scanner would, only shows the button.
	for range 2 {
		res, err = http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`<form method="post"`)) {
			t.Fatalf("confirm page: %d %s", res.StatusCode, b)
		}
		if ids := subjectByEmail(t, keys, st, "sari.dewi@example.com"); len(ids) != 0 {
			t.Fatalf("a GET of the link confirmed the sign-up")
		}
	}
	req, _ := http.NewRequest("POST", link, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", srv.URL)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"confirmed"`)) {
		t.Fatalf("confirm: %d %s", res.StatusCode, b)
	}
	ids := subjectByEmail(t, keys, st, "sari.dewi@example.com")
	if len(ids) != 1 {
		t.Fatalf("%d subjects after confirmation", len(ids))
	}
	c := current(t, st, ids[0], "cross_selling")
	if !c.Counts() || !strings.HasPrefix(c.Evidence, "DOI-") || c.Channel != jaga.ChannelEmailSignup {
		t.Fatalf("consent %+v", c)
	}
	res, _ = http.Post(link, "", nil)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("second use of the link: %d", res.StatusCode)
	}
	res, _ = http.Get(link)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("page of a used link: %d", res.StatusCode)
	}
	_ = time.Second
}
