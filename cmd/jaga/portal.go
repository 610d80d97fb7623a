package main

import (
	"context"
	"fmt"
	"io"
	"net/smtp"
	"regexp"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/notify"
	"jaga/portal"
)

// sender builds the mailer and texter the config names. Without smtp_host the mailer
// only logs (and, in the demo, prints where a sign-in code went; see demoPeek).
func sender(v *vault, peek func(to jaga.Redacted, m notify.Message)) notify.Sender {
	var s notify.Sender
	if v.cfg.SMTPHost != "" {
		m := &notify.SMTP{Host: v.cfg.SMTPHost, Port: v.cfg.SMTPPort, From: v.cfg.SMTPFrom}
		if v.cfg.SMTPUser != "" {
			m.Auth = smtp.PlainAuth("", v.cfg.SMTPUser, v.cfg.SMTPPassword, v.cfg.SMTPHost)
		}
		s.Mailer = m
	} else {
		s.Mailer = &notify.Log{Logger: v.log, Peek: peek}
	}
	if v.cfg.TextURL != "" {
		s.Texter = &notify.HTTPTexter{URL: v.cfg.TextURL, Token: v.cfg.TextToken, Channel: v.cfg.TextChannel}
	} else if v.cfg.SMTPHost == "" {
		s.Texter = &notify.Log{Logger: v.log, Peek: peek}
	}
	return s
}

// deskAndPortal builds the request desk and the privacy portal of an opened vault.
func deskAndPortal(v *vault, peek func(to jaga.Redacted, m notify.Message)) (*dsr.Desk, *portal.Portal, error) {
	s := sender(v, peek)
	desk, err := dsr.New(dsr.Config{Vault: dsr.GateVault{Gate: v.gate, Store: v.store}, Notifier: s, RetentionFloor: v.cfg.RetentionFloor,
		Targets: map[jaga.DSRType]time.Duration{jaga.DSRErase: v.cfg.DSRTarget, jaga.DSRObject: v.cfg.DSRTarget, jaga.DSRPort: v.cfg.DSRTarget},
		Alert: func(ctx context.Context, alerts []dsr.Alert) {
			for _, a := range alerts {
				v.log.Warn("data-subject request due", "request", a.Request.ID, "type", string(a.Request.Type), "due", a.Request.DueAt, "overdue", a.Overdue)
			}
		}})
	if err != nil {
		return nil, nil, err
	}
	p, err := portal.New(portal.Config{Vault: portal.GateVault{Gate: v.gate, Store: v.store}, Desk: desk, Key: v.keys.PortalKey(), Sender: s, Logger: v.log})
	if err != nil {
		return nil, nil, err
	}
	return desk, p, nil
}

var codeLine = regexp.MustCompile(`: (\d{6})\n`)

// confirmLink is the double opt-in link of an intake confirmation mail.
var confirmLink = regexp.MustCompile(`\S+/v1/intake/confirm/[A-Za-z0-9_-]+`)

// demoPeek prints, for the demo's log-only mailer, the sign-in codes the portal would
// have sent and the double opt-in confirmation links of intake sign-ups (the code or
// link, never the address), and the subject lines of notices.
func demoPeek(w io.Writer) func(to jaga.Redacted, m notify.Message) {
	return func(_ jaga.Redacted, m notify.Message) {
		if c := codeLine.FindStringSubmatch(m.Body); c != nil {
			fmt.Fprintf(w, "jaga: demo mailer (not sent): privacy portal sign-in code %s\n", c[1])
			return
		}
		if l := confirmLink.FindString(m.Body); l != "" {
			fmt.Fprintf(w, "jaga: demo mailer (not sent): double opt-in confirmation link %s\n", l)
			return
		}
		fmt.Fprintf(w, "jaga: demo mailer (not sent): %s\n", m.Subject)
	}
}
