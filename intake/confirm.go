package intake

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"jaga"
	"jaga/gate"
)

// The double opt-in link is followed in two steps. GET shows a page with one button and
// changes nothing, because mail scanners and link previewers fetch the links in a mail
// on their own, and a consent must be given by the person (UU PDP Art 22-23; R-7: the
// confirmation is the evidence). The button POSTs to the same URL, which confirms.

var confirmTmpl = template.Must(template.ParseFS(templates, "templates/confirm.html"))

// confirmView is what a confirmation page shows. Kind is ask (the button posting to
// Action), confirmed or quarantined (with Evidence, the double-opt-in ID), gone
// (unknown, used or expired link), forbidden (a cross-site POST) or error. It holds no
// personal data: never the address the mail went to.
type confirmView struct {
	Kind, Action, Evidence string
}

// confirmPage answers GET /v1/intake/confirm/{token}: the page asking to confirm (200),
// or the unknown-link page (404). It never changes state.
func (h *Handler) confirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	err := h.cfg.Gate.SignupPending(r.Context(), tokenHash(token))
	switch {
	case jaga.ErrorCode(err) == jaga.ENOTFOUND:
		renderConfirm(w, http.StatusNotFound, confirmView{Kind: "gone"})
	case err != nil:
		h.cfg.Logger.Error("intake confirm page", "error", err)
		renderConfirm(w, http.StatusInternalServerError, confirmView{Kind: "error"})
	default:
		renderConfirm(w, http.StatusOK, confirmView{Kind: "ask", Action: "/v1/intake/confirm/" + url.PathEscape(token)})
	}
}

// confirm answers POST /v1/intake/confirm/{token}: it takes the pending sign-up in with
// its double-opt-in ID as evidence and answers the thank-you page, or, to a client that
// accepts application/json, {"status", "evidence"}. A POST a browser marks as from
// another site (Sec-Fetch-Site), or whose Origin (or, without one, Referer) is not this
// server's origin, is refused 403 (cross-site request forgery: sameOrigin); an unknown,
// used or expired token is 404.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	asJSON := acceptsJSON(r)
	fail := func(status int, code, kind, detail string) {
		if asJSON {
			problem(w, status, code, detail, "")
			return
		}
		renderConfirm(w, status, confirmView{Kind: kind})
	}
	if !h.sameOrigin(r) {
		fail(http.StatusForbidden, jaga.EFORBIDDEN, "forbidden", "a confirmation must be posted from this server's confirmation page (Sec-Fetch-Site, Origin or Referer of another site)")
		return
	}
	now := h.cfg.Clock.Now().UTC()
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	ref := fmt.Sprintf("DOI-%s-%06d", now.Format("20060102"), (int(rnd[0])<<16|int(rnd[1])<<8|int(rnd[2]))%1000000)
	req := gate.Request{Actor: formActor, Purpose: jaga.PurposeServiceProvision, Reason: "double opt-in"}
	out, err := h.cfg.Gate.ConfirmSignup(r.Context(), req, tokenHash(r.PathValue("token")), ref)
	if jaga.ErrorCode(err) == jaga.ENOTFOUND {
		fail(http.StatusNotFound, jaga.ENOTFOUND, "gone", "confirmation link unknown, used or expired")
		return
	} else if err != nil {
		h.cfg.Logger.Error("intake confirm", "error", err)
		fail(http.StatusInternalServerError, jaga.EINTERNAL, "error", "the confirmation could not be stored")
		return
	}
	status := "confirmed"
	if out.Status == gate.IntakeQuarantined {
		status = "quarantined"
	}
	if asJSON {
		writeJSON(w, http.StatusOK, map[string]string{"status": status, "evidence": ref})
		return
	}
	renderConfirm(w, http.StatusOK, confirmView{Kind: status, Evidence: ref})
}

// tokenHash is the SHA-256 of a confirmation token, as the pending sign-up stores it.
func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// renderConfirm writes a confirmation page. The page is not cached (its URL holds the
// token), sends no Referer off the site, and may not be framed (no click-jacking of the
// button).
func renderConfirm(w http.ResponseWriter, status int, v confirmView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_ = confirmTmpl.Execute(w, v)
}

// acceptsJSON reports whether the request's Accept header names application/json.
func acceptsJSON(r *http.Request) bool {
	for _, a := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(a)); err == nil && mt == "application/json" {
			return true
		}
	}
	return false
}

// sameOrigin reports whether a confirmation POST may proceed. The token in the path is
// the link's only secret, so the danger is another site making the visitor's browser
// post it (cross-site request forgery). The rule is net/http.CrossOriginProtection's,
// then an exact origin check:
//   - Sec-Fetch-Site, which every current browser sets itself (a page cannot), must be
//     same-origin or none, or else (cross-site, same-site) come with an Origin that is
//     the trusted origin (Config.BaseURL's; CrossOriginProtection exempts it, and a
//     browser sets Origin itself): cross-site and same-site are refused even when the
//     Origin and Referer headers were stripped (privacy extensions and some proxies do);
//   - without it (an older browser), an Origin must name the request's Host or this
//     server's public origin (Config.BaseURL);
//   - then the Origin, or without one the Referer, when present, must be this server's
//     origin exactly (RFC 6454: scheme, host and port), that of Config.BaseURL or
//     without a BaseURL the request's own (CrossOriginProtection compares hosts only).
//
// A request with none of the three headers is let through, as CrossOriginProtection
// lets it: browsers send Sec-Fetch-Site or Origin with every cross-origin POST (Fetch
// standard), so no other site made a browser send it; it comes from a client that
// holds the token and could send any header it liked, so requiring one would stop no
// one and break the JSON clients the API documents.
func (h *Handler) sameOrigin(r *http.Request) bool {
	own := originOf(h.cfg.BaseURL)
	cop := http.NewCrossOriginProtection()
	if own != "" {
		if err := cop.AddTrustedOrigin(own); err != nil {
			return false
		}
	}
	if cop.Check(r) != nil {
		return false
	}
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true
	}
	if own == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		own = originOf(scheme + "://" + r.Host)
	}
	got := originOf(from)
	return got != "" && got == own
}

// originOf returns the origin of an absolute http(s) URL, lower case and without the
// scheme's default port, or "" for anything else (Origin: null included).
func originOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, map[string]string{"http": ":80", "https": ":443"}[u.Scheme])
	return u.Scheme + "://" + host
}
