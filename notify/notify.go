// Package notify delivers Jaga's messages to customers: sign-in codes for the privacy
// portal and completion notices of their requests (UU PDP Arts 30(2), 41; ).
// E-mail goes over SMTP (net/smtp's client, STARTTLS when offered); SMS and WhatsApp go
// through a Texter, with an HTTP adapter for providers that take a JSON POST. A Log
// sender records only that a message went out, never its address or text, for the demo.
//
// notify imports the root package, dsr (for its notice type) and the standard library.
// Addresses travel as jaga.Redacted and never reach an error or a log line.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"jaga"
	"jaga/dsr"
)

// Message is one message to a customer: a subject line and a plain-text body.
type Message struct {
	Subject string
	Body    string
}

// Mailer sends e-mail.
type Mailer interface {
	Mail(ctx context.Context, to jaga.Redacted, m Message) error
}

// Texter sends a short text (SMS or WhatsApp) to a phone number in E.164 form.
type Texter interface {
	Text(ctx context.Context, to jaga.Redacted, body string) error
}

// SMTP is a Mailer over SMTP (RFC 5321). Host and Port name the relay; From is the
// envelope and header sender. When the server offers STARTTLS it is used (verifying the
// certificate unless InsecureSkipVerify, for loopback tests); Auth, if set, runs after.
type SMTP struct {
	Host               string
	Port               int
	From               string
	Auth               smtp.Auth
	InsecureSkipVerify bool
	// Timeout bounds the whole exchange (default 30 s).
	Timeout time.Duration
}

// smtpError names the SMTP step that failed and, for a server reply, only its status
// code: a reply after RCPT TO may quote the recipient's address (invariant 6).
func smtpError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return fmt.Errorf("notify: smtp %s: server replied %d", step, te.Code)
	}
	return fmt.Errorf("notify: smtp %s: %w", step, err)
}

// Mail delivers m to one recipient. Errors name the SMTP step, never the address.
func (s *SMTP) Mail(ctx context.Context, to jaga.Redacted, m Message) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, fmt.Sprint(s.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("notify: smtp connect: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: smtp greeting: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify}); err != nil {
			return fmt.Errorf("notify: smtp starttls: %w", err)
		}
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return fmt.Errorf("notify: smtp auth: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return smtpError("MAIL FROM", err)
	}
	if err := c.Rcpt(to.Value()); err != nil {
		return fmt.Errorf("notify: smtp RCPT TO refused")
	}
	w, err := c.Data()
	if err != nil {
		return smtpError("DATA", err)
	}
	if _, err := w.Write(render(s.From, to.Value(), m)); err != nil {
		return smtpError("body", err)
	}
	if err := w.Close(); err != nil {
		return smtpError("end of data", err)
	}
	return c.Quit()
}

// render builds an RFC 5322 message with a UTF-8 subject (RFC 2047) and body.
func render(from, to string, m Message) []byte {
	var b bytes.Buffer
	id := rand.Text()
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@jaga>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		from, to, mime.QEncoding.Encode("utf-8", m.Subject), time.Now().UTC().Format(time.RFC1123Z), id)
	// net/smtp's data writer does the dot-stuffing (RFC 5321 §4.5.2).
	for _, line := range strings.Split(m.Body, "\n") {
		b.WriteString(line + "\r\n")
	}
	return b.Bytes()
}

// HTTPTexter is a Texter for providers that take a JSON POST {"to", "channel", "body"}
// with a bearer token and answer 2xx (many SMS and WhatsApp gateways, or a small relay
// in front of one). Channel is "sms" or "whatsapp".
type HTTPTexter struct {
	URL     string
	Token   string
	Channel string
	Client  *http.Client
}

// Text posts one message. Errors name the status, never the number or the text.
func (t *HTTPTexter) Text(ctx context.Context, to jaga.Redacted, body string) error {
	b, err := json.Marshal(map[string]string{"to": to.Value(), "channel": t.Channel, "body": body})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("notify: text provider URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+t.Token)
	}
	c := t.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("notify: text provider unreachable")
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify: text provider answered %d", resp.StatusCode)
	}
	return nil
}

// Log is a Mailer and Texter for the demo: it logs that a message went out (kind and
// subject line) and hands the message to Peek, if set, for the demo to print where a
// code went. It never logs the address or the body (invariant 6).
type Log struct {
	Logger *slog.Logger
	Peek   func(to jaga.Redacted, m Message)
}

// Mail logs and peeks.
func (l *Log) Mail(_ context.Context, to jaga.Redacted, m Message) error {
	if l.Logger != nil {
		l.Logger.Info("mail not sent (log-only mailer)", "subject", m.Subject)
	}
	if l.Peek != nil {
		l.Peek(to, m)
	}
	return nil
}

// Text logs and peeks.
func (l *Log) Text(ctx context.Context, to jaga.Redacted, body string) error {
	return l.Mail(ctx, to, Message{Subject: "text message", Body: body})
}

// Sender sends to a customer by e-mail when an address is known, else by text.
type Sender struct {
	Mailer Mailer
	Texter Texter
}

// Send delivers m to email if set (and a Mailer is configured), else the text to phone.
// Errors: EUNPROCESSABLE when there is nowhere to send.
func (s Sender) Send(ctx context.Context, email, phone jaga.Redacted, m Message) error {
	switch {
	case email.Value() != "" && s.Mailer != nil:
		return s.Mailer.Mail(ctx, email, m)
	case phone.Value() != "" && s.Texter != nil:
		return s.Texter.Text(ctx, phone, m.Subject+"\n"+m.Body)
	}
	return jaga.Errorf(jaga.EUNPROCESSABLE, "no e-mail address or phone number to send to")
}

// Notify sends a request's completion notice (dsr.Notifier), in Bahasa Indonesia and
// English: the request, what was done and when, and data kept with its basis.
func (s Sender) Notify(ctx context.Context, to dsr.Contact, n dsr.Notice) error {
	at := n.At.In(jaga.WIB).Format("2006-01-02 15:04 WIB")
	m := Message{
		Subject: "Permintaan Anda selesai / Your request is complete (" + n.RequestID + ")",
		Body: fmt.Sprintf("Permintaan %s (%s) telah diproses: %s.\nHasil: %s\nWaktu: %s\n\n"+
			"Your %s request (%s) was processed: %s.\nOutcome: %s\nTime: %s\n",
			n.RequestID, n.Type, n.Status, n.Outcome, at, n.Type, n.RequestID, n.Status, n.Outcome, at),
	}
	return s.Send(ctx, to.Email, to.Phone, m)
}
