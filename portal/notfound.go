package portal

import (
	"net/http"
	"strings"
)

// notFound answers a path under base (/privasi/ or /privacy/) that no page serves with
// the portal's own page in its language: 404, or 405 with Allow when the path is a
// page that other methods serve (a GET of a form's target). It replaces the API's JSON
// problem document there: a customer's browser shows the page, not a machine answer.
func (p *Portal) notFound(mux *http.ServeMux, base string) func(w http.ResponseWriter, r *http.Request, l *lang) {
	return func(w http.ResponseWriter, r *http.Request, l *lang) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != base {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			p.message(w, r, http.StatusMethodNotAllowed, l, "err_method")
			return
		}
		p.message(w, r, http.StatusNotFound, l, "err_not_found")
	}
}
