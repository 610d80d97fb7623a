package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"jaga"
)

// connKeys are the keys of a libpq key/value connection string that pgx reads
// (libpq's "Parameter Key Words", PostgreSQL docs §32.1.2, with pgx's additions). A
// string with another key is not taken for a connection string: libpq refuses unknown
// keys too, and pgx would send them to the server as settings.
var connKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "database": true, "user": true, "password": true,
	"passfile": true, "connect_timeout": true, "sslmode": true, "sslkey": true, "sslcert": true, "sslcertmode": true,
	"sslrootcert": true, "sslnegotiation": true, "sslpassword": true, "sslsni": true, "krbspn": true, "krbsrvname": true,
	"target_session_attrs": true, "service": true, "servicefile": true, "min_protocol_version": true,
	"max_protocol_version": true, "channel_binding": true, "require_auth": true, "application_name": true,
	"fallback_application_name": true, "options": true, "client_encoding": true, "search_path": true,
	"statement_cache_capacity": true, "description_cache_capacity": true, "default_query_exec_mode": true,
}

// IsConnString reports whether s names a PostgreSQL database as --db,
// JAGA_DATABASE_URL and database: take it: a URL (IsURL) or a libpq key/value string
// such as "host=db.internal port=5432 dbname=jaga sslmode=verify-full" (PostgreSQL docs
// §32.1.1.1): one or more key=value pairs separated by spaces, every key one of libpq's
// parameter key words, a value either unquoted (no spaces; backslash escapes) or in
// single quotes (backslash escapes ' and \). Anything else is not for this package.
func IsConnString(s string) bool {
	if IsURL(s) {
		return true
	}
	kv, ok := parseKeyValue(s)
	return ok && len(kv) > 0
}

// HasPassword reports whether the connection string s carries a password: the
// password of a URL's user information or its password query parameter, or a
// password= pair. A string that parses as
// neither is taken to carry one, so that a caller warns rather than stays silent.
func HasPassword(s string) bool {
	if IsURL(s) {
		u, err := url.Parse(s)
		if err != nil {
			return true
		}
		_, set := u.User.Password()
		return set || u.Query().Has("password")
	}
	kv, ok := parseKeyValue(s)
	if !ok {
		return true
	}
	_, set := kv["password"]
	return set
}

// ConnStringProblem says why s is not a connection string (IsConnString false), for an
// error of the setting that holds it: a URL of another scheme (named), a key that is
// not one of libpq's parameter key words (named when it is a plain lower-case word
// before any password, as a typo such as "bogus" or "db" is; otherwise not, since an
// unquoted password with a space spills into the next "key"), a word without "=", an
// unterminated quote. It never quotes a value. It returns "" for a connection string.
func ConnStringProblem(s string) string {
	if IsConnString(s) {
		return ""
	}
	if strings.TrimSpace(s) == "" {
		return "it is blank"
	}
	if scheme, _, ok := strings.Cut(s, "://"); ok && plainWord.MatchString(scheme) {
		return "it is a " + scheme + ":// URL, not postgres:// or postgresql://"
	}
	_, problem := splitKeyValue(s)
	return problem
}

// plainWord matches what ConnStringProblem may quote from a string it refuses: a URL
// scheme or a key: a lower-case letter, then up to 39 lower-case letters, digits, "_",
// "+", "." or "-".
var plainWord = regexp.MustCompile(`^[a-z][a-z0-9_+.-]{0,39}$`)

// parseKeyValue splits a libpq key/value string into its pairs; ok is false for a
// string that is not one (a key that is not in connKeys, a pair without "=", an
// unterminated quote).
func parseKeyValue(s string) (kv map[string]string, ok bool) {
	kv, problem := splitKeyValue(s)
	return kv, problem == ""
}

// splitKeyValue is parseKeyValue, saying what is wrong (ConnStringProblem) instead of
// ok, or "" for a key/value string.
func splitKeyValue(s string) (kv map[string]string, problem string) {
	kv = map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t\n\r\f\v")
		if s == "" {
			return kv, ""
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || strings.ContainsAny(strings.TrimRight(s[:eq], " \t\n\r\f\v"), " \t\n\r\f\v") {
			if len(kv) == 0 {
				return nil, "it is neither a postgres:// or postgresql:// URL nor a key/value string (KEY=VALUE pairs separated by spaces)"
			}
			return nil, "a word without KEY= after the " + pairsOrdinal(len(kv)) + " pair (quote a value with spaces in single quotes: KEY='a b')"
		}
		key := strings.TrimRight(s[:eq], " \t\n\r\f\v")
		if !connKeys[key] {
			if _, afterPassword := kv["password"]; plainWord.MatchString(key) && !afterPassword {
				return nil, fmt.Sprintf("unknown key %q: not one of libpq's connection parameters (host, port, dbname, user, password, sslmode, …; PostgreSQL docs §32.1.2)", key)
			}
			return nil, "a key that is not one of libpq's connection parameters (not shown: it may hold part of a value) after the " + pairsOrdinal(len(kv)) + " pair"
		}
		s = strings.TrimLeft(s[eq+1:], " \t\n\r\f\v")
		var val strings.Builder
		quoted := strings.HasPrefix(s, "'")
		if quoted {
			s = s[1:]
		}
		closed := !quoted
		i := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				i++
				val.WriteByte(s[i])
				continue
			}
			if quoted && c == '\'' {
				closed = true
				i++
				break
			}
			if !quoted && strings.IndexByte(" \t\n\r\f\v", c) >= 0 {
				break
			}
			val.WriteByte(c)
		}
		if !closed {
			return nil, "the value of " + key + " has an unterminated single quote"
		}
		kv[key] = val.String()
		s = s[i:]
	}
}

// pairsOrdinal names the nth pair of a key/value string ("1st", "2nd", …).
func pairsOrdinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// unavailable reports whether err says the server cannot be reached or does not take
// connections now, as opposed to a failed statement: a failed connection attempt
// (pgconn.ConnectError), a network error or a connection lost mid-way, SQLSTATE class
// 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown and 57P03
// cannot_connect_now (PostgreSQL, Appendix A).
func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		pgconn.Timeout(err) && !errors.Is(err, context.Canceled)
}

// connectError is a failed connection attempt, its message rebuilt from the parts of
// a pgconn.ConnectError that are not secret: the user and database names, the
// address tried and the cause (a dial error, the server's FATAL message, a TLS
// refusal). The password never appears in it, even where a cause would quote it.
type connectError struct {
	msg string
	err error
}

func (e *connectError) Error() string { return e.msg }
func (e *connectError) Unwrap() error { return e.err }

// redactConnect returns err with every pgconn.ConnectError replaced by a
// *connectError, and with password (when not empty) masked in what remains; ok is
// false when err holds no ConnectError.
func redactConnect(err error, password string) (_ error, ok bool) {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return err, false
	}
	cause := "unknown cause"
	if inner := ce.Unwrap(); inner != nil {
		// One line per attempt; sslmode=prefer tries TLS, then plain text, so the same
		// failure can come twice: each is said once.
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(inner.Error()), "\n") {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
		cause = strings.Join(lines, "; ")
	}
	msg := "connect to PostgreSQL"
	if ce.Config != nil {
		msg += " (user " + ce.Config.User + ", " + databaseOf(ce.Config.User, ce.Config.Database) + ")"
		if ce.Config.Password != "" {
			cause = strings.ReplaceAll(cause, ce.Config.Password, "********")
		}
	}
	if password != "" {
		cause = strings.ReplaceAll(cause, password, "********")
	}
	return &connectError{msg: msg + ": " + cause, err: ce}, true
}

// databaseOf names the database a connection asks for, as the server sees it: "database
// NAME", or, when the connection string and PGDATABASE give no dbname, the server's
// default, the database named after the user (PostgreSQL docs §32.1.2, dbname).
func databaseOf(user, database string) string {
	if database != "" {
		return "database " + database
	}
	return "no dbname given, so database " + user + ", the server's default"
}

// openError is what Open returns when its first connection fails: EUNAVAILABLE when
// the server cannot be reached or refuses the connection (unavailable), else
// EINTERNAL, with a message that names the step and the cause and never the password.
func openError(err error, password string) error {
	code := jaga.EINTERNAL
	if unavailable(err) {
		code = jaga.EUNAVAILABLE
	}
	var msg string
	if r, ok := redactConnect(err, password); ok {
		msg = r.Error()
		err = r
	} else {
		err = redact(err)
		msg = "connect to PostgreSQL: " + err.Error()
		if password != "" {
			msg = strings.ReplaceAll(msg, password, "********")
		}
	}
	return &jaga.Error{Code: code, Message: msg}
}

// secretsOf returns the password candidates of connection string s: the password of a
// URL's user information ("postgres://user:PW@…", also when the URL does not parse
// otherwise), its password= query parameter and a key/value string's password= value.
func secretsOf(s string) []string {
	var out []string
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if c := strings.Index(rest[:at], ":"); c >= 0 {
				out = append(out, rest[c+1:at])
			}
		}
	}
	for _, m := range passwordParam.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.Trim(m[1], "'"))
	}
	return out
}

// passwordParam matches a password given as a URL query parameter or a key/value pair.
var passwordParam = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s]+)`)

// quoted matches a double-quoted piece of a parse error (Go's %q of input text).
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// parseCause is the cause of a connection string pgx could not parse, for Open's
// error: what pgconn says after the string it quotes (e.g. "invalid sslmode", "invalid
// port", a missing sslrootcert file), with every quoted piece of the input dropped and
// every password candidate of s (secretsOf) masked, or "" when s may hold a password that could not be told apart: pgconn's
// inner errors (net/url's) quote the string unredacted, so a cause is shown only when
// it is certain to carry no password.
func parseCause(err error, s string) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "`: "); i >= 0 {
		msg = msg[i+3:]
	}
	secrets := secretsOf(s)
	if HasPassword(s) && len(secrets) == 0 {
		return ""
	}
	// What pgconn and net/url quote is a piece of the string, which can be part of a
	// password that secretsOf did not find whole (a password with a space or an @).
	msg = quoted.ReplaceAllString(msg, `"…"`)
	for _, p := range secrets {
		// A password of a few characters would also mask pgconn's own words
		// ("failed to par******** as"); after the quotes are gone it can only
		// stand in the message by chance.
		if len(p) >= 4 {
			msg = strings.ReplaceAll(msg, p, "********")
		}
	}
	if msg = strings.TrimSpace(msg); msg == "" {
		return ""
	}
	return ": " + msg
}
