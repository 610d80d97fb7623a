package intake_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jaga/gate"
	"jaga/intake"
	"jaga/internal/vaulttest"
	"jaga/notify"
	"jaga/notify/smtptest"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
)

// signupEnv is a vault, a real in-process SMTP server and the intake routes on loopback.
type signupEnv struct {
	g    *gate.Gate
	keys *seal.Keyring
	st   *sqlite.DB
	ss   *smtptest.Server
	srv  *httptest.Server
}

func newSignupEnv(t *testing.T) *signupEnv {
	t.Helper()
	v := vaulttest.New(t, vaulttest.Options{})
	e := &signupEnv{g: v.Gate, keys: v.Keys, st: v.Store, ss: smtptest.Start(t)}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	intake.New(intake.Config{Gate: e.g, BaseURL: e.srv.URL, Mailer: &notify.SMTP{Host: e.ss.Host, Port: e.ss.Port, From: "jaga@example.com"}}).Register(mux)
	return e
}

// signUp posts the newsletter form for email and returns the link of the mail it got.
func (e *signupEnv) signUp(t *testing.T, email string) string {
	t.Helper()
	res, err := http.Post(e.srv.URL+"/v1/intake/forms/newsletter", "application/x-www-form-urlencoded",
		strings.NewReader("full_name=Sari+Dewi&email="+url.QueryEscape(email)+"&consent_cross_selling=yes"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("sign-up: %d", res.StatusCode)
	}
	for _, m := range e.ss.Messages() {
		if len(m.To) == 1 && m.To[0] == email {
			if strings.Contains(m.Data, "Klik") || !strings.Contains(m.Data, "Konfirmasi") {
				t.Fatalf("the mail does not ask to press Konfirmasi on the page:\n%s", m.Data)
			}
			if l := regexp.MustCompile(`http://\S+/v1/intake/confirm/[A-Za-z0-9_-]+`).FindString(m.Data); l != "" {
				return l
			}
		}
	}
	t.Fatalf("no confirmation mail to the address")
	return ""
}

// call sends method to link with the headers and returns the status, Content-Type and body.
func call(t *testing.T, method, link string, hdr map[string]string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, link, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

// TestConfirmPage: the link's GET shows an HTML page (Bahasa, then English, no address)
// whose one button POSTs to the same URL, and confirms nothing however often it is
// fetched; a POST from another origin is 403 and confirms nothing; a POST from this
// server's page confirms and thanks (HTML), or answers JSON to Accept: application/json;
// a used or unknown link is 404 as an HTML page.
func TestConfirmPage(t *testing.T) {
	e := newSignupEnv(t)
	const email = "sari.confirm@example.com"
	link := e.signUp(t, email)
	path := strings.TrimPrefix(link, e.srv.URL)
	pending := func(t *testing.T) {
		t.Helper()
		if ids := subjectByEmail(t, e.keys, e.st, email); len(ids) != 0 {
			t.Fatal("the sign-up was confirmed")
		}
	}

	t.Run("GetAsks", func(t *testing.T) {
		for range 3 { // a scanner, a previewer, the person
			status, ct, page := call(t, "GET", link, map[string]string{"Accept": "application/json"})
			if status != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("GET: %d %s", status, ct)
			}
			for _, want := range []string{`lang="id"`, `<form method="post" action="` + path + `">`, "Konfirmasi", "Confirm", "Tekan tombol", "Press the button"} {
				if !strings.Contains(page, want) {
					t.Fatalf("page lacks %q:\n%s", want, page)
				}
			}
			if strings.Index(page, "Tekan tombol") > strings.Index(page, "Press the button") {
				t.Fatal("English before Bahasa Indonesia")
			}
			if strings.Contains(page, "sari") || strings.Contains(page, "example.com") {
				t.Fatalf("the page shows personal data:\n%s", page)
			}
			pending(t)
		}
	})
	t.Run("ErrForeignOrigin", func(t *testing.T) {
		for _, hdr := range []map[string]string{
			{"Origin": "https://evil.example", "Accept": "application/json"},
			{"Origin": "null"},
			{"Origin": strings.Replace(e.srv.URL, "http://", "https://", 1)},
			{"Referer": "https://evil.example/mail?x=1"},
			{"Origin": "https://evil.example", "Referer": link},
		} {
			status, ct, body := call(t, "POST", link, hdr)
			wantCT := "text/html; charset=utf-8"
			if hdr["Accept"] == "application/json" {
				wantCT = "application/problem+json"
			}
			if status != http.StatusForbidden || ct != wantCT {
				t.Fatalf("%v: %d %s %s; want 403 %s", hdr, status, ct, body, wantCT)
			}
			pending(t)
		}
		if status, _, _ := call(t, "GET", link, nil); status != http.StatusOK {
			t.Fatalf("the link no longer works after refused posts: %d", status)
		}
	})
	t.Run("PostConfirmsHTML", func(t *testing.T) {
		// As a browser posts the page's form: Origin and Referer of this server.
		status, ct, page := call(t, "POST", link, map[string]string{"Origin": e.srv.URL, "Referer": link, "Accept": "text/html,*/*;q=0.8"})
		if status != http.StatusOK || !strings.HasPrefix(ct, "text/html") || !strings.Contains(page, "Terima kasih") ||
			!strings.Contains(page, "Thank you") || !strings.Contains(page, "DOI-") || strings.Contains(page, "sari") {
			t.Fatalf("POST: %d %s\n%s", status, ct, page)
		}
		ids := subjectByEmail(t, e.keys, e.st, email)
		if len(ids) != 1 || !current(t, e.st, ids[0], "cross_selling").Counts() {
			t.Fatalf("%d subjects after the POST, or the consent does not count", len(ids))
		}
	})
	t.Run("ErrUsed", func(t *testing.T) {
		if status, ct, page := call(t, "GET", link, nil); status != http.StatusNotFound || !strings.HasPrefix(ct, "text/html") || !strings.Contains(page, "unknown, used or expired") {
			t.Fatalf("GET of a used link: %d %s %s", status, ct, page)
		}
		if status, ct, _ := call(t, "POST", link, map[string]string{"Origin": e.srv.URL}); status != http.StatusNotFound || !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("POST of a used link: %d %s", status, ct)
		}
		if status, ct, _ := call(t, "POST", link, map[string]string{"Accept": "application/json"}); status != http.StatusNotFound || ct != "application/problem+json" {
			t.Fatalf("JSON POST of a used link: %d %s", status, ct)
		}
		if status, _, page := call(t, "GET", e.srv.URL+"/v1/intake/confirm/nope", nil); status != http.StatusNotFound || strings.Contains(page, "<form") {
			t.Fatalf("GET of an unknown link: %d", status)
		}
	})
	t.Run("PostConfirmsJSON", func(t *testing.T) {
		const email = "sari.json@example.com"
		link := e.signUp(t, email)
		status, ct, body := call(t, "POST", link, map[string]string{"Accept": "application/json"}) // no Origin: not a browser
		if status != http.StatusOK || ct != "application/json" || !regexp.MustCompile(`^\{"evidence":"DOI-\d{8}-\d{6}","status":"confirmed"\}\n$`).MatchString(body) {
			t.Fatalf("POST: %d %s %s", status, ct, body)
		}
		if ids := subjectByEmail(t, e.keys, e.st, email); len(ids) != 1 {
			t.Fatalf("%d subjects", len(ids))
		}
	})
}

// TestConfirmBrowser follows a mailed link in headless Chromium and presses the button:
// the real browser's POST (its own Origin, under the page's CSP and Referrer-Policy)
// confirms the sign-up, which the page's GET alone did not.
func TestConfirmBrowser(t *testing.T) {
	exe, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it with apt-get install chromium")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	e := newSignupEnv(t)
	const email = "sari.browser@example.com"
	link := e.signUp(t, email)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("confirm"))); err != nil {
		t.Fatal(err)
	}
	if ids := subjectByEmail(t, e.keys, e.st, email); len(ids) != 0 {
		t.Fatal("opening the link confirmed the sign-up")
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("confirm")), chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
		t.Fatal(err)
	}
	done, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("done")))
	if err != nil || !strings.Contains(done, "Terima kasih") {
		t.Fatalf("after the button: %q %v", done, err)
	}
	ids := subjectByEmail(t, e.keys, e.st, email)
	if len(ids) != 1 || !current(t, e.st, ids[0], "cross_selling").Counts() {
		t.Fatalf("%d subjects after the button, or the consent does not count", len(ids))
	}
}
