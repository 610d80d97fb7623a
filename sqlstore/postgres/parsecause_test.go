package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestOpenParseCause: a connection string pgx cannot parse is refused naming the cause
// (the bad port, sslmode, timeout or a missing certificate file), never the password,
// in both forms.
func TestOpenParseCause(t *testing.T) {
	for _, tc := range []struct{ conn, want string }{
		{"postgres://u:SECRETPW@127.0.0.1:99999/x", "port"},
		{"postgres://u:SECRETPW@127.0.0.1:1/x?sslmode=bogus", "sslmode"},
		{"postgres://u:SECRETPW@127.0.0.1:1/x?connect_timeout=abc", "connect_timeout"},
		{"postgres://u@127.0.0.1:1/x?password=SECRETPW&sslmode=bogus", "sslmode"},
		{"host=127.0.0.1 port=abc password=SECRETPW", "port"},
		{"host=127.0.0.1 sslmode=verify-full sslrootcert=/nonexistent/ca.pem password='SECRETPW'", "/nonexistent/ca.pem"},
	} {
		_, err := Open(context.Background(), tc.conn, Options{})
		if err == nil {
			t.Errorf("%s: opened", tc.want)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "does not parse") || !strings.Contains(msg, tc.want) {
			t.Errorf("error %q does not name %q", msg, tc.want)
		}
		if strings.Contains(msg, "SECRETPW") {
			t.Errorf("error %q holds the password", msg)
		}
	}
	// A password with a space or an @ is not found whole; net/url quotes a piece of it.
	for _, conn := range []string{"postgres://u:p@SECRET wörd@h:x/db", "host=h password=SECRET wörd"} {
		_, err := Open(context.Background(), conn, Options{})
		if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "wörd") {
			t.Errorf("%v: holds a piece of the password", err)
		}
	}
}
