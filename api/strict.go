package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"jaga"
)

// queryParams are the query parameters each route reads, by its ServeMux pattern; the
// same lists as the operations' parameters in openapi.yaml (TestQueryParamsMatchSpec).
// A route missing here takes none.
var queryParams = map[string][]string{
	"POST /v1/subjects/lookup":             {"fields", "reveal"},
	"GET /v1/subjects/{id}":                {"fields", "reveal"},
	"GET /v1/subjects/{id}/consents":       {"at"},
	"GET /v1/audit":                        {"subject", "actor", "action", "after", "limit"},
	"GET /v1/dsr":                          {"view", "subject", "type", "status"},
	"GET /v1/audit/checkpoints":            {"after", "limit"},
	"GET /v1/audit/proof/inclusion":        {"seq", "size"},
	"GET /v1/audit/proof/consistency":      {"from", "to"},
	"GET /v1/audit/stream":                 {"after"},
	"GET /v1/subjects/{id}/access-history": {"lang", "after", "limit", "download"},
	"GET /v1/review-flags":                 {"state", "subject", "reason", "after", "limit"},
}

// listParams may be repeated (?fields=a&fields=b reads as ?fields=a,b).
var listParams = []string{"fields", "reveal"}

// QueryParams returns the query parameters the route with ServeMux pattern reads (for
// the test that holds them to openapi.yaml).
func QueryParams(pattern string) []string { return queryParams[pattern] }

// checkQuery refuses a query parameter r's route does not read, and one given twice
// that is not a list, with EINVALID (400) naming the parameter: a misspelt ?feilds= or
// ?actoin= would otherwise be ignored and the caller would get every field or every
// event without noticing. Names that are not snake_case are reported as "(invalid name)".
func checkQuery(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return jaga.Errorf(jaga.EINVALID, "the query string is malformed")
	}
	allowed := queryParams[r.Pattern]
	for name, vals := range q {
		if !slices.Contains(allowed, name) {
			msg := "unknown query parameter; this operation takes none"
			if len(allowed) > 0 {
				msg = "unknown query parameter; this operation takes " + strings.Join(allowed, ", ")
			}
			return &jaga.Error{Code: jaga.EINVALID, Field: jaga.SafeName(name), Message: msg}
		}
		if len(vals) > 1 && !slices.Contains(listParams, name) {
			return &jaga.Error{Code: jaga.EINVALID, Field: name, Message: "query parameter given more than once"}
		}
	}
	return nil
}

// queryError is the error of a query parameter whose value is malformed, out of range
// or unknown: EINVALID (400) naming the parameter in field, the code of an unknown or
// repeated parameter too (checkQuery), so that every query problem of every route is
// the same 400. DESIGN.md's 422 is for members of a request body; a query string is
// the request line, read before any body.
func queryError(param, format string, args ...any) *jaga.Error {
	return &jaga.Error{Code: jaga.EINVALID, Field: param, Message: fmt.Sprintf(format, args...)}
}

// ProblemMethodNotAllowed is the problem type of a 405 answer: the path exists, the
// method does not (RFC 9110 section 15.5.6). The error vocabulary has no code for it,
// and "invalid" (400) would tell a client its request body or parameters were wrong.
const ProblemMethodNotAllowed = "urn:jaga:problem:method_not_allowed"

// methodNotAllowed answers a request whose path is served for other methods only with
// 405, Allow and a problem of type ProblemMethodNotAllowed, and any other with 404. mux is the mux the
// catch-all is registered on, so that routes of the portal and intake count too.
func (h *Handler) methodNotAllowed(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
			probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" && !slices.Contains(reservedPatterns, pattern) {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			h.notFound(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		p := ProblemOf(jaga.Errorf(jaga.EINVALID, "method %s is not allowed here; allowed: %s", r.Method, strings.Join(allow, ", ")))
		p.Type, p.Status, p.Title = ProblemMethodNotAllowed, http.StatusMethodNotAllowed, http.StatusText(http.StatusMethodNotAllowed)
		if info := RequestInfoFrom(r.Context()); info != nil {
			p.RequestID = info.ID
		}
		WriteProblem(w, p)
	}
}

// reservedPatterns are fixed paths that a {id} route would otherwise take with other
// methods (GET /v1/subjects/lookup is not a subject): they answer 405.
var reservedPatterns = []string{"GET /v1/subjects/lookup", "PATCH /v1/subjects/lookup", "DELETE /v1/subjects/lookup"}
