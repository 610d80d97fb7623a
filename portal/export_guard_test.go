package portal_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestExportOddValues: a customer whose address is a spreadsheet formula with a URL and
// whose city is one too gets the portal page and both downloads (a URL identifies no
// one, so the export guard lets it through), and the CSV cells are escaped so that a
// spreadsheet shows them as text (OWASP CSV injection). An NPWP typed into the address
// blocks the downloads: the portal answers 403 saying staff must review it and files one
// access request, never a 500; the page itself is shown with the NPWP masked.
func TestExportOddValues(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	svc := gate.Request{Actor: &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}, Purpose: jaga.PurposeServiceProvision}
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: svc, Field: "email", Value: jaga.Redact(e.email)})
	if err != nil || len(recs) != 1 {
		t.Fatalf("find: %v, %d", err, len(recs))
	}
	sub := recs[0].Subject
	const formula = `=HYPERLINK("http://evil.example/x","x")`
	if err := e.g.Update(ctx, gate.UpdateRequest{Request: svc, Subject: sub, Set: map[string]string{"address": formula, "domicile_city": "@SUM(A1)"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/privasi/saya", "/privasi/unduh/data.json", "/privasi/unduh/data.csv"} {
		if st, body, _ := c.get(p); st != http.StatusOK {
			t.Fatalf("%s: %d %s", p, st, body[:min(300, len(body))])
		}
	}
	_, body, _ := c.get("/privasi/unduh/data.csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
		if r[0] == "field" {
			got[r[1]] = r[2]
		}
	}
	if got["address"] != "'"+formula || got["domicile_city"] != "'@SUM(A1)" {
		t.Fatalf("escaped cells: address %q, city %q", got["address"], got["domicile_city"])
	}

	t.Run("Blocked", func(t *testing.T) {
		if err := e.g.Update(ctx, gate.UpdateRequest{Request: svc, Subject: sub, Set: map[string]string{"address": "Jl. Asia Afrika 8, NPWP 01.312.166.0-091.000"}}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/privasi/saya", "/privacy/me"} {
			// The page is the owner's right of access (UU PDP Art 32): shown, the NPWP masked.
			st, body, _ := c.get(p)
			if st != http.StatusOK || strings.Contains(body, "01.312") || !strings.Contains(body, `id="masked-note"`) {
				t.Fatalf("%s: %d %s; want the page with the NPWP masked", p, st, body)
			}
		}
		for _, p := range []string{"/privasi/unduh/data.json", "/privasi/unduh/data.csv", "/privacy/download/data.csv"} {
			st, body, _ := c.get(p)
			if st != http.StatusForbidden || strings.Contains(body, "01.312") ||
				!(strings.Contains(body, "ditinjau petugas") || strings.Contains(body, "staff must review")) || !strings.Contains(body, "dsr_") {
				t.Fatalf("%s: %d %s; want 403 naming the review and the request", p, st, body)
			}
		}
		var open []*jaga.DSR
		if err := e.store.View(ctx, func(tx jaga.Tx) error {
			var err error
			open, err = tx.DSRs(ctx, jaga.DSRFilter{Subject: sub, Type: jaga.DSRAccess, Open: true})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(open) != 1 {
			t.Fatalf("%d open access requests; want one, filed once", len(open))
		}
	})
}
