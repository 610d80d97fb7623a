package jaga

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes of Jaga's one error vocabulary (STYLE.md rule 3). The HTTP mapping lives in
// package api; the codes are transport-independent.
const (
	EINVALID       = "invalid"       // 400: unreadable input (bad JSON, invalid UTF-8, missing header)
	EUNPROCESSABLE = "unprocessable" // 422: a named field fails validation or is unknown
	EUNAUTHORIZED  = "unauthorized"  // 401: no or unknown credentials
	EFORBIDDEN     = "forbidden"     // 403: role, purpose, consent or subject refused
	ENOTFOUND      = "not_found"     // 404
	ECONFLICT      = "conflict"      // 409
	ERATELIMIT     = "rate_limit"    // 429
	EINTERNAL      = "internal"      // 500
	// EUNAVAILABLE: the store cannot be reached now (connection refused or lost, the
	// database server shutting down or not yet accepting connections); the same request
	// may succeed later. 503 with Retry-After.
	EUNAVAILABLE = "unavailable"
)

// Error is an error with a code, a message safe to show to the caller, the field it is
// about (if any) and, for refusals, a machine-readable reason (e.g. "no_consent").
// Message and Reason never contain a personal value (invariant 6). Subject, when set,
// names the subject an error is about (a create refused because the subject exists, to
// a caller that may look it up).
type Error struct {
	Code    string
	Message string
	Field   string
	Reason  string
	Subject SubjectID
}

// Error returns "jaga <code>: <field>: <message>".
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("jaga %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("jaga %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with code and a formatted message. Never format a personal
// value into it.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EUNPROCESSABLE *Error naming field. A field name that is not a
// snake_case identifier (at most 64 bytes) came from the caller and could be a personal
// value (a JSON member such as "rina@example.com"): it is replaced by "(invalid name)"
// so that errors never echo it (invariant 6).
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EUNPROCESSABLE, Field: SafeName(field), Message: fmt.Sprintf(format, args...)}
}

// SafeName returns name if it is a ValidName, optionally behind "@" (pseudo-fields such
// as "@attributes"), else "(invalid name)".
func SafeName(name string) string {
	if ValidName(strings.TrimPrefix(name, "@")) {
		return name
	}
	return "(invalid name)"
}

// Refusal returns an EFORBIDDEN *Error with a machine-readable reason such as
// "no_consent", "role_not_allowed" or "subject_restricted".
func Refusal(reason, format string, args ...any) *Error {
	return &Error{Code: EFORBIDDEN, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of the first *Error in err's chain, or
// "internal error" for any other error, so that causes never reach clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
