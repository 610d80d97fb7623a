// Package postgres is the jaga.Store for companies that run several Jaga nodes: one
// PostgreSQL database (managed, replicated and backed up by its DBA) shared by every
// `jaga serve` node, through pgx (github.com/jackc/pgx/v5) behind database/sql.
//
// The SQL is package sqlstore's, shared with SQLite; this package adds the connection
// pool, the schema (migrations/*.sql, applied at Open under an advisory lock so that
// nodes starting at once apply each once), error classification and redaction (STYLE.md
// rule 4), sequence-drawn IDs, and the locks that let nodes share one database:
//
//   - the audit log stays one linear log: every write transaction takes a
//     transaction-level advisory lock before it reads the log's head, so appends from
//     all nodes queue (sqlstore.Tx.LockAudit);
//   - read-modify-writes of a subject row lock the row (SELECT … FOR UPDATE), so two
//     nodes updating one subject never lose a change;
//   - import keys are a primary key, so a customer imported by two nodes at once is one
//     subject: the second insert fails with ECONFLICT and the importer re-reads;
//   - TryLock is a session-level advisory lock, so a background job runs on one node.
//
// Transactions run at READ COMMITTED (the default). Commits are durable when Update
// returns as long as the server runs with synchronous_commit on (its default).
//
// It imports jaga, sqlstore, pgx and the standard library.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"jaga"
	"jaga/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

var _ jaga.Store = (*DB)(nil)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Clock stamps rows whose CreatedAt, UpdatedAt or RecordedAt is zero and the
	// migrations' applied_at; default jaga.SystemClock.
	Clock jaga.Clock
	// MaxConns is the most connections this node opens; default max(8, 4×GOMAXPROCS).
	// Every node opens its own pool, so the server's max_connections must exceed the
	// sum over nodes (plus what backups and monitoring use); docs/postgres.md.
	MaxConns int
}

// DB is a jaga.Store on one PostgreSQL database. Its methods are safe for concurrent use.
type DB struct {
	*sqlstore.DB
	pool   *sql.DB
	closed bool
}

// Dialect is the PostgreSQL dialect of sqlstore.
var Dialect = &sqlstore.Dialect{
	Name:           "postgres",
	NumberedParams: true,
	MaxParams:      65535,
	Classify:       classify,
	NextIDs:        nextIDs,
	ForUpdate:      " FOR UPDATE",
	LockAudit:      func(ctx context.Context, tx *sql.Tx) error { return xactLock(ctx, tx, "jaga/audit") },
	LockResolution: func(ctx context.Context, tx *sql.Tx) error { return xactLock(ctx, tx, "jaga/resolution") },
	LockMigrations: func(ctx context.Context, tx *sql.Tx) error { return xactLock(ctx, tx, "jaga/migrations") },
	Redact:         redact,
}

// IsURL reports whether s names a PostgreSQL database (postgres:// or postgresql://),
// as --db and JAGA_DATABASE_URL do; anything else is not for this package.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database named by url (a libpq URL, e.g.
// "postgres://jaga@db.internal:5432/jaga?sslmode=verify-full", or a key/value string,
// "host=db.internal dbname=jaga sslmode=verify-full"; the usual PG* environment
// variables and ~/.pgpass fill what it leaves out) and brings its schema up to date.
// The role needs CREATE on the database's schema on first start and whenever a new
// version adds a migration. Errors are EINVALID for a string that does not parse,
// EUNAVAILABLE for a server that cannot be reached or refuses the connection, and
// EINTERNAL otherwise. A failure after the connection (a migration) holds a
// *sqlstore.StepError with the step ("migration 0002_consent.sql: apply") and the
// redacted cause (*Error: SQLSTATE 42501 for a role without CREATE on the schema). The
// message of a failed connection names the step, the user,
// the database, the address and the cause ("connect to PostgreSQL (user jaga, database
// jaga): 127.0.0.1:5432 (127.0.0.1): dial error: … connection refused"). No error
// contains the password.
func Open(ctx context.Context, url string, opts Options) (_ *DB, err error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgconn's parse errors quote the URL, password included: only parseCause's
		// scrubbed cause is passed on.
		return nil, jaga.Errorf(jaga.EINVALID, "postgres: the database URL does not parse%s", parseCause(err, url))
	}
	if opts.Clock == nil {
		opts.Clock = jaga.SystemClock{}
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = max(8, 4*runtime.GOMAXPROCS(0))
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(opts.MaxConns)
	pool.SetMaxIdleConns(opts.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{pool: pool}
	defer func() {
		if err != nil {
			_ = pool.Close()
		}
	}()
	if err := pool.PingContext(ctx); err != nil {
		return nil, openError(err, cfg.Password)
	}
	if err := sqlstore.Migrate(ctx, pool, Dialect, mustSub(migrationFS, "migrations"), opts.Clock.Now()); err != nil {
		return nil, err
	}
	db.DB = sqlstore.New(sqlstore.Config{Dialect: Dialect, Write: pool, Read: pool, Clock: opts.Clock})
	return db, nil
}

// Pool returns the connection pool, for tools that read or write the tables as they
// are (`jaga store copy`).
func (db *DB) Pool() *sql.DB { return db.pool }

// Compact is a no-op on PostgreSQL: a deleted row's bytes stay in the table's pages
// until VACUUM reuses them and in the write-ahead log and backups until those are
// recycled, out of Jaga's reach; what makes an erasure final there is the destroyed data
// key (crypto-shredding) and the erasure journal, re-applied after a restore
// (docs/postgres.md).
func (db *DB) Compact(ctx context.Context) error { return ctx.Err() }

// Close closes the pool.
func (db *DB) Close() error {
	if db.closed {
		return nil
	}
	db.closed = true
	var err error
	if db.DB != nil {
		err = db.DB.Close()
	}
	return errors.Join(err, db.pool.Close())
}

// TryLock takes the job lock name (jaga.Store.TryLock) as a session-level advisory lock
// on a connection of its own, held until release, or until the connection ends when
// the node dies. Locks of the same name on every node sharing the database contend.
func (db *DB) TryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	if !jaga.ValidName(name) {
		return nil, false, &jaga.Error{Code: jaga.EINVALID, Field: "name", Message: "lock name must be snake_case"}
	}
	conn, err := db.pool.Conn(ctx)
	if err != nil {
		return nil, false, internalf("lock "+name, err)
	}
	key := lockKey("jaga/job/" + name)
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
		_ = conn.Close()
		if err != nil {
			return nil, false, internalf("lock "+name, err)
		}
		return nil, false, nil
	}
	return func() {
		var unlocked bool
		err := conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key).Scan(&unlocked)
		if err != nil || !unlocked {
			// Close the session itself rather than pool a connection that may still
			// hold the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}, true, nil
}

// lockKey maps a lock name to the 64-bit key of PostgreSQL's advisory locks.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// xactLock waits for the transaction-level advisory lock name; it is released when tx
// commits or rolls back.
func xactLock(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(name))
	return err
}

// nextIDs draws n values from the identity sequence of table.id, in increasing order.
// Other transactions draw from the same sequence at once, so the values need not be
// consecutive; each is used once.
func nextIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	switch table {
	case "consents", "legal_holds", "merges", "review_flags":
	default:
		return nil, fmt.Errorf("postgres: no id sequence for table %s", table)
	}
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("postgres: drew %d ids of %d", len(ids), n)
	}
	slices.Sort(ids) // InsertConsents gives IDs that increase in slice order
	return ids, nil
}

// SQLSTATE codes this package classifies (PostgreSQL, Appendix A).
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeLockNotAvailable     = "55P03"
)

// classify maps SQLSTATE codes, and errors that say the server cannot be reached
// (unavailable), to the kinds sqlstore translates.
func classify(err error) sqlstore.ErrorKind {
	if unavailable(err) {
		return sqlstore.KindUnavailable
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlstore.KindOther
	}
	switch pe.Code {
	case codeUniqueViolation:
		return sqlstore.KindConflict
	case codeForeignKeyViolation:
		return sqlstore.KindForeignKey
	case codeSerializationFailure, codeDeadlockDetected, codeLockNotAvailable:
		return sqlstore.KindBusy
	}
	return sqlstore.KindOther
}

// Error is a PostgreSQL error without anything the server quoted from a value: the
// SQLSTATE code, the names of the constraint, table and column involved, and the
// server's message except for data exceptions (class 22), whose messages quote the
// offending input. The server's DETAIL (which repeats key values) is never kept.
type Error struct {
	Code       string // SQLSTATE
	Message    string
	Constraint string
	Schema     string
	Table      string
	Column     string
}

// Error returns "postgres: <message> (SQLSTATE <code>, constraint <name>, schema
// <name>, table <name>, column <name>)", each name only when the server gave it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("postgres: ")
	b.WriteString(e.Message)
	b.WriteString(" (SQLSTATE ")
	b.WriteString(e.Code)
	for _, kv := range [][2]string{{"constraint", e.Constraint}, {"schema", e.Schema}, {"table", e.Table}, {"column", e.Column}} {
		if kv[1] != "" {
			b.WriteString(", " + kv[0] + " " + kv[1])
		}
	}
	b.WriteString(")")
	return b.String()
}

// redact replaces a *pgconn.PgError in err by an *Error, and a failed connection
// attempt by a message without the password (redactConnect); other errors pass
// unchanged.
func redact(err error) error {
	if r, ok := redactConnect(err, ""); ok {
		return r
	}
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	msg := pe.Message
	if strings.HasPrefix(pe.Code, "22") {
		msg = "data exception"
	}
	return &Error{Code: pe.Code, Message: msg, Constraint: pe.ConstraintName, Schema: pe.SchemaName, Table: pe.TableName, Column: pe.ColumnName}
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embedded directory is a constant
	}
	return sub
}

// internalf wraps err of op as EINTERNAL "database error", or EUNAVAILABLE "database
// unavailable" when the server cannot be reached (unavailable), with op and the
// redacted cause in a *sqlstore.StepError.
func internalf(op string, err error) error {
	return sqlstore.NewStepError(Dialect, op, err)
}
