// Package api is Jaga's JSON HTTP API (DESIGN.md "HTTP API conventions"), described by
// the OpenAPI document openapi.yaml that it embeds and serves at /v1/openapi.yaml.
//
// Handlers are thin (STYLE.md rule 7): they parse the request, call one gate method and
// render the answer. Every byte of personal data they see comes from or goes to the gate;
// this package may import the root package jaga, gate, dsr and the standard library, and never
// sqlstore, seal or policy. Errors become RFC 9457 problem documents in one place
// (error.go). Identifiers (email, phone, NIK) never travel in URLs: access logs keep URLs.
//
// One file per resource: subject.go (create, read, update, erase, look-up), purchase.go,
// consent.go, audit.go, openapi.go.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// Header names of the API (DESIGN.md).
const (
	HeaderPurpose   = "Jaga-Purpose"
	HeaderReason    = "Jaga-Reason"
	HeaderRequestID = "Jaga-Request-Id"
)

// DefaultMaxBodyBytes is the largest request body the API reads (64 KiB): one subject
// with every field at its max_len fits many times over.
const DefaultMaxBodyBytes = 64 << 10

// maxReasonBytes bounds Jaga-Reason, a ticket reference or a short free text that the
// gate writes into the audit event.
const maxReasonBytes = 200

// Options configures a Handler. The zero value is usable.
type Options struct {
	// Logger receives internal errors (with the request ID, never a value). Default: discard.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; a larger body is answered 413 Content Too Large
	// (a problem of type urn:jaga:problem:invalid). Default 64 KiB.
	MaxBodyBytes int64
	// Desk, when set, serves the request desk under /v1/dsr (dsr.go).
	Desk *dsr.Desk
	// ReloadPolicy, if set, serves POST /v1/admin/policy/reload.
	ReloadPolicy PolicyReloader
}

// Handler serves the API. It is an http.Handler with its own ServeMux; mount it at "/"
// (it answers unknown paths with a problem document).
type Handler struct {
	gate    *gate.Gate
	schema  *jaga.Schema
	log     *slog.Logger
	maxBody int64
	mux     *http.ServeMux
	desk    *dsr.Desk
	reload  PolicyReloader
}

// New returns the API handler for g with every route registered.
func New(g *gate.Gate, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	h := &Handler{gate: g, schema: g.Schema(), log: opts.Logger, maxBody: opts.MaxBodyBytes, mux: http.NewServeMux(), desk: opts.Desk, reload: opts.ReloadPolicy}
	h.Register(h.mux)
	return h
}

// Register adds the API's routes to mux, including the catch-all "/" that answers
// unknown paths with a problem document. Requests reaching them should carry a
// RequestInfo (the server's middleware adds one); ServeHTTP adds one itself.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /v1/subjects", h.authed(h.createSubject))
	mux.Handle("POST /v1/subjects/lookup", h.authed(h.lookupSubjects))
	mux.Handle("GET /v1/subjects/{id}", h.authed(h.readSubject))
	mux.Handle("PATCH /v1/subjects/{id}", h.authed(h.updateSubject))
	mux.Handle("DELETE /v1/subjects/{id}", h.authed(h.eraseSubject))
	mux.Handle("GET /v1/subjects/{id}/purchases", h.authed(h.listPurchases))
	mux.Handle("GET /v1/subjects/{id}/consents", h.authed(h.listConsents))
	mux.Handle("GET /v1/audit", h.authed(h.listAudit))
	mux.Handle("POST /v1/tokens/resolve", h.authed(h.resolveToken))
	mux.Handle("GET /v1/review-flags", h.authed(h.listReviewFlags))
	mux.Handle("POST /v1/review-flags/{id}/resolve", h.authed(h.resolveReviewFlag))
	h.registerDSR(mux)
	h.registerConsent(mux)
	mux.HandleFunc("GET /v1/audit/key", h.auditKey)
	mux.Handle("GET /v1/audit/checkpoints", h.authed(h.listCheckpoints))
	mux.Handle("GET /v1/audit/proof/inclusion", h.authed(h.inclusionProof))
	mux.Handle("GET /v1/audit/proof/consistency", h.authed(h.consistencyProof))
	mux.Handle("GET /v1/audit/stream", h.authed(h.streamAudit))
	mux.Handle("GET /v1/subjects/{id}/access-history", h.authed(h.accessHistory))
	mux.HandleFunc("GET /v1/openapi.yaml", serveOpenAPI)
	for _, p := range reservedPatterns {
		mux.HandleFunc(p, h.methodNotAllowed(mux))
	}
	mux.HandleFunc("/", h.methodNotAllowed(mux))
}

// ServeHTTP routes r. A request that did not pass the server's middleware gets its
// RequestInfo (and request ID) here, so the API works on its own too.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if RequestInfoFrom(r.Context()) == nil {
		info := &RequestInfo{ID: NewRequestID()}
		w.Header()[HeaderRequestID] = []string{info.ID}
		r = r.WithContext(WithRequestInfo(r.Context(), info))
	}
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.error(w, r, jaga.Errorf(jaga.ENOTFOUND, "no such resource"))
}

// RequestInfo is the state of one request shared by the server's middleware and the
// handlers: the request ID (also sent as Jaga-Request-Id and written into audit events)
// and, once authenticated, the actor. Neither is personal data.
type RequestInfo struct {
	ID    string
	Actor *jaga.Actor

	// purposeShape says what was wrong with a Jaga-Purpose that was sent but cannot
	// be read (purposeOK when it can, or was not sent).
	purposeShape purposeShape
}

type infoKey struct{}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info *RequestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// RequestInfoFrom returns the RequestInfo of ctx, or nil.
func RequestInfoFrom(ctx context.Context) *RequestInfo {
	info, _ := ctx.Value(infoKey{}).(*RequestInfo)
	return info
}

var (
	requestPrefix = func() string {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		return "req_" + hex.EncodeToString(b[:]) + "_"
	}()
	requestSeq atomic.Uint64
)

// NewRequestID returns a request ID: "req_", 12 hex digits random per process, "_" and
// a counter in base 36. It is unique across nodes with overwhelming probability, cheap
// (no system call), and says nothing about the caller.
func NewRequestID() string {
	var b [40]byte
	out := append(b[:0], requestPrefix...)
	out = strconv.AppendUint(out, requestSeq.Add(1), 36)
	return string(out)
}

// authed wraps a handler that needs an actor: it resolves the bearer key (EUNAUTHORIZED
// if missing or unknown; EINVALID naming Authorization if the header is sent more than
// once), checks the Jaga-Reason header and builds the gate.Request the
// handler passes on. The purpose is passed through as sent: the gate answers a missing
// or unknown purpose (EINVALID) and a refused one (EFORBIDDEN), and audits both.
func (h *Handler) authed(fn func(w http.ResponseWriter, r *http.Request, req gate.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := RequestInfoFrom(r.Context())
		if info == nil { // routes registered on a mux of the caller's, without the middleware
			info = &RequestInfo{ID: NewRequestID()}
			w.Header()[HeaderRequestID] = []string{info.ID}
			r = r.WithContext(WithRequestInfo(r.Context(), info))
		}
		if len(r.Header.Values("Authorization")) > 1 {
			// Authorization is a singleton field (RFC 9110 §5.3, §11.6.2): two are a
			// malformed request, 400 as RFC 6750 §3.1 has it (invalid_request: more than
			// one method for including an access token). No actor is established, so,
			// as every unauthenticated failure, it is not audited.
			h.error(w, r, &jaga.Error{Code: jaga.EINVALID, Field: "Authorization",
				Message: "exactly one Authorization header is allowed (Authorization: Bearer <key>)"})
			return
		}
		key, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			h.error(w, r, jaga.Errorf(jaga.EUNAUTHORIZED, "an API key is required (Authorization: Bearer <key>)"))
			return
		}
		actor, err := h.gate.Authenticate(r.Context(), key)
		if err != nil {
			h.error(w, r, err)
			return
		}
		info.Actor = actor
		if err := checkQuery(r); err != nil {
			h.error(w, r, err)
			return
		}
		req := gate.Request{Actor: actor, RequestID: info.ID}
		req.Purpose, info.purposeShape = purposeHeader(r)
		if reason := r.Header.Get(HeaderReason); reason != "" {
			if len(reason) > maxReasonBytes || !jaga.PrintableText(reason) {
				h.error(w, r, &jaga.Error{Code: jaga.EINVALID, Field: HeaderReason, Message: "Jaga-Reason must be printable UTF-8 text of at most 200 bytes"})
				return
			}
			req.Reason = reason
		}
		fn(w, r, req)
	})
}

// bearer returns the token of an "Authorization: Bearer <token>" header value.
func bearer(v string) (string, bool) {
	const scheme = "bearer "
	if len(v) <= len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false
	}
	tok := strings.TrimSpace(v[len(scheme):])
	return tok, tok != ""
}

// purposeShape classifies a Jaga-Purpose header.
type purposeShape int

const (
	purposeOK        purposeShape = iota // absent, or one purpose ID
	purposeMalformed                     // not a purpose ID (it could be anything, even a value)
	purposeSeveral                       // two or more headers, or a comma-separated list
)

// purposeHeader returns Jaga-Purpose when it has the shape of one purpose ID (snake_case
// ASCII, at most 64 bytes). The gate writes the purpose it is given into the audit
// event; a header of another shape might carry a personal value there (invariant 6), so
// the gate gets gate.PurposeUnreadable instead, refuses it as an unknown purpose
// (EINVALID, 400) and audits the refusal without it, and shape says what was wrong.
// Two headers, or one that lists several purposes ("a, b"), are no purpose: which one
// would the audit name? They are purposeSeveral whatever the values look like.
func purposeHeader(r *http.Request) (p string, shape purposeShape) {
	vals := r.Header.Values(HeaderPurpose)
	switch {
	case len(vals) == 0:
		return "", purposeOK
	case len(vals) > 1:
		return gate.PurposeUnreadable, purposeSeveral
	}
	p = vals[0]
	if p == "" {
		return "", purposeOK
	}
	if jaga.ValidName(p) {
		return p, purposeOK
	}
	if n := 0; strings.Contains(p, ",") {
		for part := range strings.SplitSeq(p, ",") {
			if strings.TrimSpace(part) != "" {
				n++
			}
		}
		if n > 1 {
			return gate.PurposeUnreadable, purposeSeveral
		}
	}
	return gate.PurposeUnreadable, purposeMalformed
}

// purposeDetail is the problem detail for a Jaga-Purpose of shape; it never quotes the
// header, which is caller text.
func purposeDetail(shape purposeShape) string {
	if shape == purposeSeveral {
		return "exactly one purpose must be sent: one Jaga-Purpose header naming one purpose"
	}
	return "unknown purpose"
}

// purposeFree wraps a handler of an authenticated route whose work takes no purpose
// (the purpose registry, notices, the request desk, which acts under dsr itself): a
// Jaga-Purpose that was sent but cannot be read is still refused (EINVALID naming the
// header), as on every other route, rather than ignored. Such routes touch no personal
// data through the request's purpose, so the refusal is not audited.
func (h *Handler) purposeFree(fn func(w http.ResponseWriter, r *http.Request, req gate.Request)) func(w http.ResponseWriter, r *http.Request, req gate.Request) {
	return func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		if req.Purpose == gate.PurposeUnreadable {
			h.error(w, r, &jaga.Error{Code: jaga.EINVALID, Field: HeaderPurpose, Message: "unknown purpose"})
			return
		}
		fn(w, r, req)
	}
}

// subjectID returns the {id} path value as a SubjectID. A value that is not a subject ID
// is ENOTFOUND: no such resource can exist, and the raw value (which could be anything a
// client typed) is never passed to the gate or its audit log.
func subjectID(r *http.Request) (jaga.SubjectID, error) {
	id, err := jaga.ParseSubjectID(r.PathValue("id"))
	if err != nil {
		return "", jaga.Errorf(jaga.ENOTFOUND, "subject not found")
	}
	return id, nil
}

// nameList parses a comma-separated query parameter of field names (?fields=a,b). An
// absent parameter is nil (every field the purpose allows); a present one must name at
// least one field.
func nameList(q url.Values, param string) ([]string, error) {
	vals, ok := q[param]
	if !ok {
		return nil, nil
	}
	var out []string
	for _, v := range vals {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	if len(out) == 0 {
		return nil, queryError(param, "%s must name at least one field", param)
	}
	return out, nil
}
