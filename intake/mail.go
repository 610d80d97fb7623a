package intake

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Mailer sends one plain-text mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SMTPMailer sends mail through an SMTP server (RFC 5321) with go-smtp: Addr is
// host:port, From the envelope and header sender.
type SMTPMailer struct {
	Addr string
	From string
}

// Send delivers one message; the error names the step, never the address.
func (m SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(subject, "\r\n") {
		return fmt.Errorf("mail: header value with a line break")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := smtp.Dial(m.Addr)
	if err != nil {
		return fmt.Errorf("mail: connect: %w", err)
	}
	defer c.Close()
	c.CommandTimeout = 10 * time.Second
	c.SubmissionTimeout = 30 * time.Second
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) +
		"\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if err := c.SendMail(m.From, []string{to}, strings.NewReader(msg)); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return c.Quit()
}
