package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileError reports whether err is SQLite saying it could not write or open the
// database file: SQLITE_READONLY, SQLITE_IOERR (e.g. 778, SQLITE_IOERR_WRITE),
// SQLITE_FULL, SQLITE_CANTOPEN or SQLITE_PERM, with any extended code. These are
// problems of the file, its directory or its disk (owner, mode, a read-only mount, no
// space left) for an operator to fix, not bugs.
func FileError(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return true
	}
	return false
}
