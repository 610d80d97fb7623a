// Package sqlite is the embedded default jaga.Store: one SQLite file under the vault's
// data/ directory, through the pure-Go driver modernc.org/sqlite.
//
// Every connection runs with journal_mode=WAL, foreign_keys=ON, secure_delete=ON (a
// deleted row's bytes are overwritten with zeros, DESIGN.md invariant 4),
// synchronous=FULL (a commit is on disk when Update returns, invariant 1) and a busy
// timeout. Update runs on one writer connection, so writers queue in Go; View runs on a
// pool of reader connections, which WAL lets read while the writer writes. A third
// connection checkpoints the WAL into the database file in the background, so that a
// commit never pays for copying earlier commits (the writer's automatic checkpoint is
// off). The SQL shared with PostgreSQL is in package sqlstore; this package adds the
// connections, the schema (migrations/*.sql, applied at Open), error classification
// and Compact.
//
// It imports jaga, sqlstore, modernc.org/sqlite and the standard library.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
	// BusyTimeout is how long a connection waits for a lock held by another connection
	// or process before SQLITE_BUSY; default 5s. Update and View then retry a few
	// times with back-off.
	BusyTimeout time.Duration
	// MaxReaders is the number of reader connections View may use at once; default
	// max(4, 2×GOMAXPROCS).
	MaxReaders int
	// WriterCacheKiB is the page cache of the writer connection in KiB; default 262144
	// (256 MiB, used as the database grows), which keeps most of the index B-trees
	// that imports hit at random in memory at a million subjects. ReaderCacheKiB is
	// each reader's; default 16384 (16 MiB).
	WriterCacheKiB int
	ReaderCacheKiB int
	// PageSize is the page size of a new database file in bytes (a power of two from
	// 512 to 65536); default 8192, which holds three subject rows of the default
	// schema (about 2.3 KB each) where 4096 holds one. It cannot change once the file
	// has tables. At a million subjects, 8192 against 4096 and 16384: 10.8k against
	// 10.2k and 8.7k subjects/s, 3.1 against 4.5 and 2.7 KB of file per subject.
	PageSize int
}

// DB is a jaga.Store on one SQLite file. Its methods are safe for concurrent use.
type DB struct {
	*sqlstore.DB
	path   string
	write  *sql.DB
	read   *sql.DB
	ckpt   *checkpointer
	closed bool
}

// Dialect is the SQLite dialect of sqlstore.
var Dialect = &sqlstore.Dialect{
	Name:      "sqlite",
	MaxParams: 32766,
	Classify:  classify,
	NextIDs:   nextIDs,
}

// Open opens (creating if missing) the database file at path, normally
// <vault>/data/jaga.db, and brings its schema up to date. The directory is created
// with mode 0700 if missing; the file, its -wal and -shm are mode 0600. It fails if
// the file cannot be put in WAL mode (e.g. on a network file system). A failure to
// open or create a file is an EINTERNAL error holding a *sqlstore.StepError whose text
// names path (the step "open writer on PATH" when SQLite cannot open it or create its
// -wal and -shm beside it, e.g. in a directory with the immutable attribute).
func Open(ctx context.Context, path string, opts Options) (_ *DB, err error) {
	if path == "" || path == ":memory:" {
		return nil, jaga.Errorf(jaga.EINVALID, "sqlite: a database file path is required")
	}
	path, err = filepath.Abs(path)
	if err != nil {
		return nil, internalf("resolve path", err)
	}
	if opts.Clock == nil {
		opts.Clock = jaga.SystemClock{}
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.MaxReaders <= 0 {
		opts.MaxReaders = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if opts.WriterCacheKiB <= 0 {
		opts.WriterCacheKiB = 256 << 10
	}
	if opts.ReaderCacheKiB <= 0 {
		opts.ReaderCacheKiB = 16 << 10
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 8192
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, internalf("create data directory", err)
	}
	// SQLite creates -wal and -shm with the mode of the database file, so creating the
	// file 0600 here keeps all three private whatever the umask.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, internalf("open database file for reading and writing", err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().Perm() != 0o600 {
		err = f.Chmod(0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, internalf("create database file", err)
	}

	db := &DB{path: path}
	defer func() {
		if err != nil {
			_ = db.closePools()
		}
	}()

	db.write, err = sql.Open("sqlite", dsn(path, opts, connWriter))
	if err != nil {
		return nil, internalf("open writer on "+path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)

	var mode string
	if err := db.write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return nil, internalf("open writer on "+path, err)
	}
	if mode != "wal" {
		return nil, jaga.Errorf(jaga.EINTERNAL, "sqlite: database is in journal mode %s, not wal", mode)
	}
	if err := sqlstore.Migrate(ctx, db.write, Dialect, mustSub(migrationFS, "migrations"), opts.Clock.Now()); err != nil {
		return nil, err
	}

	db.read, err = sql.Open("sqlite", dsn(path, opts, connReader))
	if err != nil {
		return nil, internalf("open readers on "+path, err)
	}
	db.read.SetMaxOpenConns(opts.MaxReaders)
	db.read.SetMaxIdleConns(opts.MaxReaders)
	db.read.SetConnMaxLifetime(0)
	db.read.SetConnMaxIdleTime(0)
	if err := db.read.PingContext(ctx); err != nil {
		return nil, internalf("open readers on "+path, err)
	}

	ckdb, err := sql.Open("sqlite", dsn(path, opts, connCheckpointer))
	if err != nil {
		return nil, internalf("open checkpointer on "+path, err)
	}
	ckdb.SetMaxOpenConns(1)
	ckdb.SetMaxIdleConns(1)
	ckdb.SetConnMaxLifetime(0)
	ckdb.SetConnMaxIdleTime(0)
	db.ckpt = newCheckpointer(ckdb, path)

	db.DB = sqlstore.New(sqlstore.Config{
		Dialect:     Dialect,
		Write:       db.write,
		Read:        db.read,
		Clock:       opts.Clock,
		AfterCommit: db.ckpt.kick,
		Sync:        db.syncWAL,
	})
	return db, nil
}

// Connection roles.
const (
	connWriter = iota
	connReader
	connCheckpointer
)

// readerMmapBytes is how much of the database file a reader maps (SQLite caps it at
// its compile-time SQLITE_MAX_MMAP_SIZE, 2 GiB by default): address space, not memory;
// the pages are the operating system's file cache.
const readerMmapBytes = 1 << 31

// dsn returns the driver's data source name for path: a file: URI whose query sets the
// pragmas every connection of the role runs with. The writer begins transactions
// IMMEDIATE, so that a lock conflict shows at BEGIN (and waits there) rather than at the
// first write; readers cannot write at all.
func dsn(path string, opts Options, role int) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "secure_delete(1)")
	switch role {
	case connWriter:
		// The writer commits without an fsync of its own; Update (and the gate's
		// group committer, after a batch) flush the WAL with syncWAL, which is what
		// synchronous=FULL would do inside COMMIT, but lets the next batch run while
		// the disk flushes. A torn, unsynced WAL tail is discarded by its checksums
		// at recovery, as with synchronous=NORMAL.
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "page_size("+strconv.Itoa(opts.PageSize)+")")
		// The driver runs _pragma entries in name order and _journal_mode after them;
		// page_size must come first, as WAL mode fixes the page size of a new file.
		q.Set("_journal_mode", "WAL")
		q.Add("_pragma", "wal_autocheckpoint(0)") // the checkpointer's job
		q.Add("_pragma", "journal_size_limit("+strconv.Itoa(walLimitBytes)+")")
		q.Add("_pragma", "cache_size(-"+strconv.Itoa(opts.WriterCacheKiB)+")")
		// Statement journals (kept for every multi-row insert inside a transaction, to
		// undo that statement alone) stay in memory instead of spilling to a temporary
		// file after 64 KiB: the writes to them were a tenth of an import's time.
		q.Add("_pragma", "temp_store(2)")
		q.Set("_txlock", "immediate")
	case connReader:
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "cache_size(-"+strconv.Itoa(opts.ReaderCacheKiB)+")")
		// A reader's page cache is dropped whenever another connection has written
		// (every import batch), so look-ups in the large random B-trees (blind indexes,
		// import keys) read the file through memory mapping instead of a read and copy
		// per page: at a million subjects the reads were a tenth of an import's time.
		q.Add("_pragma", "mmap_size("+strconv.FormatInt(readerMmapBytes, 10)+")")
		q.Set("_query_only", "1")
	case connCheckpointer:
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "cache_size(-1024)") // it reads the WAL, not through the cache
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embedded directory is a constant
	}
	return sub
}

// Reader returns the pool of read-only connections, for tools that read the tables as
// they are, ciphertext included (`jaga store copy`). Writes through it fail.
func (db *DB) Reader() *sql.DB { return db.read }

// Tables returns the names of the vault's data tables, sorted: every table but SQLite's
// own, schema_migrations and compaction (this package's bookkeeping for Compact).
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', 'compaction') ORDER BY name`)
	if err != nil {
		return nil, internalf("list tables", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, internalf("list tables", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, internalf("list tables", err)
	}
	return out, nil
}

// syncWAL makes every committed transaction durable: it flushes the -wal file (whose
// frames the writer wrote without syncing), or — when a checkpoint truncated it — there
// is nothing left to flush, as a checkpoint syncs the database file itself.
func (db *DB) syncWAL(context.Context) error {
	f, err := os.OpenFile(db.path+"-wal", os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	err = datasync(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Compact makes deleted data unrecoverable from the database files (DESIGN.md
// invariant 4). Deleting a row with secure_delete on zeroes its bytes, but a row that
// SQLite moved between pages while rebalancing the B-tree (after an update grew it, or
// after deletions emptied its page) leaves an old copy in unused space of the page it
// left, out of secure_delete's reach; when that subject is erased later, the copy of
// its wrapped DEK stays. So Compact, on the writer connection:
//
//  1. if subject rows were deleted since the last compaction, runs VACUUM, which
//     rebuilds the file from the live rows only: O(database size), about 25 s at a
//     million subjects on two cores, and writers wait meanwhile (readers do not) —
//     run it once per batch of erasures, not per erasure;
//  2. runs PRAGMA wal_checkpoint(TRUNCATE), which copies every committed page into the
//     main file and truncates the WAL to zero bytes, and retries with back-off while a
//     reader's old snapshot keeps it busy, until the -wal file is empty, or ctx ends
//     or a minute passes (then EINTERNAL).
//
// What Compact cannot reach are bytes the file system keeps in freed blocks (of the
// truncated WAL, of VACUUM's temporary file): use encrypted disks.
func (db *DB) Compact(ctx context.Context) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return internalf("compact", err)
	}
	defer conn.Close()

	var dirty int64
	if err := conn.QueryRowContext(ctx, `SELECT dirty FROM compaction WHERE id = 1`).Scan(&dirty); err != nil {
		return internalf("compact", err)
	}
	if dirty > 0 {
		if err := retryBusy(ctx, func() error {
			_, err := conn.ExecContext(ctx, `VACUUM`)
			return err
		}); err != nil {
			return internalf("compact: vacuum", err)
		}
		// Subtract what was read, so that a deletion by another process in between
		// still counts for the next compaction.
		if err := retryBusy(ctx, func() error {
			_, err := conn.ExecContext(ctx, `UPDATE compaction SET dirty = dirty - ? WHERE id = 1`, dirty)
			return err
		}); err != nil {
			return internalf("compact", err)
		}
	}

	return retryBusy(ctx, func() error {
		var busy, logFrames, checkpointed int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
			return internalf("compact: checkpoint", err)
		}
		fi, err := os.Stat(db.path + "-wal")
		if busy != 0 || err == nil && fi.Size() != 0 {
			return errWALNotTruncated
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return internalf("compact", err)
		}
		return nil
	})
}

var errWALNotTruncated = fmt.Errorf("%w: wal not truncated", sqlstore.ErrBusy)

// compactWait bounds how long Compact retries a busy step when ctx has no earlier
// deadline, so that a reader that never ends cannot hang it.
const compactWait = time.Minute

// retryBusy runs fn until it returns nil or an error that is not SQLITE_BUSY (or
// ErrBusy), with back-off from 5ms to 500ms, until ctx ends or compactWait passes.
func retryBusy(ctx context.Context, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, compactWait)
	defer cancel()
	delay := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil || !errors.Is(err, sqlstore.ErrBusy) && classify(err) != sqlstore.KindBusy {
			return err
		}
		select {
		case <-ctx.Done():
			return internalf("compact", fmt.Errorf("%w: %w", err, ctx.Err()))
		case <-time.After(delay):
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// Close closes the database. The last connection to close checkpoints the WAL and
// removes it.
func (db *DB) Close() error {
	if db.closed {
		return nil
	}
	db.closed = true
	var err error
	if db.DB != nil {
		err = db.DB.Close()
	}
	return errors.Join(err, db.closePools())
}

func (db *DB) closePools() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	if db.read != nil {
		err = errors.Join(err, db.read.Close())
	}
	if db.write != nil {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// classify maps SQLite result codes (extended codes are on in the driver) to the kinds
// sqlstore translates.
func classify(err error) sqlstore.ErrorKind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlstore.KindOther
	}
	switch code := se.Code(); code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.KindConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.KindForeignKey
	default:
		switch code & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return sqlstore.KindBusy
		}
	}
	return sqlstore.KindOther
}

// nextIDs reads MAX(id): with one writer connection and BEGIN IMMEDIATE nobody else
// can insert into table until this transaction ends.
func nextIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	var q string
	switch table {
	case "consents":
		q = `SELECT COALESCE(MAX(id), 0) FROM consents`
	case "legal_holds":
		q = `SELECT COALESCE(MAX(id), 0) FROM legal_holds`
	case "merges":
		q = `SELECT COALESCE(MAX(id), 0) FROM merges`
	case "review_flags":
		q = `SELECT COALESCE(MAX(id), 0) FROM review_flags`
	default:
		return nil, fmt.Errorf("sqlite: no id sequence for table %s", table)
	}
	var last int64
	if err := tx.QueryRowContext(ctx, q).Scan(&last); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids, nil
}

// internalf wraps err of op as a "database error" with op and the cause in a
// *sqlstore.StepError.
func internalf(op string, err error) error {
	return sqlstore.NewStepError(Dialect, op, err)
}
