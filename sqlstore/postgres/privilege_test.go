package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"jaga"
	"jaga/sqlstore"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
	"jaga/sqlstore/storetest"
)

// stepOf returns the *sqlstore.StepError and the *postgres.Error in err's chain, failing
// the test when either is missing.
func stepOf(t *testing.T, err error) (*sqlstore.StepError, *postgres.Error) {
	t.Helper()
	var se *sqlstore.StepError
	var pe *postgres.Error
	if err == nil || !errors.As(err, &se) || !errors.As(err, &pe) {
		t.Fatalf("err %v, want a step error with a redacted PostgreSQL cause", err)
	}
	return se, pe
}

// TestPrivilegeErrors: with a role that has no CREATE on schema public, Open fails
// naming the step and the server's cause (SQLSTATE 42501, "permission denied for
// schema public"); with schema_migrations there but a migration to apply, the failure
// names the migration file; with every migration applied the role needs no CREATE;
// and a store failure mid-run (INSERT revoked) names the operation and the table.
func TestPrivilegeErrors(t *testing.T) {
	t.Parallel()
	t.Run("CreateSchemaMigrations", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		_, roleURL := pgtest.NewRole(t, url)
		_, err := postgres.Open(ctx, roleURL, postgres.Options{})
		se, pe := stepOf(t, err)
		if jaga.ErrorCode(err) != jaga.EINTERNAL || se.Step != "create schema_migrations" || pe.Code != "42501" ||
			!strings.Contains(err.Error(), "permission denied for schema public (SQLSTATE 42501") {
			t.Errorf("err %q; step %q, SQLSTATE %s", err, se.Step, pe.Code)
		}
	})
	t.Run("MigrationFile", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		role, roleURL := pgtest.NewRole(t, url)
		admin := pgtest.Open(t, url)
		for _, q := range []string{
			`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`,
			`GRANT SELECT, INSERT ON schema_migrations TO ` + role,
		} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		_, err := postgres.Open(ctx, roleURL, postgres.Options{})
		se, pe := stepOf(t, err)
		if se.Step != "migration 0001_init.sql: apply" || pe.Code != "42501" || !strings.Contains(err.Error(), "permission denied for schema public") {
			t.Errorf("err %q; step %q, SQLSTATE %s", err, se.Step, pe.Code)
		}
	})
	t.Run("MigratedAndMidRun", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		MustOpenURL(t, url).Close() // the owner applies every migration
		role, roleURL := pgtest.NewRole(t, url)
		admin := pgtest.Open(t, url)
		for _, q := range []string{
			`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + role,
			`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + role,
			`REVOKE INSERT ON subjects FROM ` + role,
		} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		db := MustOpenURL(t, roleURL) // nothing to migrate: no CREATE needed
		s := storetest.NewGen(3).Subject()
		err := db.Update(ctx, func(tx jaga.Tx) error { return tx.InsertSubjects(ctx, []*jaga.SealedSubject{s}) })
		se, pe := stepOf(t, err)
		if jaga.ErrorCode(err) != jaga.EINTERNAL || pe.Code != "42501" || !strings.Contains(se.Error(), "permission denied for table subjects") {
			t.Errorf("err %q; step %q, SQLSTATE %s", err, se.Step, pe.Code)
		}
		if jaga.ErrorMessage(err) != "database error" {
			t.Errorf("message %q: a client must see only %q", jaga.ErrorMessage(err), "database error")
		}
	})
}

// TestMigrateRedacts: a migration whose failure the server describes with a quoted
// value (a data exception, SQLSTATE class 22) is reported with its file, step and
// SQLSTATE, and the value scrubbed as in every other store error (invariant 6).
func TestMigrateRedacts(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	pool := pgtest.Open(t, url)
	fsys := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte(`CREATE TABLE t (n INTEGER)`)},
		"0002_bad.sql": {Data: []byte(`INSERT INTO t (n) VALUES ('Siti Rahayu 0812'::int)`)},
	}
	err := sqlstore.Migrate(ctx, pool, postgres.Dialect, fsys, time.Now())
	se, pe := stepOf(t, err)
	if se.Step != "migration 0002_bad.sql: apply" || pe.Code != "22P02" || !strings.Contains(err.Error(), "data exception (SQLSTATE 22P02") {
		t.Errorf("err %q; step %q, SQLSTATE %s", err, se.Step, pe.Code)
	}
	if strings.Contains(err.Error(), "Siti") || strings.Contains(err.Error(), "0812") {
		t.Errorf("err %q quotes the value", err)
	}
}
