package portal_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// section returns the text a reader sees (tags dropped, entities decoded, spaces
// folded) of the element of page whose id is id, up to the end of its table.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("page has no #%s", id)
	}
	rest := page[i:]
	if j := strings.Index(rest, "</table>"); j >= 0 {
		rest = rest[:j]
	}
	return visible(rest)
}

// visible is the text of an HTML fragment without its markup.
func visible(s string) string {
	return spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(s, " ")), " ")
}

var optionRE = regexp.MustCompile(`<option value="([^"]*)">([^<]*)</option>`)

// TestFieldLabels: the portal names the customer's fields by their labels in the
// page's language (UU PDP Art 32, R-16) — in the data table, in the access history's
// fields and in the correction form, whose option values stay the machine names — and
// never by a schema key; the downloads keep the machine keys.
func TestFieldLabels(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email)})
	if err != nil {
		t.Fatal(err)
	}
	// Staff read the name: the history must say which data, in words.
	sup := &jaga.Actor{ID: "act_support1", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}
	if _, err := e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: sup, Purpose: jaga.PurposeCustomerSupport}, Subject: recs[0].Subject, Fields: []string{"full_name"}}); err != nil {
		t.Fatal(err)
	}
	keys := jaga.DefaultSchema().Names()
	for _, tc := range []struct{ path, name, wine, city string }{
		{"/privasi/saya", "Nama lengkap", "Belanja anggur (2 tahun terakhir)", "Kota/kabupaten domisili"},
		{"/privacy/me", "Full name", "Spent on wine (last 2 years)", "City or regency of residence"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			st, page, _ := c.get(tc.path)
			if st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			data := section(t, page, "my-data")
			for _, want := range []string{tc.name, tc.wine, tc.city, e.name} {
				if !strings.Contains(data, want) {
					t.Errorf("my data lacks %q:\n%s", want, data)
				}
			}
			hist := section(t, page, "history-table")
			if !strings.Contains(hist, tc.name) {
				t.Errorf("the access history does not name the field read as %q:\n%s", tc.name, hist)
			}
			// No schema key anywhere a customer reads (snake_case ones cannot be words).
			text := visible(page)
			for _, k := range keys {
				if strings.Contains(k, "_") && strings.Contains(text, k) {
					t.Errorf("the page shows the schema key %s", k)
				}
			}
			opts := map[string]string{}
			for _, m := range optionRE.FindAllStringSubmatch(page, -1) {
				opts[m[1]] = html.UnescapeString(m[2])
			}
			if len(opts) != len(keys) || opts["full_name"] != tc.name || opts["mnt_wines"] != tc.wine {
				t.Errorf("correction form options: %v", opts)
			}
		})
	}
	t.Run("CorrectionByName", func(t *testing.T) {
		_, _, tok := c.get("/privacy/me")
		if st, loc, body := c.post("/privacy/request", url.Values{"csrf": {tok}, "type": {"rectify"}, "field": {"domicile_city"}, "value": {"Kota Medan"}}); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/privacy/me?ok=") {
			t.Fatalf("correction: %d %s %s", st, loc, body)
		}
		reqs, err := e.desk.List(ctx, jaga.DSRFilter{Subject: recs[0].Subject, Type: jaga.DSRRectify})
		if err != nil || len(reqs) != 1 {
			t.Fatalf("correction requests: %v %d", err, len(reqs))
		}
	})
	t.Run("DownloadsKeepKeys", func(t *testing.T) {
		_, js, _ := c.get("/privasi/unduh/data.json")
		_, csv, _ := c.get("/privacy/download/data.csv")
		if !strings.Contains(js, `"full_name"`) || strings.Contains(js, "Nama lengkap") || !strings.Contains(csv, "\nfield,full_name,") || strings.Contains(csv, "Full name") {
			t.Fatal("a download names fields by label instead of key")
		}
	})
}

// TestConfigFieldLabels: a company's own attribute without labels is shown by its
// name, one with labels by the label of the page's language.
func TestConfigFieldLabels(t *testing.T) {
	schema, err := jaga.DefaultSchema().Extend([]jaga.FieldSpec{
		{Name: "loyalty_tier", Kind: jaga.KindAttribute, Class: jaga.ClassGeneral, Type: jaga.TypeText, MaxLen: 20},
		{Name: "store_branch", Kind: jaga.KindAttribute, Class: jaga.ClassGeneral, Type: jaga.TypeText, MaxLen: 40,
			Labels: map[string]string{"id": "Cabang toko langganan", "en": "Usual store branch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := mustEnvSchema(t, schema)
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.g.Update(ctx, gate.UpdateRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Subject: recs[0].Subject,
		Set: map[string]string{"loyalty_tier": "emas", "store_branch": "Medan Plaza"}}); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.signIn(e.email)
	for path, want := range map[string][]string{
		"/privasi/saya": {"loyalty_tier emas", "Cabang toko langganan Medan Plaza", "Nama lengkap"},
		"/privacy/me":   {"loyalty_tier emas", "Usual store branch Medan Plaza", "Full name"},
	} {
		_, page, _ := c.get(path)
		data := section(t, page, "my-data")
		for _, w := range want {
			if !strings.Contains(data, w) {
				t.Errorf("%s: my data lacks %q:\n%s", path, w, data)
			}
		}
		if strings.Contains(data, "store_branch") {
			t.Errorf("%s shows the key of a labelled field", path)
		}
	}
}

// TestHistoryAndRequestWords: the access history's decisions and the request table's
// types and statuses are words in the page's language, not codes (allow, restrict,
// received).
func TestHistoryAndRequestWords(t *testing.T) {
	e := mustEnv(t)
	c := e.client(t)
	c.signIn(e.email)
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email)})
	if err != nil || len(recs) != 1 {
		t.Fatal(err)
	}
	_, _, tok := c.get("/privasi/saya")
	if st, _, body := c.post("/privasi/permintaan", url.Values{"csrf": {tok}, "type": {"restrict"}}); st != http.StatusSeeOther {
		t.Fatalf("restrict request: %d %s", st, body)
	}
	for _, tc := range []struct{ path, allowed, kind, status string }{
		{"/privasi/saya", "diizinkan", "pembatasan pemrosesan", "diterima"},
		{"/privacy/me", "allowed", "restriction of processing", "received"},
	} {
		_, page, _ := c.get(tc.path)
		if hist := section(t, page, "history-table"); !strings.Contains(hist, tc.allowed) || strings.Contains(hist, " allow ") {
			t.Errorf("%s: history decisions not in words:\n%s", tc.path, hist)
		}
		reqs := section(t, page, "request-table")
		if !strings.Contains(reqs, tc.kind) || !strings.Contains(reqs, tc.status) || strings.Contains(reqs, " restrict ") {
			t.Errorf("%s: request table %q, want %q and %q", tc.path, reqs, tc.kind, tc.status)
		}
	}
}
