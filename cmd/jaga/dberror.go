package main

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"jaga/sqlstore"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/sqlite"
)

// databaseCause returns msg, the safe message of err's *jaga.Error, with what an
// operator needs when err is a database failure: ": <step>: <cause>" from the
// *sqlstore.StepError in err's chain (the cause redacted by the dialect: SQLSTATE,
// message and object names, never a value; invariant 6), and a hint line for causes
// the operator fixes (databaseHint). Other errors' msg is returned unchanged.
func databaseCause(msg string, err error) string {
	var se *sqlstore.StepError
	if !errors.As(err, &se) {
		return msg
	}
	if cause := se.Error(); !strings.Contains(msg, cause) {
		msg += ": " + cause
	}
	if h := databaseHint(err); h != "" && !strings.Contains(msg, "\nhint: ") {
		msg += "\nhint: " + h
	}
	return msg
}

// databaseHint says what to do about a database failure caused by privileges, space, a
// read-only file or directory (mode, owner, immutable attribute) or a read-only mount
// (EROFS), or "" for others.
func databaseHint(err error) string {
	var pe *postgres.Error
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "42501": // insufficient_privilege
			return "Jaga's PostgreSQL role needs CREATE on the database's schema to apply migrations (first start and upgrades), and to read and write its tables: create the database OWNER that role, or GRANT CREATE ON SCHEMA public to it (docs/postgres.md)"
		case pe.Code == "25006": // read_only_sql_transaction
			return "the PostgreSQL server accepts no writes (a standby, or default_transaction_read_only): point --db at the primary"
		case strings.HasPrefix(pe.Code, "53"): // insufficient resources: disk full, out of memory, too many connections
			return "the PostgreSQL server is out of disk space, memory or connections: ask its DBA"
		}
		return ""
	}
	if errors.Is(err, syscall.EROFS) {
		return readOnlyMountHint
	}
	if errors.Is(err, fs.ErrPermission) || sqlite.FileError(err) {
		return fileHint
	}
	return ""
}

// readOnlyMountHint is the hint for EROFS: the file system is mounted read-only, and
// even a command that only reads writes the database (every read leaves an audit event).
const readOnlyMountHint = "the file system that holds DIR/data is mounted read-only: jaga writes its database even to read (every read is audited), so remount it read-write (mount -o remount,rw) or move the vault to a writable disk"

// fileHint is the hint for a database file or directory jaga may not write.
const fileHint = "the user running jaga must be able to write DIR/data and the files in it (SQLite creates jaga.db-wal and jaga.db-shm beside jaga.db): " +
	"check their owner and mode, the immutable attribute (lsattr -d DIR/data DIR/data/*; chattr -i), the free space on the disk, and that the file system is not mounted read-only"
