// Package server is Jaga's HTTP wiring: one ServeMux with the API (package api) and
// /healthz, the middleware every request passes (request ID, panic recovery, access
// log, security headers), the http.Server's timeouts and graceful shutdown.
//
// The access log names the method, the route pattern (never the raw URL or its query),
// the status, the duration, the request ID and the actor ID: never a body, a header or a
// value (invariant 6). server may import the root package, api, gate, dsr and the
// standard library; it never imports sqlstore or seal.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"jaga/api"
	"jaga/dsr"
	"jaga/gate"
)

// Config is what a Server needs. Gate is required; every other member has a default.
type Config struct {
	Gate *gate.Gate
	// Logger receives the access log and server errors. Default: discard.
	Logger *slog.Logger
	// DisableAccessLog turns the per-request log line (level Info) off.
	DisableAccessLog bool
	// MaxBodyBytes bounds request bodies (default api.DefaultMaxBodyBytes, 64 KiB).
	MaxBodyBytes int64
	// Desk, when set, serves the request desk under /v1/dsr.
	Desk *dsr.Desk
	// Portal, when set, serves the privacy portal under /privasi/ and /privacy/.
	Portal interface{ Register(*http.ServeMux) }
	// ReloadPolicy, if set, serves POST /v1/admin/policy/reload (api.Options).
	ReloadPolicy api.PolicyReloader

	ReadHeaderTimeout time.Duration // default 5s
	ReadTimeout       time.Duration // default 15s
	WriteTimeout      time.Duration // default 30s
	IdleTimeout       time.Duration // default 120s
	MaxHeaderBytes    int           // default 16 KiB
	// Intake, when set, serves the web forms and double opt-in routes (package intake).
	Intake interface{ Register(*http.ServeMux) }
	// Ping, if set, is asked by /healthz on every probe (jaga.Store.Ping of the vault's
	// store), with PingTimeout: an error or no answer in time makes /healthz 503, so a
	// load balancer stops sending requests to a node whose database it cannot reach.
	Ping func(context.Context) error
	// PingTimeout bounds Ping (default 1s).
	PingTimeout time.Duration
	// ShutdownTimeout is how long Serve waits for requests in flight after its context is
	// cancelled before closing their connections (default 15s).
	ShutdownTimeout time.Duration
}

// Server serves Jaga over HTTP.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler http.Handler
	ready   atomic.Bool
}

// New wires the mux, the API and the middleware. It panics if cfg.Gate is nil (a
// programming error).
func New(cfg Config) *Server {
	if cfg.Gate == nil {
		panic("server: Config.Gate is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&cfg.ReadHeaderTimeout, 5*time.Second)
	setDefault(&cfg.ReadTimeout, 15*time.Second)
	setDefault(&cfg.WriteTimeout, 30*time.Second)
	setDefault(&cfg.IdleTimeout, 120*time.Second)
	setDefault(&cfg.ShutdownTimeout, 15*time.Second)
	setDefault(&cfg.PingTimeout, time.Second)
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 16 << 10
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.health)
	api.New(cfg.Gate, api.Options{Logger: cfg.Logger, MaxBodyBytes: cfg.MaxBodyBytes, Desk: cfg.Desk, ReloadPolicy: cfg.ReloadPolicy}).Register(mux)
	if cfg.Portal != nil {
		cfg.Portal.Register(mux)
		mux.Handle("GET /{$}", http.RedirectHandler("/privasi/", http.StatusFound))
	}
	if cfg.Intake != nil {
		cfg.Intake.Register(mux)
	}
	s.handler = s.middleware(mux)
	return s
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Handler returns the server's handler with its middleware (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// SetReady sets what /healthz answers: 200 when ready (and Config.Ping succeeds), 503
// when not. Serve sets it when it starts and clears it when it begins to shut down.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd["Content-Type"] = textPlain
	hd["Cache-Control"] = noStore
	if !s.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n"))
		return
	}
	if s.cfg.Ping != nil {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.PingTimeout)
		err := s.cfg.Ping(ctx)
		cancel()
		if err != nil {
			// The cause goes to the log, not to whoever probes: it names hosts.
			s.log.LogAttrs(r.Context(), slog.LevelWarn, "health check: database unavailable", slog.String("error", err.Error()))
			hd["Retry-After"] = retryAfter
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
	}
	w.Write([]byte("ok\n"))
}

// ListenAndServe listens on addr (TCP) and serves until ctx is cancelled; see Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully: /healthz turns
// 503, the listener closes, and requests in flight get up to ShutdownTimeout to finish
// before their connections are closed. It returns nil after a clean shutdown, or the
// error that stopped serving. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.SetReady(true)
	s.log.LogAttrs(ctx, slog.LevelInfo, "serving", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-errc:
		s.SetReady(false)
		return err
	case <-ctx.Done():
	}
	s.SetReady(false)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "shutdown timed out; closing connections", slog.String("error", err.Error()))
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// middleware gives every request a request ID (Jaga-Request-Id, also passed to the gate
// for its audit event), recovers panics as 500 problems and writes the access log.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &api.RequestInfo{ID: api.NewRequestID()}
		hd := w.Header()
		hd[api.HeaderRequestID] = []string{info.ID}
		hd["X-Content-Type-Options"] = noSniff
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(api.WithRequestInfo(r.Context(), info))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.panicked(sw, r, info, v)
			}
			if !s.cfg.DisableAccessLog {
				s.access(r, sw, info, time.Since(start))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// panicked logs a handler panic with its stack and answers 500 if nothing was written.
// The panic value is logged only when it is a runtime error: anything else could hold a
// value.
func (s *Server) panicked(sw *statusWriter, r *http.Request, info *api.RequestInfo, v any) {
	stack := make([]byte, 16<<10)
	stack = stack[:runtime.Stack(stack, false)]
	attrs := []slog.Attr{slog.String("request_id", info.ID), slog.String("route", r.Pattern), slog.String("stack", string(stack))}
	if re, ok := v.(runtime.Error); ok {
		attrs = append(attrs, slog.String("panic", re.Error()))
	}
	s.log.LogAttrs(r.Context(), slog.LevelError, "handler panic", attrs...)
	if sw.status == 0 {
		api.WriteProblem(sw, &api.Problem{Type: "urn:jaga:problem:internal", Title: http.StatusText(http.StatusInternalServerError),
			Status: http.StatusInternalServerError, Detail: "internal error", RequestID: info.ID})
	}
}

func (s *Server) access(r *http.Request, sw *statusWriter, info *api.RequestInfo, d time.Duration) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	actor := ""
	if info.Actor != nil {
		actor = info.Actor.ID
	}
	route := r.Pattern
	if route == "" {
		route = "-"
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
		slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
		slog.Duration("duration", d), slog.String("request_id", info.ID), slog.String("actor", actor))
}

var (
	textPlain = []string{"text/plain; charset=utf-8"}
	noStore   = []string{"no-store"}
	noSniff   = []string{"nosniff"}
	// retryAfter is api.RetryAfterSeconds as a header value.
	retryAfter = []string{strconv.Itoa(api.RetryAfterSeconds)}
)

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
