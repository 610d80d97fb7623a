package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"jaga"
)

// statusOf maps the codes of jaga's one error vocabulary to HTTP statuses (STYLE.md
// rule 3). This is the only place the mapping is written down.
var statusOf = map[string]int{
	jaga.EINVALID:       http.StatusBadRequest,
	jaga.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	jaga.EUNAUTHORIZED:  http.StatusUnauthorized,
	jaga.EFORBIDDEN:     http.StatusForbidden,
	jaga.ENOTFOUND:      http.StatusNotFound,
	jaga.ECONFLICT:      http.StatusConflict,
	jaga.ERATELIMIT:     http.StatusTooManyRequests,
	jaga.EINTERNAL:      http.StatusInternalServerError,
	jaga.EUNAVAILABLE:   http.StatusServiceUnavailable,
}

// RetryAfterSeconds is the Retry-After of a 503 answer (RFC 9110 §10.2.3): how long a
// client should wait before it tries again when the store cannot be reached.
const RetryAfterSeconds = 5

// ErrorStatus returns the HTTP status of an error code (500 for an unknown code).
func ErrorStatus(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem document: Type is "urn:jaga:problem:<code>" (or
// ProblemMethodNotAllowed for a 405), Title the
// status text, Detail the error's safe message (never a value, never an internal
// cause), Field the request member or header the error is about, Reason the refusal
// reason (extension member, e.g. "no_consent"), Subject the subject a conflict is about
// (extension member, only where the caller may look it up) and RequestID the Jaga-Request-Id of the
// request (extension member), so that a caller can quote it.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Field     string `json:"field,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Subject   string `json:"subject,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// ProblemOf returns the problem document for err.
func ProblemOf(err error) *Problem {
	code := jaga.ErrorCode(err)
	if code == "" {
		code = jaga.EINTERNAL
	}
	status := ErrorStatus(code)
	p := &Problem{Type: "urn:jaga:problem:" + code, Title: http.StatusText(status), Status: status}
	if e := jaga.AsError(err); e != nil && status != http.StatusInternalServerError {
		p.Detail, p.Field, p.Reason, p.Subject = e.Message, e.Field, e.Reason, string(e.Subject)
	} else {
		p.Detail = "internal error"
	}
	return p
}

// error writes err as a problem document (a body over the limit as 413 and a body that
// is not declared as JSON as 415, both with type urn:jaga:problem:invalid: the
// vocabulary has no code of its own for them). Internal
// errors are logged with the request
// ID; their cause never reaches the client. Causes are wrapped errors of the gate and
// the store, which name subjects and fields but never hold a value (invariant 6).
func (h *Handler) error(w http.ResponseWriter, r *http.Request, err error) {
	info := RequestInfoFrom(r.Context())
	p := ProblemOf(err)
	if tooBig := (*bodyTooLarge)(nil); errors.As(err, &tooBig) {
		p.Status, p.Title = http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge)
	}
	if unsupported := (*unsupportedType)(nil); errors.As(err, &unsupported) {
		p.Status, p.Title = http.StatusUnsupportedMediaType, http.StatusText(http.StatusUnsupportedMediaType)
	}
	if info != nil {
		p.RequestID = info.ID
		if info.purposeShape != purposeOK && p.Status == http.StatusBadRequest && p.Field == HeaderPurpose {
			p.Detail = purposeDetail(info.purposeShape)
		}
	}
	if p.Status == http.StatusServiceUnavailable {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "store unavailable", slog.String("request_id", p.RequestID),
			slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
	if p.Status == http.StatusInternalServerError {
		level, msg := slog.LevelError, "internal error"
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			level, msg = slog.LevelInfo, "client went away"
		}
		h.log.LogAttrs(r.Context(), level, msg, slog.String("request_id", p.RequestID),
			slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
	WriteProblem(w, p)
}

// WriteProblem writes p as application/problem+json with its status. Unauthorized
// answers carry WWW-Authenticate (RFC 6750 §3), 503 answers Retry-After
// (RetryAfterSeconds, RFC 9110 §10.2.3).
func WriteProblem(w http.ResponseWriter, p *Problem) {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // a Problem of plain strings always marshals
	}
	b = append(b, '\n')
	hd := w.Header()
	hd["Content-Type"] = contentTypeProblem
	hd["Content-Length"] = []string{strconv.Itoa(len(b))}
	hd["Cache-Control"] = cacheNoStore
	if p.Status == http.StatusUnauthorized {
		hd["Www-Authenticate"] = wwwAuthenticate
	}
	if p.Status == http.StatusServiceUnavailable {
		hd["Retry-After"] = retryAfter
	}
	w.WriteHeader(p.Status)
	w.Write(b)
}

var (
	contentTypeJSON    = []string{"application/json"}
	contentTypeProblem = []string{"application/problem+json"}
	cacheNoStore       = []string{"no-store"}
	wwwAuthenticate    = []string{`Bearer realm="jaga"`}
	retryAfter         = []string{strconv.Itoa(RetryAfterSeconds)}
)
