package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"jaga"
)

// Config is what a dialect package gives New.
type Config struct {
	// Dialect describes the engine; required.
	Dialect *Dialect
	// Write is the pool Update runs on. SQLite gives it exactly one connection, so
	// that writers queue in Go instead of spinning on SQLITE_BUSY.
	Write *sql.DB
	// Read is the pool View runs on; it may be Write.
	Read *sql.DB
	// Clock gives the time stamped on rows whose CreatedAt, UpdatedAt or RecordedAt is
	// zero; default jaga.SystemClock.
	Clock jaga.Clock
	// Retries is how many times Update and View run fn again after a busy error;
	// default 4. RetryDelay is the first back-off, doubled each time with jitter;
	// default 20ms.
	Retries    int
	RetryDelay time.Duration
	// AfterCommit, if set, is called after each committed Update (SQLite wakes its
	// background checkpointer with it). It must not block.
	AfterCommit func()
	// Sync, if set, makes every earlier commit durable. Update calls it after each
	// commit; UpdateNoSync leaves it to the caller's Sync (group commit with the flush
	// of one batch overlapping the next). SQLite's writer commits without its own fsync
	// and Sync flushes the WAL file; without Sync a commit is durable by itself.
	Sync func(ctx context.Context) error
}

// DB runs transactions for a dialect: it implements Update, View and Dialect of
// jaga.Store; the dialect package adds Compact and Close.
type DB struct {
	dialect     *Dialect
	write       *stmtCache
	read        *stmtCache
	clock       jaga.Clock
	retries     int
	retryDelay  time.Duration
	afterCommit func()
	sync        func(ctx context.Context) error

	textMu  sync.Mutex
	texts   map[textKey]string
	rebound map[string]string
}

// New returns a DB over the pools of c. It does not take ownership of the pools: the
// caller closes them after Close.
func New(c Config) *DB {
	db := &DB{
		dialect:     c.Dialect,
		write:       &stmtCache{pool: c.Write, m: map[string]*sql.Stmt{}},
		clock:       c.Clock,
		retries:     c.Retries,
		retryDelay:  c.RetryDelay,
		afterCommit: c.AfterCommit,
		sync:        c.Sync,
		texts:       map[textKey]string{},
		rebound:     map[string]string{},
	}
	db.read = db.write
	if c.Read != nil && c.Read != c.Write {
		db.read = &stmtCache{pool: c.Read, m: map[string]*sql.Stmt{}}
	}
	if db.clock == nil {
		db.clock = jaga.SystemClock{}
	}
	if db.retries <= 0 {
		db.retries = 4
	}
	if db.retryDelay <= 0 {
		db.retryDelay = 20 * time.Millisecond
	}
	return db
}

// Dialect returns the dialect's name: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.Name }

// Close closes the cached prepared statements. The pools stay open.
func (db *DB) Close() error {
	err := db.write.close()
	if db.read != db.write {
		err = errors.Join(err, db.read.close())
	}
	return err
}

// Update runs fn in one read-write transaction, committed when fn returns nil and rolled
// back otherwise; fn's error is returned unchanged. A busy error (ErrBusy in the chain,
// whether from fn, begin or commit) rolls back and runs fn again, up to Retries times
// with exponential back-off, so fn must not have effects outside the transaction
// that a second run would repeat. Commit is durable when it returns (SQLite:
// synchronous=FULL).
func (db *DB) Update(ctx context.Context, fn func(jaga.Tx) error) error {
	if err := db.run(ctx, true, fn); err != nil {
		return err
	}
	return db.Sync(ctx)
}

// UpdateNoSync is Update without waiting for the disk: the transaction is committed
// and visible, and durable after the next Sync (jaga.DeferredSyncStore).
func (db *DB) UpdateNoSync(ctx context.Context, fn func(jaga.Tx) error) error {
	return db.run(ctx, true, fn)
}

// Sync makes every transaction committed before it durable; a no-op where commits are
// durable by themselves.
func (db *DB) Sync(ctx context.Context) error {
	if db.sync == nil {
		return nil
	}
	if err := db.sync(ctx); err != nil {
		return NewStepError(db.dialect, "sync", err)
	}
	return nil
}

// Ping checks that the database answers (jaga.Store.Ping): a connection of the Read
// pool runs SELECT 1 within ctx. Not the Write pool: on SQLite its one connection is
// busy for as long as a write transaction runs, which says nothing about health. Errors
// are translated as in a transaction: EUNAVAILABLE when the server cannot be reached.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.pool.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return db.translate("ping", err, "", "")
	}
	return nil
}

// View runs fn in a read-only transaction: one consistent snapshot, concurrent with
// Update and other Views. Write methods return EINTERNAL inside it. Busy errors are
// retried as in Update.
func (db *DB) View(ctx context.Context, fn func(jaga.Tx) error) error {
	return db.run(ctx, false, fn)
}

func (db *DB) run(ctx context.Context, writable bool, fn func(jaga.Tx) error) error {
	delay := db.retryDelay
	for attempt := 0; ; attempt++ {
		err := db.runOnce(ctx, writable, fn)
		if err == nil || attempt >= db.retries || !errors.Is(err, ErrBusy) {
			return err
		}
		// Full jitter keeps several waiting writers from waking in step.
		d := delay/2 + rand.N(delay/2+1)
		delay *= 2
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
	}
}

func (db *DB) runOnce(ctx context.Context, writable bool, fn func(jaga.Tx) error) (err error) {
	cache, opts := db.read, &sql.TxOptions{ReadOnly: true}
	if writable {
		cache, opts = db.write, nil
	}
	stx, err := cache.pool.BeginTx(ctx, opts)
	if err != nil {
		return db.translate("begin", err, "", "")
	}
	tx := &Tx{
		db:       db,
		tx:       stx,
		cache:    cache,
		writable: writable,
		now:      Truncate(db.clock.Now()),
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		// Statements first prepared inside this transaction go into the pool's cache
		// now that its connection is free again (see stmtCache).
		if len(tx.missed) > 0 {
			cache.fill(ctx, tx.missed)
		}
	}()
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if !writable {
		if err := stx.Rollback(); err != nil {
			return db.translate("end read transaction", err, "", "")
		}
		return nil
	}
	if err := stx.Commit(); err != nil {
		return db.translate("commit", err, "", "")
	}
	if db.afterCommit != nil {
		db.afterCommit()
	}
	return nil
}

// stmtCache holds statements prepared on a pool. database/sql re-prepares a pool
// statement on each connection as a transaction first uses it there (Tx.StmtContext),
// and keeps it for the next transaction on that connection. A pool statement can only
// be created by DB.PrepareContext, which needs a free connection; inside a transaction
// on SQLite's one writer connection there is none, so a statement missing from the
// cache is prepared on the transaction only, and put into the cache after the
// transaction ends.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	s := c.m[q]
	c.mu.Unlock()
	return s
}

func (c *stmtCache) fill(ctx context.Context, queries []string) {
	for _, q := range queries {
		if c.get(q) != nil {
			continue
		}
		s, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			return // the next transaction prepares it again; nothing is lost
		}
		c.mu.Lock()
		if c.m[q] == nil {
			c.m[q] = s
			s = nil
		}
		c.mu.Unlock()
		if s != nil {
			_ = s.Close()
		}
	}
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	for q, s := range c.m {
		err = errors.Join(err, s.Close())
		delete(c.m, q)
	}
	return err
}

// rowsTemplate is a statement with a list of k rows (or values) that is executed in
// chunks: prefix, then k copies of row joined by ",", then suffix. INSERT … VALUES
// (?,?),(?,?) and SELECT … WHERE x IN (?,?) are both templates.
type rowsTemplate struct {
	prefix string
	row    string // "(?,?,?)" or "?"
	suffix string
	width  int // placeholders per row
	max    int // largest chunk, a power of two
}

type textKey struct {
	tpl *rowsTemplate
	k   int
}

// text returns the SQL of tpl with k rows, placeholders rebound for the dialect.
func (db *DB) text(tpl *rowsTemplate, k int) string {
	key := textKey{tpl, k}
	db.textMu.Lock()
	defer db.textMu.Unlock()
	if q, ok := db.texts[key]; ok {
		return q
	}
	b := make([]byte, 0, len(tpl.prefix)+k*(len(tpl.row)+1)+len(tpl.suffix))
	b = append(b, tpl.prefix...)
	for i := range k {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, tpl.row...)
	}
	b = append(b, tpl.suffix...)
	q := db.dialect.rebind(string(b))
	db.texts[key] = q
	return q
}

// chunk returns the number of rows of the next statement for n remaining rows: max
// while n ≥ max, then the largest power of two ≤ n. A batch of any size so needs at most
// log2(max)+1 distinct statements, all of which the caches keep.
func (db *DB) chunk(tpl *rowsTemplate, n int) int {
	m := tpl.max
	if lim := db.dialect.MaxParams / tpl.width; m > lim {
		m = lim
	}
	if n >= m {
		return m
	}
	k := 1
	for k*2 <= n {
		k *= 2
	}
	return k
}

// bind returns q with its placeholders rewritten for the dialect.
func (db *DB) bind(q string) string {
	if !db.dialect.NumberedParams {
		return q
	}
	db.textMu.Lock()
	defer db.textMu.Unlock()
	r, ok := db.rebound[q]
	if !ok {
		r = db.dialect.rebind(q)
		db.rebound[q] = r
	}
	return r
}
