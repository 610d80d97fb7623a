package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/notify"
)

// Actor is the portal's own service identity: it looks a customer up at sign-in (the
// only read before the customer is known) under purpose dsr, with role portal
// (jaga.RolePortal): the gate gives it the e-mail and phone it sends the code to and
// nothing else, and the customer's access history names it as their own sign-in, not
// as a data-protection officer (UU PDP Art 32, R-29).
var Actor = &jaga.Actor{ID: "act_portal", Name: "privacy portal", Kind: jaga.ActorService, Role: jaga.RolePortal}

// Rate limits of code requests (per address typed, and per client IP), per window.
const (
	perAddress  = 5
	perIP       = 30
	limitWindow = 15 * time.Minute
)

func (p *Portal) signinPage(w http.ResponseWriter, r *http.Request, l *lang) {
	p.render(w, r, http.StatusOK, "signin", l, view{})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signin handles the address form. Known and unknown addresses take the same path: a
// gate look-up, a new code and challenge stored, a delivery started in the background
// (dropped when there is no customer), and the same redirect to the code form, so that
// neither the answer nor its timing says whether the address is a customer's.
func (p *Portal) signin(w http.ResponseWriter, r *http.Request, l *lang) {
	if !p.checkCSRF(r) {
		p.csrfFailed(w, r, l)
		return
	}
	input := strings.TrimSpace(r.PostFormValue("address"))
	field := "phone"
	if strings.Contains(input, "@") {
		field = "email"
	}
	if input == "" || len(input) > 254 || len(r.PostForm["address"]) > 1 {
		p.render(w, r, http.StatusUnprocessableEntity, "signin", l, view{Error: l.t("err_input")})
		return
	}
	now := p.now()
	addrKey := fmt.Sprintf("a:%x", p.mac("addr", strings.ToLower(input)))
	if !p.limit.allow("ip:"+clientIP(r), perIP, limitWindow, now) || !p.limit.allow(addrKey, perAddress, limitWindow, now) {
		p.render(w, r, http.StatusTooManyRequests, "signin", l, view{Error: l.t("err_rate")})
		return
	}
	recs, err := p.cfg.Vault.Find(r.Context(), gate.FindRequest{Request: gate.Request{Actor: Actor, Purpose: jaga.PurposeDSR},
		Field: field, Value: jaga.Redact(input), Fields: []string{"email", "phone"}})
	var subject jaga.SubjectID
	var email, phone jaga.Redacted
	switch code := jaga.ErrorCode(err); {
	case err == nil && len(recs) > 0:
		subject, email, phone = recs[0].Subject, jaga.Redact(recs[0].Values["email"]), jaga.Redact(recs[0].Values["phone"])
	case code == jaga.EUNPROCESSABLE:
		p.render(w, r, http.StatusUnprocessableEntity, "signin", l, view{Error: l.t("err_input")})
		return
	case code != jaga.ENOTFOUND && code != jaga.EFORBIDDEN:
		p.internal(w, r, l, err)
		return
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		p.internal(w, r, l, err)
		return
	}
	code := fmt.Sprintf("%06d", n.Int64())
	id := "lc_" + strings.ToLower(rand.Text())
	c := &jaga.LoginCode{ID: id, Subject: subject, CodeMAC: p.mac("code", id+"|"+code), CreatedAt: now, ExpiresAt: now.Add(p.cfg.CodeTTL)}
	if err := p.cfg.Vault.Update(r.Context(), func(tx jaga.Tx) error { return tx.InsertLoginCode(r.Context(), c) }); err != nil {
		p.internal(w, r, l, err)
		return
	}
	msg := notify.Message{Subject: l.t("title") + ": " + l.t("code_label"),
		Body: fmt.Sprintf("%s: %s\n\n%s\n", l.t("code_label"), code, l.t("code_sent"))}
	p.sends.Add(1)
	go func() {
		defer p.sends.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if subject == "" {
			return // no customer: nothing to deliver, and the answer was the same
		}
		// A code goes to the channel the customer typed, at the address Jaga holds.
		to := notify.Sender{Mailer: p.cfg.Sender.Mailer, Texter: p.cfg.Sender.Texter}
		e, ph := email, phone
		if field == "phone" {
			e = jaga.Redact("")
		}
		if err := to.Send(ctx, e, ph, msg); err != nil {
			p.log.Warn("portal: sign-in code not delivered", "challenge", id, "error", err.Error())
		}
	}()
	p.setCookie(w, challengeCookie, p.sign(challengeCookie, []byte(id)), p.cfg.CodeTTL)
	http.Redirect(w, r, l.URL("code"), http.StatusSeeOther)
}

func (p *Portal) codePage(w http.ResponseWriter, r *http.Request, l *lang) {
	p.render(w, r, http.StatusOK, "code", l, view{Info: l.t("code_sent")})
}

// checkCode checks a code against the challenge named by the signed challenge cookie:
// expired codes and locked challenges (MaxAttempts wrong codes) are refused whatever
// the code; a challenge for an unknown address never signs anyone in.
func (p *Portal) checkCode(w http.ResponseWriter, r *http.Request, l *lang) {
	if !p.checkCSRF(r) {
		p.csrfFailed(w, r, l)
		return
	}
	ck, err := r.Cookie(challengeCookie)
	var id []byte
	ok := err == nil
	if ok {
		id, ok = p.verify(challengeCookie, ck.Value)
	}
	if !ok {
		p.render(w, r, http.StatusBadRequest, "code", l, view{Error: l.t("err_nochallenge")})
		return
	}
	ctx := r.Context()
	var c *jaga.LoginCode
	if err := p.cfg.Vault.View(ctx, func(tx jaga.Tx) (err error) { c, err = tx.LoginCode(ctx, string(id)); return err }); err != nil {
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			p.render(w, r, http.StatusBadRequest, "code", l, view{Error: l.t("err_nochallenge")})
			return
		}
		p.internal(w, r, l, err)
		return
	}
	switch {
	case c.Used || c.Attempts >= p.cfg.MaxAttempts:
		p.render(w, r, http.StatusTooManyRequests, "code", l, view{Error: l.t("err_locked")})
		return
	case !p.now().Before(c.ExpiresAt):
		p.render(w, r, http.StatusGone, "code", l, view{Error: l.t("err_expired")})
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if len(code) != 6 || !digitsOnly(code) {
		// Not a code at all (a typo, letters, a pasted sentence): it cannot be right, so
		// it is answered 422 without using up one of the challenge's attempts.
		p.render(w, r, http.StatusUnprocessableEntity, "code", l, view{Error: l.t("err_code_format")})
		return
	}
	good := len(code) == 6 && hmac.Equal(p.mac("code", c.ID+"|"+code), c.CodeMAC) && c.Subject != ""
	if good {
		// The sign-in is audited (action login) before the session starts; the subject
		// may have been erased since the code was sent.
		err := p.cfg.Vault.Login(ctx, gate.Request{Actor: jaga.SubjectActor(c.Subject), Purpose: jaga.PurposeDSR}, c.Subject)
		if err != nil && jaga.ErrorCode(err) != jaga.ENOTFOUND && jaga.ErrorCode(err) != jaga.EFORBIDDEN {
			p.internal(w, r, l, err)
			return
		}
		good = err == nil
	} else if c.Subject != "" {
		// A wrong code for a customer is shown in their history as a refused sign-in;
		// a challenge allows MaxAttempts of them, so this cannot flood the log.
		if err := p.cfg.Vault.LoginFailed(ctx, gate.Request{Actor: Actor, Purpose: jaga.PurposeDSR}, c.Subject, gate.ReasonWrongCode); err != nil {
			p.internal(w, r, l, err)
			return
		}
	}
	attempts, used := c.Attempts, good
	if !good {
		attempts++
	}
	if err := p.cfg.Vault.Update(ctx, func(tx jaga.Tx) error { return tx.UpdateLoginCode(ctx, c.ID, attempts, used) }); err != nil {
		p.internal(w, r, l, err)
		return
	}
	if !good {
		key := "err_code"
		status := http.StatusUnauthorized
		if attempts >= p.cfg.MaxAttempts {
			key, status = "err_locked", http.StatusTooManyRequests
		}
		p.render(w, r, status, "code", l, view{Error: l.t(key)})
		return
	}
	p.startSession(w, c.Subject)
	http.Redirect(w, r, l.URL("me"), http.StatusSeeOther)
}

func (p *Portal) signout(w http.ResponseWriter, r *http.Request, l *lang) {
	if !p.checkCSRF(r) {
		p.csrfFailed(w, r, l)
		return
	}
	p.dropSession(w, r)
	p.render(w, r, http.StatusOK, "signin", l, view{Info: l.t("signed_out")})
}
