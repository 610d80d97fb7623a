package main

import (
	"strings"
	"testing"
)

// TestDatabaseStringMessages: a --db key/value string with an unknown key names the
// key (never a value) and no longer says "or empty for SQLite", which an explicitly
// empty JAGA_DATABASE_URL is not; a string without dbname that fails to connect names
// the database the server would use, never "database )"; the password is never shown.
func TestDatabaseStringMessages(t *testing.T) {
	unsetenv(t, "JAGA_DATABASE_URL")
	unsetenv(t, "JAGA_DATABASE_URL_FILE")
	t.Setenv("PGDATABASE", "")
	dir := t.TempDir()
	for _, c := range []struct {
		name, db string
		want     []string
	}{
		{"UnknownKey", "host=127.0.0.1 bogus=1", []string{
			`jaga: error: config: database (--db, JAGA_DATABASE_URL or database: in the config file): unknown key "bogus": not one of libpq's connection parameters`,
			"jaga: hint: give a postgres:// or postgresql:// URL or a key/value string such as 'host=db.internal dbname=jaga'; for SQLite in DIR/data leave all three unset\n"}},
		{"KeyAfterPassword", "host=127.0.0.1 password=s3cret PW=1", []string{"(not shown: it may hold part of a value) after the 2nd pair"}},
		{"NoDBName", "host=127.0.0.1 port=1 user=jaga password=s3cretPW sslmode=disable connect_timeout=2", []string{
			"jaga: error: connect to PostgreSQL (user jaga, no dbname given, so database jaga, the server's default): "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runMain(t, "actors", "add", "--dir", dir, "--db", c.db, "--name", "Rina", "--role", "support")
			if code != 1 || strings.Contains(errs, "or empty") || strings.Contains(errs, "database )") || strings.Contains(errs, "s3cret") || strings.Contains(out, "s3cret") {
				t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q does not say %q", errs, w)
				}
			}
		})
	}
}
