package portal_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/demodata"
	"jaga/dsr"
	"jaga/gate"
	"jaga/importer"
	"jaga/internal/vaulttest"
	"jaga/notify"
	"jaga/notify/smtptest"
	"jaga/portal"
	"jaga/sqlstore/sqlite"
)

var ctx = context.Background()

// clock is a settable jaga.Clock (starts at the real time).
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time                  { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().UTC().Add(c.off) }
func (c *clock) Advance(d time.Duration)         { c.mu.Lock(); c.off += d; c.mu.Unlock() }
func (c *clock) since(t time.Time) time.Duration { return c.Now().Sub(t) }

// env is a vault with the first demo customers, the desk, the portal on a loopback TLS
// server and a real SMTP server that receives the codes.
type env struct {
	g      *gate.Gate
	store  *sqlite.DB
	desk   *dsr.Desk
	portal *portal.Portal
	srv    *httptest.Server
	smtp   *smtptest.Server
	clock  *clock
	dpo    *jaga.Actor
	// customer is the first bundled customer: e-mail and a consent to cross_selling.
	email, phone, name string
	// logs is everything the portal logged (debug level and up).
	logs *logBuffer
}

// logBuffer is a bytes.Buffer safe for the portal's concurrent handlers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// demoCustomers is the header and the first n rows of the bundled customers.
func demoCustomers(n int) []byte {
	lines := bytes.SplitAfterN(demodata.CustomersCSV, []byte("\n"), n+2)
	return bytes.Join(lines[:n+1], nil)
}

func mustEnv(t *testing.T) *env {
	t.Helper()
	return mustEnvSchema(t, nil)
}

// mustEnvSchema is mustEnv with the vault's schema (nil: the default one).
func mustEnvSchema(t *testing.T, schema *jaga.Schema) *env {
	t.Helper()
	c := &clock{}
	v := vaulttest.New(t, vaulttest.Options{Gate: gate.Config{Clock: c, Schema: schema}})
	g, st, keys := v.Gate, v.Store, v.Keys
	data := demoCustomers(30)
	rep, err := importer.Import(ctx, g, demodata.CustomersName, bytes.NewReader(data), int64(len(data)),
		importer.Options{Actor: &jaga.Actor{ID: "act_cli", Kind: jaga.ActorSystem, Role: jaga.RoleService}, DeriveBirthDate: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created == 0 {
		t.Fatalf("import: %+v", rep)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{g: g, store: st, clock: c, smtp: smtptest.Start(t), name: rows[1][1], email: rows[1][3], phone: rows[1][4],
		dpo: &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}}
	if rows[0][3] != "email" || rows[1][11] != "Y" {
		t.Fatalf("demo data changed shape: %v / %v", rows[0], rows[1])
	}
	sender := notify.Sender{Mailer: &notify.SMTP{Host: e.smtp.Host, Port: e.smtp.Port, From: "privasi@toko.example"}}
	if e.desk, err = dsr.New(dsr.Config{Vault: dsr.GateVault{Gate: g, Store: st}, Clock: c, Notifier: sender}); err != nil {
		t.Fatal(err)
	}
	e.logs = &logBuffer{}
	e.portal, err = portal.New(portal.Config{Vault: portal.GateVault{Gate: g, Store: st}, Desk: e.desk, Key: keys.PortalKey(), Sender: sender, Clock: c,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.portal.Register(mux)
	e.srv = httptest.NewTLSServer(mux)
	t.Cleanup(func() { e.srv.Close(); e.portal.Wait() }) // before the vault closes
	return e
}

// client is a browser-like HTTP client with a cookie jar that does not follow redirects.
type client struct {
	t   *testing.T
	e   *env
	hc  *http.Client
	jar *cookiejar.Jar
}

func (e *env) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	hc := *e.srv.Client() // a copy: each client has its own jar
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{t: t, e: e, hc: &hc, jar: jar}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path and returns status, body and the page's first CSRF token.
func (c *client) get(path string) (int, string, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.e.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	tok := ""
	if m := csrfRE.FindStringSubmatch(b.String()); m != nil {
		tok = m[1]
	}
	return resp.StatusCode, b.String(), tok
}

// post posts a form and returns status, Location and body.
func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.e.srv.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), b.String()
}

var codeRE = regexp.MustCompile(`: (\d{6})\r?\n`)

// waitCode waits for the code mailed to addr after since messages.
func (e *env) waitCode(t *testing.T, addr string, since int) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		msgs := e.smtp.Messages()
		for i := len(msgs) - 1; i >= since; i-- {
			if len(msgs[i].To) == 1 && strings.EqualFold(msgs[i].To[0], addr) {
				if m := codeRE.FindStringSubmatch(msgs[i].Data); m != nil {
					return m[1]
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no code mailed to the customer (%d messages)", len(e.smtp.Messages()))
	return ""
}

// requestCode asks for a sign-in code for addr and returns the form's CSRF token, the
// code mailed and a wrong code.
func (c *client) requestCode(addr string) (tok, code, wrong string) {
	c.t.Helper()
	_, _, tok = c.get("/privasi/")
	n := len(c.e.smtp.Messages())
	c.post("/privasi/masuk", url.Values{"csrf": {tok}, "address": {addr}})
	code = c.e.waitCode(c.t, addr, n)
	wrong = "000000"
	if code == wrong {
		wrong = "111111"
	}
	return tok, code, wrong
}

// signIn signs c in as addr and returns the /privasi/saya page.
func (c *client) signIn(addr string) string {
	c.t.Helper()
	_, _, tok := c.get("/privasi/")
	n := len(c.e.smtp.Messages())
	if st, loc, _ := c.post("/privasi/masuk", url.Values{"csrf": {tok}, "address": {addr}}); st != http.StatusSeeOther || loc != "/privasi/kode" {
		c.t.Fatalf("sign-in: %d %s", st, loc)
	}
	code := c.e.waitCode(c.t, addr, n)
	_, _, tok = c.get("/privasi/kode")
	if st, loc, body := c.post("/privasi/kode", url.Values{"csrf": {tok}, "code": {code}}); st != http.StatusSeeOther || loc != "/privasi/saya" {
		c.t.Fatalf("code: %d %s %s", st, loc, body)
	}
	st, body, _ := c.get("/privasi/saya")
	if st != http.StatusOK {
		c.t.Fatalf("my page: %d", st)
	}
	return body
}
