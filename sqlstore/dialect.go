package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Dialect is what differs between the database engines behind a DB. Most SQL text is
// shared: it is written with "?" placeholders and ANSI constructs both SQLite (3.35+)
// and PostgreSQL accept (ON CONFLICT … DO NOTHING, multi-row VALUES); the DDL lives in
// each dialect's migrations.
type Dialect struct {
	// Name is what Store.Dialect returns: "sqlite" or "postgres".
	Name string
	// NumberedParams makes placeholders "$1", "$2", … (PostgreSQL) instead of "?".
	NumberedParams bool
	// MaxParams is the largest number of bind parameters in one statement (SQLite:
	// 32766; PostgreSQL: 65535).
	MaxParams int
	// Classify says what kind of failure a driver error is. It is never given nil or
	// sql.ErrNoRows.
	Classify func(err error) ErrorKind
	// NextIDs returns n unused values for the INTEGER primary key "id" of table
	// ("consents"), inside the write transaction tx, so that InsertConsents can set the
	// IDs of a multi-row insert without relying on the order of RETURNING rows (which
	// neither engine guarantees). SQLite, with its one writer, reads MAX(id); PostgreSQL
	// draws from the column's sequence.
	NextIDs func(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error)
	// ForUpdate is appended to the SELECT with which UpdateSubject and EraseSubject
	// begin their read-modify-write of a subject row: " FOR UPDATE" on PostgreSQL, so
	// that two nodes changing one subject at once queue on its row instead of one
	// overwriting the other's sealed values (READ COMMITTED would lose that write); ""
	// on SQLite, whose one writer connection and BEGIN IMMEDIATE already serialise.
	ForUpdate string
	// LockAudit, if set, runs once per write transaction, before the transaction first
	// reads the head of the audit log (LastAudit) or appends to it (AppendAudit), and
	// holds until commit or rollback: PostgreSQL takes a transaction-level advisory
	// lock, so that the appends of every node sharing the database form one linear log.
	// SQLite needs none (one writer at a time).
	LockAudit func(ctx context.Context, tx *sql.Tx) error
	// LockResolution, if set, is LockAudit's counterpart for identity resolution: a
	// transaction-level lock that makes one write transaction at a time, across nodes,
	// check the blind indexes of the subjects it is about to create (Tx.LockResolution).
	LockResolution func(ctx context.Context, tx *sql.Tx) error
	// LockMigrations, if set, runs at the start of each migration transaction of
	// Migrate, so that nodes starting at once apply each migration once (PostgreSQL: an
	// advisory transaction lock). SQLite's BEGIN IMMEDIATE serialises already.
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
	// Redact, if set, returns a driver error without anything the server may have
	// quoted from a bound value (invariant 6); translate and NewStepError apply it
	// before wrapping. It must be idempotent: an error it returned passes it unchanged.
	Redact func(err error) error
}

// rebind rewrites "?" placeholders as "$1", "$2", … when the dialect numbers them. The
// shared SQL never has "?" inside a literal.
func (d *Dialect) rebind(q string) string {
	if !d.NumberedParams || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + strings.Count(q, "?")*3)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
