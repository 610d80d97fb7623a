package postgres

import (
	"context"
	"strings"
	"testing"

	"jaga"
)

// TestConnStringProblem: a string that is not a connection string is refused with what
// is wrong (an unknown key by name, another URL scheme, a word without "=", an open
// quote), never with a value: a key after the password, or a "key" with a space in it,
// is not named, as it may be part of an unquoted password.
func TestConnStringProblem(t *testing.T) {
	for _, c := range []struct {
		s, want string
		never   []string
	}{
		{"host=127.0.0.1 dbname=jaga", "", nil},
		{"postgres://u:pw@h/db", "", nil},
		{"host=127.0.0.1 bogus=1", `unknown key "bogus": not one of libpq's connection parameters`, []string{"127.0.0.1"}},
		{"db=jaga host=x", `unknown key "db"`, []string{"jaga"}},
		{"host=x password=hunter two=2", "a key that is not one of libpq's connection parameters (not shown: it may hold part of a value) after the 2nd pair", []string{"hunter", "two"}},
		{"password=my secret host=x", "a word without KEY= after the 1st pair", []string{"my", "secret"}},
		{"host=x secret", "a word without KEY= after the 1st pair", []string{"secret"}},
		{"host='db.internal dbname=jaga", "the value of host has an unterminated single quote", []string{"internal"}},
		{"mysql://u:s3cret@h/db", "it is a mysql:// URL, not postgres:// or postgresql://", []string{"s3cret"}},
		{"Bapak Budi s3cret", "it is neither a postgres:// or postgresql:// URL nor a key/value string", []string{"Budi", "s3cret"}},
		{"Budi Santoso=1", "it is neither", []string{"Budi"}},
		{"  ", "it is blank", nil},
	} {
		got := ConnStringProblem(c.s)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("ConnStringProblem(%q) = %q, want %q", c.s, got, c.want)
		}
		for _, n := range c.never {
			if strings.Contains(got, n) {
				t.Errorf("ConnStringProblem(%q) = %q quotes %q", c.s, got, n)
			}
		}
	}
}

// TestOpenNoDBName: a failed connection whose string gives no dbname names the database
// the server would have used (the user's name) and says no dbname was given, instead of
// "database )".
func TestOpenNoDBName(t *testing.T) {
	t.Setenv("PGDATABASE", "")
	_, err := Open(context.Background(), "host=127.0.0.1 port=1 user=jaga password=s3cretPW sslmode=disable connect_timeout=2", Options{})
	msg := jaga.ErrorMessage(err)
	if !strings.HasPrefix(msg, "connect to PostgreSQL (user jaga, no dbname given, so database jaga, the server's default): ") || strings.Contains(msg, "database )") {
		t.Errorf("message %q", msg)
	}
	if strings.Contains(err.Error(), "s3cretPW") {
		t.Errorf("the password is in %q", err)
	}
}
