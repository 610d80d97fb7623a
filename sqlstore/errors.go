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
// missing referenced row; conflict the one for a unique violation. The driver error,
// redacted by the dialect, stays in the chain (%w) for logs, inside a *StepError with
// op; it holds no value, because values are always bound parameters, SQLite does not
// echo them, and PostgreSQL puts key values only in the DETAIL field, which Redact
// drops with the messages of data exceptions. Errors that are already *jaga.Error pass
// unchanged.
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
	err = db.dialect.redact(err)
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
		return fmt.Errorf("%w: %w", &jaga.Error{Code: jaga.EINTERNAL, Message: "database busy"}, &StepError{Step: op, Err: fmt.Errorf("%w: %w", ErrBusy, err)})
	case KindUnavailable:
		return fmt.Errorf("%w: %w", &jaga.Error{Code: jaga.EUNAVAILABLE, Message: "database unavailable"}, &StepError{Step: op, Err: err})
	}
	return fmt.Errorf("%w: %w", &jaga.Error{Code: jaga.EINTERNAL, Message: "database error"}, &StepError{Step: op, Err: err})
}

// internal returns an EINTERNAL error for op with cause err, for causes that are not
// the driver's (decoding, the migrations' file system); a driver error goes through
// translate or Tx.internal, which redact it.
func internal(op string, err error) error {
	return fmt.Errorf("%w: %w", &jaga.Error{Code: jaga.EINTERNAL, Message: "database error"}, &StepError{Step: op, Err: err})
}

// StepError is the operator's side of a database failure: the step that failed
// ("insert subjects", "migration 0002_consent.sql: apply", "commit") and the driver's
// or the server's cause, redacted by the dialect (Dialect.Redact: SQLSTATE, message
// and object names, never a bound value; invariant 6). It sits in the chain under the
// *jaga.Error whose message ("database error", "database unavailable") is all a client
// sees; the CLI and the logs show the step and the cause as well, so that an operator
// can tell a permission problem or a full disk from a bug.
type StepError struct {
	Step string // the operation, without values
	Err  error  // the redacted cause
}

// Error returns "<step>: <cause>".
func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// NewStepError returns err as an EINTERNAL "database error" of op, or EUNAVAILABLE
// "database unavailable" when d classifies it KindUnavailable, with a *StepError
// holding op and the cause redacted by d, for dialect packages' own steps (opening
// the file, copying tables).
func NewStepError(d *Dialect, op string, err error) error {
	je := &jaga.Error{Code: jaga.EINTERNAL, Message: "database error"}
	if d.Classify != nil && d.Classify(err) == KindUnavailable {
		je = &jaga.Error{Code: jaga.EUNAVAILABLE, Message: "database unavailable"}
	}
	return fmt.Errorf("%w: %w", je, &StepError{Step: op, Err: d.redact(err)})
}

// redact applies Redact, if set, to err.
func (d *Dialect) redact(err error) error {
	if d.Redact == nil || err == nil {
		return err
	}
	return d.Redact(err)
}

// internal is NewStepError with the transaction's dialect, for a store method's
// failed step: EINTERNAL "database error" (EUNAVAILABLE when the server cannot be
// reached) with op and the cause redacted.
func (t *Tx) internal(op string, err error) error {
	return NewStepError(t.db.dialect, op, err)
}
