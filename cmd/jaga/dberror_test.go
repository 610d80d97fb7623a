package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga/internal/readonly"
	"jaga/sqlstore/postgres/pgtest"
)

// TestDatabaseErrorCause: when the database refuses Jaga after the connection (a
// read-only SQLite file, a PostgreSQL role without CREATE on schema public), the CLI
// names the step and the cause, with a hint, instead of a bare "database error".
func TestDatabaseErrorCause(t *testing.T) {
	unsetenv(t, "JAGA_DATABASE_URL")
	unsetenv(t, "JAGA_DATABASE_URL_FILE")
	t.Run("SQLiteReadOnly", func(t *testing.T) {
		dir := t.TempDir()
		if _, errs, code := runMain(t, "actors", "add", "--dir", dir, "--name", "Rina", "--role", "support"); code != 0 {
			t.Fatalf("actors add: %d %s", code, errs)
		}
		db := filepath.Join(dir, "data", "jaga.db")
		readonly.Make(t, db)
		_, errs, code := runMain(t, "actors", "list", "--dir", dir)
		want := "jaga: error: database error: open database file for reading and writing: open " + db + ": "
		if code != 1 || !strings.Contains(errs, want) || !strings.Contains(errs, "\njaga: hint: the user running jaga must be able to write DIR/data") {
			t.Errorf("exit %d, stderr %q; want %q and a hint", code, errs, want)
		}
	})
	t.Run("PostgresNoCreate", func(t *testing.T) {
		_, roleURL := pgtest.NewRole(t, pgtest.NewDatabase(t))
		dir := t.TempDir()
		_, errs, code := runMain(t, "actors", "add", "--dir", dir, "--db", roleURL, "--name", "Rina", "--role", "support")
		for _, want := range []string{
			"jaga: error: database error: create schema_migrations: postgres: permission denied for schema public (SQLSTATE 42501)\n",
			"jaga: hint: Jaga's PostgreSQL role needs CREATE on the database's schema",
		} {
			if code != 1 || !strings.Contains(errs, want) {
				t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
			t.Errorf("a SQLite data/ was made in its place (%v)", err)
		}
	})
}
