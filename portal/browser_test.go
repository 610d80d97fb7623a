package portal_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"jaga"
	"jaga/gate"
)

// chromiumPath finds Debian's chromium. Without it the browser test fails under CI=true
// (.ci/run installs it) and is skipped elsewhere.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it with apt-get install chromium")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping the browser test")
	return ""
}

// artifacts is where screenshots go: $JAGA_ARTIFACTS if set, else
// portal/testdata/artifacts (ignored by git).
func artifacts(t *testing.T) string {
	dir := os.Getenv("JAGA_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startChromium starts headless Chromium with a phone-sized window, trusting the test
// server's own certificate, and returns its context (90 s, ended with the test).
func startChromium(t *testing.T) context.Context {
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("ignore-certificate-errors", true), // the test server's own certificate
		chromedp.WindowSize(412, 915),                    // a phone
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium's sandbox refuses to run as root
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return bctx
}

// screenshot returns an action that saves a full-page screenshot as out/<name>.png.
func screenshot(out string) func(name string) chromedp.Action[chromedp.Void] {
	return func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(out, name+".png"), buf, 0o644)
		}
	}
}

// TestBrowser walks a bundled customer through the portal in real headless Chromium:
// sign in with the code captured from the SMTP server, view their data, withdraw the
// cross-selling consent, download their data, request erasure; then the DPO fulfils
// the erasure and the customer can no longer sign in. Every page is screenshotted.
func TestBrowser(t *testing.T) {
	bctx := startChromium(t)
	e := mustEnv(t)
	out := artifacts(t)
	downloads := t.TempDir()
	shot := screenshot(out)
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return s
	}
	base := e.srv.URL

	n := len(e.smtp.Messages())
	run("sign-in page", chromedp.Navigate(base+"/privasi/"), chromedp.WaitVisible(chromedp.ID("address")), shot("01-sign-in"),
		chromedp.SendKeys(chromedp.ID("address"), e.email), chromedp.Click(chromedp.ID("send-code")),
		chromedp.WaitVisible(chromedp.ID("code")), shot("02-code"))
	code := e.waitCode(t, e.email, n)

	run("my data", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("my-data")), shot("03-my-data"))
	data := text("my-data")
	if !strings.Contains(data, e.name) || !strings.Contains(data, e.email) {
		t.Fatalf("my data table lacks my name or e-mail")
	}
	if !strings.Contains(data, "Nama lengkap") || !strings.Contains(data, "Belanja anggur (2 tahun terakhir)") || strings.Contains(data, "full_name") {
		t.Fatalf("my data table does not name fields by their Bahasa Indonesia labels:\n%s", data)
	}

	run("withdraw cross-selling", chromedp.Click(chromedp.ID("withdraw-cross_selling")),
		chromedp.WaitVisible(chromedp.ID("give-cross_selling")), shot("04-consent-withdrawn"))
	status := text("status-cross_selling")
	if status != "ditarik" {
		t.Fatalf("cross_selling status %q, want ditarik", status)
	}
	recs, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email)})
	if err != nil {
		t.Fatal(err)
	}
	subject := recs[0].Subject
	mk := &jaga.Actor{ID: "act_marketer", Kind: jaga.ActorStaff, Role: jaga.RoleMarketer}
	if _, err := e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: mk, Purpose: jaga.PurposeCrossSelling}, Subject: subject}); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "consent_withdrawn" {
		t.Fatalf("cross_selling read after withdrawal in the browser: %v", err)
	}

	events := true
	if _, err := chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &events}); err != nil {
		t.Fatal(err)
	}
	progress := chromedp.BrowserEvents(bctx, browser.DownloadProgress)
	run("download", chromedp.ScrollIntoView(chromedp.ID("download-json")), chromedp.Click(chromedp.ID("download-json")))
	var guid string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	run("download shot", shot("05-download"))
	export, err := os.ReadFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	_, schemaDoc, _ := e.client(t).get("/privasi/schema/export-v1.json")
	validateExport(t, []byte(schemaDoc), export)
	if !strings.Contains(string(export), `"access_history"`) || !strings.Contains(string(export), `"action": "consent_change"`) && !strings.Contains(string(export), `"action": "dsr_step"`) {
		t.Fatal("downloaded export lacks the access history of this session")
	}

	run("request erasure", chromedp.ScrollIntoView(chromedp.ID("erase")), chromedp.Click(chromedp.ID("erase-confirm")),
		chromedp.Click(chromedp.ID("erase")), chromedp.WaitVisible(chromedp.ID("info")), shot("06-erasure-requested"))
	info := text("info")
	reqs, err := e.desk.List(ctx, jaga.DSRFilter{Subject: subject, Type: jaga.DSRErase})
	if err != nil || len(reqs) != 1 || !strings.Contains(info, reqs[0].ID) || reqs[0].Channel != jaga.DSRChannelPortal {
		t.Fatalf("erasure request: %v %+v (page says %q)", err, reqs, info)
	}
	if _, err := e.desk.Fulfil(ctx, e.dpo, reqs[0].ID); err != nil {
		t.Fatal(err)
	}

	// After the erasure: the session shows the sign-in page, a new sign-in sends no
	// code, and the gate finds nothing.
	n = len(e.smtp.Messages())
	run("after erasure: my page", chromedp.Navigate(base+"/privasi/saya"), chromedp.WaitVisible(chromedp.ID("address")), shot("07-after-erasure-signed-out"))
	run("after erasure: sign in", chromedp.SendKeys(chromedp.ID("address"), e.email), chromedp.Click(chromedp.ID("send-code")),
		chromedp.WaitVisible(chromedp.ID("code")))
	run("after erasure: a code", chromedp.SendKeys(chromedp.ID("code"), "123456"), chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("error")), shot("08-after-erasure-no-sign-in"))
	if msg := text("error"); !strings.Contains(msg, "Kode salah") {
		t.Fatalf("sign-in after erasure: %q", msg)
	}
	e.portal.Wait()
	for _, m := range e.smtp.Messages()[n:] {
		if strings.Contains(m.Data, "Kode 6 angka:") {
			t.Fatal("a sign-in code was sent to an erased customer")
		}
	}
	if _, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(e.email)}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
		t.Fatalf("look-up after erasure: %v", err)
	}
	tl, err := e.desk.Timeline(ctx, e.dpo, reqs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range tl.Events {
		actions = append(actions, ev.ActorID[:4]+":"+ev.Action)
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "sub_:dsr_step act_:read_request_data act_:erase act_:dsr_step act_:dsr_step") {
		t.Fatalf("timeline %s", got)
	}
	t.Logf("screenshots in %s", out)
}
