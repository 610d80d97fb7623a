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
	// LockAudit, if set, is run first by every audit append to serialise appenders of
	// several processes until commit, e.g. "SELECT id FROM audit_head WHERE id = 1 FOR
	// UPDATE" (PostgreSQL). SQLite needs none: its writer's transactions are IMMEDIATE,
	// holding the database's one write lock.
	LockAudit string
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
