package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jaga"
	"jaga/intake"
	"jaga/sqlstore/sqlite"
)

// part is one part of a multipart/form-data body; a File name makes it a file part.
type part struct{ Name, Value, File string }

// multipartBody encodes parts as multipart/form-data and returns the body and its
// Content-Type (with the boundary).
func multipartBody(t *testing.T, parts ...part) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var err error
		if p.File != "" {
			w, e := mw.CreateFormFile(p.Name, p.File)
			if e == nil {
				_, e = w.Write([]byte(p.Value))
			}
			err = e
		} else {
			err = mw.WriteField(p.Name, p.Value)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), mw.FormDataContentType()
}

// quarantineRows counts the quarantined rows of every status.
func quarantineRows(t *testing.T, st *sqlite.DB) int {
	t.Helper()
	var n int
	err := st.View(context.Background(), func(tx jaga.Tx) error {
		rows, err := tx.Quarantined(context.Background(), jaga.QuarantineFilter{Limit: 100000})
		n = len(rows)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMultipartForm: a multipart/form-data post (curl -F) is read like a form-urlencoded
// one: the same answer for the same row, unknown and repeated fields 422 naming them,
// a file part 422 naming it, a body over 64 KiB 413, and nothing stored on a refusal.
func TestMultipartForm(t *testing.T) {
	g, keys, st := mustGate(t)
	mux := http.NewServeMux()
	intake.New(intake.Config{Gate: g}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const form = "application/x-www-form-urlencoded"

	t.Run("OK", func(t *testing.T) {
		body, ct := multipartBody(t, part{Name: "full_name", Value: "Sari Dewi"}, part{Name: "email", Value: "mp@example.org"},
			part{Name: "consent_cross_selling", Value: "on"})
		status, b := postForm(t, srv.URL, ct, body, nil)
		var out intake.PostResponse
		if err := json.Unmarshal(b, &out); err != nil || status != http.StatusAccepted || out.Status != "received" || !out.Consents["cross_selling"].Counts {
			t.Fatalf("status %d %s; want 202 received with cross_selling counting", status, b)
		}
		ids := subjectByEmail(t, keys, st, "mp@example.org")
		if len(ids) != 1 || !current(t, st, ids[0], "cross_selling").Counts() {
			t.Fatalf("%d subjects with the e-mail, or the consent does not count", len(ids))
		}
		body, ct = multipartBody(t, part{Name: "full_name", Value: "Budi Santoso"}, part{Name: "email", Value: "mp2@example.org"})
		if status, b := postForm(t, srv.URL, ct, body, map[string]string{"Accept": "text/html"}); status != http.StatusOK || !strings.Contains(string(b), "Terima kasih") {
			t.Fatalf("HTML answer %d %s", status, b)
		}
	})
	t.Run("SameAsURLEncoded", func(t *testing.T) {
		// A quarantined row (bad e-mail, no phone): both encodings give the same answer.
		_, want := postForm(t, srv.URL, form, "full_name=Xena+Bad&email=xena-bad&consent_service_improvement=yes", nil)
		body, ct := multipartBody(t, part{Name: "full_name", Value: "Xena Bad"}, part{Name: "email", Value: "xena-bad"},
			part{Name: "consent_service_improvement", Value: "yes"})
		status, got := postForm(t, srv.URL, ct, body, nil)
		if status != http.StatusAccepted || !bytes.Equal(got, want) || !strings.Contains(string(got), `"quarantined"`) {
			t.Fatalf("multipart %d %s\nurlencoded %s", status, got, want)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		before := quarantineRows(t, st)
		for _, tc := range []struct {
			name  string
			parts []part
			want  int
			field string
			msg   string
		}{
			{"ErrUnknownField", []part{{Name: "full_name", Value: "Sari"}, {Name: "email", Value: "refused@example.org"}, {Name: "evil", Value: "1"}}, 422, "evil", "form daftar has no such field"},
			{"ErrRepeated", []part{{Name: "full_name", Value: "Sari"}, {Name: "email", Value: "refused@example.org"}, {Name: "email", Value: "x@example.org"}}, 422, "email", "given more than once"},
			{"ErrBadAnswer", []part{{Name: "full_name", Value: "Sari"}, {Name: "email", Value: "refused@example.org"}, {Name: "consent_cross_selling", Value: "maybe"}}, 422, "consent_cross_selling", "consent answer"},
			{"ErrFilePart", []part{{Name: "full_name", Value: "Sari"}, {Name: "email", Value: "refused@example.org"}, {Name: "domicile_city", Value: "Bandung", File: "kota.txt"}}, 422, "domicile_city", "file uploads are not accepted"},
			{"ErrFileOnly", []part{{Name: "cv", Value: "%PDF-1.7", File: "cv.pdf"}}, 422, "cv", "file uploads are not accepted"},
			{"ErrTooLarge", []part{{Name: "full_name", Value: strings.Repeat("a", 70<<10)}, {Name: "email", Value: "refused@example.org"}}, 413, "", "larger than"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body, ct := multipartBody(t, tc.parts...)
				status, b := postForm(t, srv.URL, ct, body, nil)
				if status != tc.want || !strings.Contains(string(b), tc.msg) || (tc.field != "" && !strings.Contains(string(b), `"field":"`+tc.field+`"`)) {
					t.Fatalf("status %d %s; want %d naming %q, saying %q", status, b, tc.want, tc.field, tc.msg)
				}
			})
		}
		// The same over-long body form-urlencoded gets the same status.
		if status, b := postForm(t, srv.URL, form, "full_name="+strings.Repeat("a", 70<<10)+"&email=refused%40example.org", nil); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("urlencoded over the limit: %d %s", status, b)
		}
		if n := quarantineRows(t, st); n != before {
			t.Fatalf("%d quarantined rows after refused posts, %d before", n, before)
		}
		if ids := subjectByEmail(t, keys, st, "refused@example.org"); len(ids) != 0 {
			t.Fatal("a refused post stored a subject")
		}
	})
}

// TestInvalidUTF8: a JSON, form-urlencoded or multipart post holding bytes that are not
// UTF-8 is 400 with the wording of /v1/subjects, and nothing is stored (no row
// quarantined with U+FFFD in place of the bytes).
func TestInvalidUTF8(t *testing.T) {
	g, keys, st := mustGate(t)
	mux := http.NewServeMux()
	intake.New(intake.Config{Gate: g}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mpValue, mpCT := multipartBody(t, part{Name: "full_name", Value: "Sari \xff Dewi"}, part{Name: "email", Value: "utf@example.org"})
	mpName, mpCT2 := multipartBody(t, part{Name: "full_name", Value: "Sari Dewi"}, part{Name: "email", Value: "utf@example.org"}, part{Name: "kota\xff", Value: "x"})
	before := quarantineRows(t, st)
	for _, tc := range []struct{ name, ctype, body string }{
		{"JSON", "application/json", `{"fields":{"full_name":"Sari ` + "\xff" + ` Dewi","email":"utf@example.org"}}`},
		{"JSONConsentKey", "application/json", `{"fields":{"full_name":"Sari Dewi","email":"utf@example.org"},"consents":{"cross_selling":"ya` + "\xc3" + `"}}`},
		{"URLEncoded", "application/x-www-form-urlencoded", "full_name=Sari+%FF+Dewi&email=utf%40example.org"},
		{"URLEncodedName", "application/x-www-form-urlencoded", "full_name=Sari+Dewi&email=utf%40example.org&kota%C3=x"},
		{"Multipart", mpCT, mpValue},
		{"MultipartName", mpCT2, mpName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/intake/forms/daftar", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var p struct{ Type, Detail string }
			_ = json.NewDecoder(res.Body).Decode(&p)
			if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" ||
				p.Type != "urn:jaga:problem:invalid" || p.Detail != "the body is not valid UTF-8" {
				t.Fatalf("status %d %s %+v; want 400 problem \"the body is not valid UTF-8\"", res.StatusCode, res.Header.Get("Content-Type"), p)
			}
		})
	}
	if n := quarantineRows(t, st); n != before {
		t.Fatalf("%d quarantined rows after refused posts, %d before", n, before)
	}
	if ids := subjectByEmail(t, keys, st, "utf@example.org"); len(ids) != 0 {
		t.Fatal("a refused post stored a subject")
	}
}
