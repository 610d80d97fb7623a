package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"jaga"
)

// Cookie names. Every cookie is HttpOnly, Secure and SameSite=Lax, on the portal's path.
const (
	sessionCookie   = "jaga_portal"
	challengeCookie = "jaga_challenge"
	preCookie       = "jaga_pre"
)

// session is the signed content of the session cookie: the subject, a random nonce
// that CSRF tokens bind to, and the expiry (Unix seconds).
type session struct {
	Subject jaga.SubjectID `json:"s"`
	Nonce   string         `json:"n"`
	Expires int64          `json:"e"`
}

// mac returns HMAC-SHA256(key, label|data).
func (p *Portal) mac(label, data string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(label))
	m.Write([]byte{'|'})
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sign returns base64url(payload) "." base64url(HMAC("cookie|"+name, payload)): the
// cookie name is bound in, so a value cannot move to another cookie.
func (p *Portal) sign(name string, payload []byte) string {
	b := base64.RawURLEncoding.EncodeToString(payload)
	return b + "." + base64.RawURLEncoding.EncodeToString(p.mac("cookie|"+name, b))
}

// verify checks a value made by sign and returns its payload; ok is false for any
// forged, truncated or re-labelled value.
func (p *Portal) verify(name, v string) ([]byte, bool) {
	b, sig, found := strings.Cut(v, ".")
	if !found || len(v) > 4096 {
		return nil, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, p.mac("cookie|"+name, b)) {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(b)
	return payload, err == nil
}

func (p *Portal) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

// session returns the request's valid, unexpired session.
func (p *Portal) session(r *http.Request) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	b, ok := p.verify(sessionCookie, c.Value)
	if !ok {
		return nil, false
	}
	var s session
	if json.Unmarshal(b, &s) != nil || !s.Subject.Valid() || p.now().Unix() >= s.Expires {
		return nil, false
	}
	return &s, true
}

func (p *Portal) startSession(w http.ResponseWriter, subject jaga.SubjectID) {
	s := session{Subject: subject, Nonce: rand.Text(), Expires: p.now().Add(p.cfg.SessionTTL).Unix()}
	b, _ := json.Marshal(s)
	p.setCookie(w, sessionCookie, p.sign(sessionCookie, b), p.cfg.SessionTTL)
	p.setCookie(w, challengeCookie, "", -1)
}

// binding is what a CSRF token binds to: the session nonce when signed in, else the
// random pre-session cookie (set here when missing).
func (p *Portal) binding(w http.ResponseWriter, r *http.Request) string {
	if s, ok := p.session(r); ok {
		return "s:" + s.Nonce
	}
	if c, err := r.Cookie(preCookie); err == nil {
		if b, ok := p.verify(preCookie, c.Value); ok {
			return "p:" + string(b)
		}
	}
	if w == nil {
		return ""
	}
	v := rand.Text()
	p.setCookie(w, preCookie, p.sign(preCookie, []byte(v)), 24*time.Hour)
	return "p:" + v
}

// csrfToken returns the token every form carries (synchronizer token bound to the
// session or pre-session cookie).
func (p *Portal) csrfToken(w http.ResponseWriter, r *http.Request) string {
	return base64.RawURLEncoding.EncodeToString(p.mac("csrf", p.binding(w, r)))
}

// checkCSRF reports whether the form's csrf field matches the request's binding.
func (p *Portal) checkCSRF(r *http.Request) bool {
	b := p.binding(nil, r)
	if b == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("csrf"))
	return err == nil && hmac.Equal(got, p.mac("csrf", b))
}

// dropSession deletes the session cookie in the answer and in r, so that a page
// rendered in the same answer binds its CSRF token to the pre-session cookie.
func (p *Portal) dropSession(w http.ResponseWriter, r *http.Request) {
	p.setCookie(w, sessionCookie, "", -1)
	cs := r.Cookies()
	r.Header.Del("Cookie")
	for _, c := range cs {
		if c.Name != sessionCookie {
			r.AddCookie(c)
		}
	}
}
