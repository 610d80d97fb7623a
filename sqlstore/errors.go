package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"jaga"
)

// ErrorKind is what a dialect's Classify makes of a driver error, so that the shared
// code translates errors once (STYLE.md rule 4) without seeing driver types.
type ErrorKind int

// Error kinds.
const (
	KindOther       ErrorKind = iota // anything else: EINTERNAL
	KindConflict                     // unique or primary-key violation: ECONFLICT
	KindForeignKey                   // a referenced row is missing: ENOTFOUND
	KindBusy                         // lock contention or serialization failure: retried
	KindUnavailable                  // the server cannot be reached or refuses connections: EUNAVAILABLE
)

// ErrBusy is in the chain of every error that Update and View retry (SQLITE_BUSY,
// SQLITE_LOCKED; on PostgreSQL serialization failures and deadlocks). After the last
// retry the caller sees it inside an EINTERNAL *jaga.Error.
var ErrBusy = errors.New("sqlstore: database busy")

var errScanType = errors.New("sqlstore: unexpected column type")

// translate turns a driver error into the error vocabulary of package jaga: op names
// the operation ("insert subjects"); notFound is the message for sql.ErrNoRows and for a
// missing referenced row; conflict the one for a unique violation. The driver error
// stays in the chain (%w) for logs; it holds no value, because values are always bound
// parameters, SQLite does not echo them, and PostgreSQL puts key values only in the
// DETAIL field, which pgconn's PgError.Error leaves out. Errors that are already
// *jaga.Error pass unchanged.
func (db *DB) translate(op string, err error, notFound, conflict string) error {
	if err == nil {
		return nil
	}
	if jaga.AsError(err) != nil {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) && notFound != "" {
		return &jaga.Error{Code: jaga.ENOTFOUND, Message: notFound}
	}
	kind := db.dialect.Classify(err)
	if db.dialect.Redact != nil {
		err = db.dialect.Redact(err)
	}
	switch kind {
	case KindConflict:
		if conflict != "" {
			return fmt.Errorf("%w: %w", &jaga.Error{Code: jaga.ECONFLICT, Message: conflict}, err)
		}
	case KindForeignKey:
		if notFound != "" {
			return fmt.Errorf("%w: %w", &jaga.Error{Code: jaga.ENOTFOUND, Message: notFound}, err)
		}
	case KindBusy:
		return fmt.Errorf("%w: %s: %w: %w", &jaga.Error{Code: jaga.EINTERNAL, Message: "database busy"}, op, ErrBusy, err)
	case KindUnavailable:
		return fmt.Errorf("%w: %s: %w", &jaga.Error{Code: jaga.EUNAVAILABLE, Message: "database unavailable"}, op, err)
	}
	return fmt.Errorf("%w: %s: %w", &jaga.Error{Code: jaga.EINTERNAL, Message: "database error"}, op, err)
}

// internal returns an EINTERNAL error for op with cause err.
func internal(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", &jaga.Error{Code: jaga.EINTERNAL, Message: "database error"}, op, err)
}
