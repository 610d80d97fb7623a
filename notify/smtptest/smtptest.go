// Package smtptest runs a real in-process SMTP server (github.com/emersion/go-smtp) on
// loopback that keeps every message it receives, for tests of Jaga's mailers and of the
// privacy portal's sign-in (HELPERS.md: real components, not mocks).
package smtptest

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one received message: envelope sender and recipients and the raw data.
type Mail struct {
	From string
	To   []string
	Data string
}

// Server is a running SMTP server. Host and Port are where it listens.
type Server struct {
	Host string
	Port int

	mu   sync.Mutex
	mail []Mail
	cond *sync.Cond
}

// Start starts a server on 127.0.0.1 and stops it when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	s.cond = sync.NewCond(&s.mu)
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return s
}

// Messages returns the messages received so far.
func (s *Server) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// WaitFor waits up to timeout for a message to rcpt whose data contains substr, and
// returns it; ok is false on timeout.
func (s *Server) WaitFor(rcpt, substr string, timeout time.Duration) (Mail, bool) {
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range s.Messages() {
			for _, to := range m.To {
				if strings.EqualFold(to, rcpt) && strings.Contains(m.Data, substr) {
					return m, true
				}
			}
		}
		if time.Now().After(deadline) {
			return Mail{}, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s   *Server
	cur Mail
}

func (x *session) Reset()        { x.cur = Mail{} }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.cur.From = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.cur.To = append(x.cur.To, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.cur.Data = string(b)
	x.s.mu.Lock()
	x.s.mail = append(x.s.mail, x.cur)
	x.s.mu.Unlock()
	return nil
}
