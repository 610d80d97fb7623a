// Package pgtest gives tests a PostgreSQL database of their own on the throwaway
// cluster that ./scripts/test starts (scripts/pg), so that every test that needs one
// can run in parallel with the others.
//
// The cluster's URL comes from JAGA_TEST_POSTGRES_URL (a superuser connection to the
// maintenance database). Without it, a test that needs PostgreSQL fails when CI=true
// (CI must never skip the PostgreSQL suite) and is skipped with a message otherwise.
//
// It imports pgx and the standard library.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// EnvURL is the environment variable that names the test cluster.
const EnvURL = "JAGA_TEST_POSTGRES_URL"

// URL returns the test cluster's URL from EnvURL. Without one it fails the test under
// CI=true and skips it otherwise, saying how to get a cluster.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	const msg = EnvURL + " is not set: run ./scripts/test, which starts a throwaway PostgreSQL cluster (Debian package postgresql)"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// NewDatabase creates an empty database with a random name on the test cluster and
// returns its URL; the database is dropped when the test ends. Skips or fails as URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return create(tb, "")
}

// CloneDatabase creates a copy of the database at url (CREATE DATABASE … TEMPLATE, a
// backup as a restore would bring it back) and returns the copy's URL; nobody may be
// connected to url meanwhile. The copy is dropped when the test ends.
func CloneDatabase(tb testing.TB, url string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		tb.Fatal("database URL does not parse")
	}
	return create(tb, cfg.Database)
}

// create makes a database with a random name, from template when not empty.
func create(tb testing.TB, template string) string {
	tb.Helper()
	base := URL(tb)
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		tb.Fatalf("%s does not parse", EnvURL)
	}
	admin := stdlib.OpenDB(*cfg)
	name := "jagatest_" + strings.ToLower(rand.Text()[:16])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := `CREATE DATABASE ` + name
	if template != "" {
		q += ` TEMPLATE "` + strings.ReplaceAll(template, `"`, `""`) + `"`
	}
	if _, err := admin.ExecContext(ctx, q); err != nil {
		admin.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return withDatabase(tb, base, name)
}

// withDatabase returns base with its database replaced by name.
func withDatabase(tb testing.TB, base, name string) string {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s does not parse as a URL", EnvURL)
	}
	u.Path = "/" + name
	return u.String()
}

// Open is sql.Open on url through pgx, closed when the test ends, for tests that look
// at tables directly.
func Open(tb testing.TB, url string) *sql.DB {
	tb.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		tb.Fatal("database URL does not parse")
	}
	db := stdlib.OpenDB(*cfg)
	tb.Cleanup(func() { db.Close() })
	return db
}
