// Package sqlstore is the database/sql code that every SQL dialect of jaga.Store shares:
// the Tx implementation (every jaga.Tx method), the transaction runner with its retry
// of busy errors, error translation into jaga's vocabulary (STYLE.md rule 4), the
// encodings of sealed values and timestamps, a statement cache, and the migration
// runner. The dialect packages (sqlstore/sqlite, later sqlstore/postgres) open the
// connections, supply a Dialect (placeholders, error classification, ID reservation)
// and their embedded migrations, and add what only they can do (Compact).
//
// The database holds ciphertext, blind indexes and non-identifying metadata only
// (DESIGN.md invariant 2). Ciphertext is bound as BLOB, never text or base64, and no
// error this package returns contains a bound value (invariant 6).
//
// It imports the root package jaga and the standard library only.
package sqlstore
