// Package portal is the customers' privacy portal (UU PDP Arts 5-13): server-rendered
// pages under /privasi/ (Bahasa Indonesia, the default) and /privacy/ (English) where a
// customer signs in with a one-time code sent to the e-mail or phone Jaga holds, sees
// their data, their consents (and changes them per purpose), who used their data and
// why, downloads it (JSON against a published JSON Schema, and CSV; R-23), and asks
// for correction, erasure, restriction or objection to automated decisions.
//
// Pages work without JavaScript, label every control and keep WCAG AA contrast. Every
// form carries a CSRF token; cookies are HMAC-signed, HttpOnly, Secure and
// SameSite=Lax. Every read of personal data goes through the gate as the subject
// (jaga.SubjectActor) under purpose dsr.
//
// portal imports the root package, gate, dsr, notify and the standard library.
package portal

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/notify"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Config configures a Portal. Vault, Desk, Key (at least 32 bytes) and Sender are
// required.
type Config struct {
	Vault Vault
	Desk  *dsr.Desk
	// Key is the MAC key of cookies, CSRF tokens and code MACs (seal.Keyring.PortalKey).
	Key []byte
	// Sender delivers sign-in codes by e-mail, else by text.
	Sender notify.Sender
	Clock  jaga.Clock
	Logger *slog.Logger
	// CodeTTL is how long a sign-in code is valid (default 10 min).
	CodeTTL time.Duration
	// SessionTTL is how long a session lasts (default 30 min).
	SessionTTL time.Duration
	// MaxAttempts is the number of wrong codes after which a challenge is locked (default 5).
	MaxAttempts int
}

// Portal serves the privacy portal.
type Portal struct {
	cfg   Config
	key   []byte
	log   *slog.Logger
	pages map[string]*template.Template
	limit limiter
	// sends counts asynchronous code deliveries in flight (Wait, for tests and shutdown).
	sends sync.WaitGroup
}

// New checks cfg and parses the embedded templates.
func New(cfg Config) (*Portal, error) {
	if cfg.Vault == nil || cfg.Desk == nil {
		return nil, errors.New("portal: Vault and Desk are required")
	}
	if len(cfg.Key) < 32 {
		return nil, errors.New("portal: Key must be at least 32 bytes")
	}
	if cfg.Clock == nil {
		cfg.Clock = jaga.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.CodeTTL <= 0 {
		cfg.CodeTTL = 10 * time.Minute
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 30 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	p := &Portal{cfg: cfg, key: cfg.Key, log: cfg.Logger, pages: map[string]*template.Template{}}
	p.limit.m = map[string][]time.Time{}
	funcs := template.FuncMap{"t": func(l *lang, k string) string { return l.t(k) }}
	for _, page := range []string{"signin", "code", "me", "message"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		p.pages[page] = t
	}
	return p, nil
}

func (p *Portal) now() time.Time { return p.cfg.Clock.Now().UTC() }

// Wait waits for code deliveries in flight.
func (p *Portal) Wait() { p.sends.Wait() }

// Register adds the portal's routes under /privasi/ and /privacy/ to mux.
func (p *Portal) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(assets, "static")
	for _, l := range langs {
		l := l
		base := l.base
		mux.HandleFunc("GET "+base+"{$}", p.with(l, p.signinPage))
		mux.HandleFunc("POST "+base+l.path["signin"], p.with(l, p.signin))
		mux.HandleFunc("GET "+base+l.path["code"], p.with(l, p.codePage))
		mux.HandleFunc("POST "+base+l.path["code"], p.with(l, p.checkCode))
		mux.HandleFunc("GET "+base+l.path["me"], p.with(l, p.me))
		mux.HandleFunc("POST "+base+l.path["consent"], p.with(l, p.consent))
		mux.HandleFunc("POST "+base+l.path["request"], p.with(l, p.request))
		mux.HandleFunc("GET "+base+l.path["json"], p.with(l, p.downloadJSON))
		mux.HandleFunc("GET "+base+l.path["csv"], p.with(l, p.downloadCSV))
		mux.HandleFunc("POST "+base+l.path["signout"], p.with(l, p.signout))
		mux.HandleFunc("GET "+base+"schema/export-v1.json", serveSchema)
		mux.Handle("GET "+base+"static/", http.StripPrefix(base+"static/", http.FileServerFS(static)))
		mux.HandleFunc(base, p.with(l, p.notFound(mux, base)))
	}
}

func serveSchema(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(dsr.ExportSchema)
}

// with sets the security headers every page gets and passes the language on.
func (p *Portal) with(l *lang, fn func(w http.ResponseWriter, r *http.Request, l *lang)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		fn(w, r, l)
	}
}

// view is what every template gets.
type view struct {
	L     *lang
	CSRF  string
	Error string
	Info  string
	Data  any
}

func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, page string, l *lang, v view) {
	v.L = l
	if v.CSRF == "" {
		v.CSRF = p.csrfToken(w, r)
	}
	var b strings.Builder
	if err := p.pages[page].Execute(&b, v); err != nil {
		p.log.Error("portal template", "page", page, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// message renders a short page with one message and a link back.
func (p *Portal) message(w http.ResponseWriter, r *http.Request, status int, l *lang, key string) {
	p.render(w, r, status, "message", l, view{Error: l.t(key)})
}

// csrfFailed answers a form without a valid token.
func (p *Portal) csrfFailed(w http.ResponseWriter, r *http.Request, l *lang) {
	p.message(w, r, http.StatusForbidden, l, "err_csrf")
}

func (p *Portal) internal(w http.ResponseWriter, r *http.Request, l *lang, err error) {
	p.log.Error("portal", "route", r.Pattern, "error", err.Error())
	p.message(w, r, http.StatusInternalServerError, l, "err_internal")
}

// limiter counts events per key in a sliding window (in memory, per node).
type limiter struct {
	mu sync.Mutex
	m  map[string][]time.Time
}

// allow records an event for key and reports whether at most max happened in window.
func (l *limiter) allow(key string, max int, window time.Duration, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.m[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= window {
		i++
	}
	ts = append(ts[i:], now)
	l.m[key] = ts
	if len(l.m) > 100000 { // bound memory: drop everything old
		for k, v := range l.m {
			if len(v) == 0 || now.Sub(v[len(v)-1]) >= window {
				delete(l.m, k)
			}
		}
	}
	return len(ts) <= max
}
