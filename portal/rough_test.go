package portal_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestPageWordsAndCSVNumbers: the Bahasa page words gender F as "Perempuan" and a
// staff read of purchases as "Riwayat pembelian", never the codes; the CSV download
// puts a quote before the 16-digit NIK and any other cell of 15 or more digits, as
// before the phone, so that a spreadsheet keeps them as text.
func TestPageWordsAndCSVNumbers(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	sub := e.subject(t)
	if _, err := e.g.Purchases(ctx, gate.ReadRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Subject: sub}); err != nil {
		t.Fatal(err)
	}
	const long = "123456789012345"
	if err := e.g.Update(ctx, gate.UpdateRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Subject: sub, Set: map[string]string{"income": long}}); err != nil {
		t.Fatal(err)
	}
	_, id, _ := c.get("/privasi/saya")
	_, en, _ := c.get("/privacy/me")
	for _, w := range []struct{ page, want, not string }{
		{id, `<th scope="row">Jenis kelamin</th><td>Perempuan</td>`, `<td>F</td>`},
		{en, `<th scope="row">Gender</th><td>Female</td>`, `<td>F</td>`},
		{id, "<li>Riwayat pembelian</li>", "<li>purchases</li>"},
		{en, "<li>Purchase history</li>", "<li>purchases</li>"},
	} {
		if !strings.Contains(w.page, w.want) || strings.Contains(w.page, w.not) {
			t.Errorf("page lacks %q or shows %q", w.want, w.not)
		}
	}
	st, body, _ := c.get("/privasi/unduh/data.csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if st != http.StatusOK || err != nil {
		t.Fatalf("csv: %d %v", st, err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if r[0] == "field" {
			got[r[1]] = r[2]
		}
		for _, cell := range r {
			if d := strings.TrimLeft(cell, "0123456789"); d == "" && len(cell) >= 15 {
				t.Errorf("cell %q of %d digits is not protected", cell, len(cell))
			}
		}
	}
	if len(got["nik"]) != 17 || got["nik"][0] != '\'' || got["income"] != "'"+long || got["phone"][0] != '\'' {
		t.Fatalf("nik %q, income %q, phone %q; want each after a quote", got["nik"], got["income"], got["phone"])
	}
	if got["year_birth"] == "" || strings.HasPrefix(got["year_birth"], "'") {
		t.Fatalf("a short number is quoted: %q", got["year_birth"])
	}
}

// TestNotFoundPage: an unknown path under /privasi/ or /privacy/ answers the portal's
// own page in its language (404, HTML, the portal's stylesheet, a link back), and a
// page opened with a method it does not serve answers 405 the same way.
func TestNotFoundPage(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	for _, tc := range []struct {
		path, lang, want string
		status           int
	}{
		{"/privasi/tidak-ada", "id", "Halaman tidak ditemukan", http.StatusNotFound},
		{"/privacy/no/such/page", "en", "Page not found", http.StatusNotFound},
		{"/privasi/persetujuan", "id", "tidak dapat dibuka dengan cara itu", http.StatusMethodNotAllowed},
	} {
		resp, err := c.hc.Get(e.srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.WriteString(string(buf[:n]))
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		page := b.String()
		base := map[string]string{"id": "/privasi/", "en": "/privacy/"}[tc.lang]
		if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(page, `<html lang="`+tc.lang+`">`) || !strings.Contains(page, tc.want) ||
			!strings.Contains(page, `href="`+base+`static/style.css"`) || !strings.Contains(page, `href="`+base+`"`) {
			t.Fatalf("%s: %d %s\n%s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), page)
		}
	}
}
