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
	neturl "net/url"
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
	u, err := neturl.Parse(base)
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

// NewRole creates a login role with a random name and no privilege of its own on the
// test cluster, for tests of what a role that lacks one is told (PostgreSQL 15 and
// newer give PUBLIC no CREATE on schema public; NewRole revokes it in the database at
// url for older servers too). It returns the role's name and url with the role as
// user (the cluster trusts local connections: no password). At the end of the test the
// role's privileges and objects in that database are dropped, then the role.
func NewRole(tb testing.TB, url string) (name, roleURL string) {
	tb.Helper()
	db := Open(tb, url)
	admin := Open(tb, URL(tb))
	name = "jagatest_role_" + strings.ToLower(rand.Text()[:12])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE ROLE `+name+` LOGIN`); err != nil {
		tb.Fatalf("create role: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, `DROP OWNED BY `+name) // the database may be gone already
		if _, err := admin.ExecContext(ctx, `DROP ROLE IF EXISTS `+name); err != nil {
			tb.Errorf("drop role: %v", err)
		}
	})
	if _, err := db.ExecContext(ctx, `REVOKE CREATE ON SCHEMA public FROM PUBLIC`); err != nil {
		tb.Fatalf("revoke create: %v", err)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		tb.Fatal("database URL does not parse")
	}
	u.User = neturl.User(name)
	return name, u.String()
}
