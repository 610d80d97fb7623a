package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"jaga"
)

// Migrate brings the schema of pool up to date: it applies, in name order, each file
// "*.sql" at the root of fsys ("0001_init.sql", "0002_….sql") whose version (the name
// without ".sql") schema_migrations does not record, each in its own transaction
// together with its record (version, applied_at in microseconds). A database that
// records a version fsys does not have was migrated by a newer program, and Migrate
// refuses it rather than run against a schema it does not know. now stamps applied_at.
//
// On SQLite, run it on the writer pool: its BEGIN IMMEDIATE serialises two processes
// that open the same file at once, and the second finds the versions recorded. On
// PostgreSQL, Dialect.LockMigrations does the same for nodes starting at once. New
// migrations are picked up by their file names alone: add NNNN_name.sql to each
// dialect's migrations directory.
//
// Errors are EINTERNAL (EUNAVAILABLE when the server cannot be reached) with a
// *StepError that names the step — "create schema_migrations", "read
// schema_migrations", or "migration 0002_consent.sql: lock", ": check", ": apply",
// ": record", ": commit" — and the cause as the dialect redacts it, e.g. "migration
// 0001_init.sql: apply: postgres: permission denied for schema public (SQLSTATE 42501,
// schema public)".
func Migrate(ctx context.Context, pool *sql.DB, d *Dialect, fsys fs.FS, now time.Time) error {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return internal("list migrations", err)
	}
	slices.Sort(names)
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[strings.TrimSuffix(n, ".sql")] = true
	}

	if err := createMigrationsTable(ctx, pool, d); err != nil {
		return NewStepError(d, "create schema_migrations", err)
	}
	rows, err := pool.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return NewStepError(d, "read schema_migrations", err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return NewStepError(d, "read schema_migrations", err)
		}
		if !known[v] {
			rows.Close()
			return jaga.Errorf(jaga.EINTERNAL, "database schema version %s is newer than this program", v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return NewStepError(d, "read schema_migrations", err)
	}

	for _, name := range names {
		if err := migrateFile(ctx, pool, d, fsys, name, now); err != nil {
			return err
		}
	}
	return nil
}

// createMigrationsTable creates schema_migrations if missing, under the dialect's
// migration lock (two PostgreSQL sessions running CREATE TABLE IF NOT EXISTS at once
// can both try to create it). A table that can be read already is left alone without
// a CREATE statement: PostgreSQL checks the CREATE privilege on the schema even for
// CREATE TABLE IF NOT EXISTS of a table that exists, and a role may run a migrated
// database without that privilege.
func createMigrationsTable(ctx context.Context, pool *sql.DB, d *Dialect) error {
	var one int
	switch err := pool.QueryRowContext(ctx, `SELECT 1 FROM schema_migrations LIMIT 1`).Scan(&one); {
	case err == nil, errors.Is(err, sql.ErrNoRows):
		return nil
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if d.LockMigrations != nil {
		if err := d.LockMigrations(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	return tx.Commit()
}

func migrateFile(ctx context.Context, pool *sql.DB, d *Dialect, fsys fs.FS, name string, now time.Time) error {
	version := strings.TrimSuffix(name, ".sql")
	op := "migration " + name
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return NewStepError(d, op+": begin", err)
	}
	defer func() { _ = tx.Rollback() }()
	if d.LockMigrations != nil {
		if err := d.LockMigrations(ctx, tx); err != nil {
			return NewStepError(d, op+": lock", err)
		}
	}

	var n int
	if err := tx.QueryRowContext(ctx, d.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return NewStepError(d, op+": check", err)
	} else if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return internal(op+": read", err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return NewStepError(d, op+": apply", err)
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, now.UnixMicro()); err != nil {
		return NewStepError(d, op+": record", err)
	}
	if err := tx.Commit(); err != nil {
		return NewStepError(d, op+": commit", err)
	}
	return nil
}
