package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jaga"
)

// Source is a Jaga database to copy from: a pool that reads it and the names of its
// data tables (sqlite.DB.Tables), every one of which must exist here too.
type Source struct {
	DB     *sql.DB
	Tables []string
}

// CopyOptions tunes CopyFrom. The zero value is ready to use.
type CopyOptions struct {
	// Batch is the most rows per INSERT statement; default 1000 (fewer for wide
	// tables, within PostgreSQL's 65535 bind parameters).
	Batch int
	// Progress, if set, is called after each statement with the table and the rows of
	// it copied so far.
	Progress func(table string, rows int64)
}

// TableCount is the verification of one copied table: its rows in the source snapshot,
// the rows inserted, and the rows the destination holds after the commit.
type TableCount struct {
	Table  string
	Source int64
	Copied int64
	Dest   int64
}

// CopyFrom copies a whole vault database into this one, which must be empty (as Open
// leaves a new database): every table of this schema except schema_migrations, each
// row as stored — ciphertext, blind indexes, hashes and IDs byte for byte, nothing
// decrypted (DESIGN.md invariant 2 holds throughout: only ciphertext moves). The source
// is read in one read transaction (a consistent snapshot; stop the nodes writing to it
// first so that nothing written after the snapshot is left behind) and written in one
// transaction, in multi-row INSERTs of opts.Batch rows, parents before children;
// identity sequences are then moved past the copied IDs. It returns one TableCount per
// table, in copy order, after checking that the three counts agree.
//
// Errors: EINVALID when the two schemas are at different migration versions or the
// source has a table this schema lacks; ECONFLICT when this database holds rows;
// EINTERNAL for a failed read, write or verification (nothing is committed unless the
// whole copy is).
func (db *DB) CopyFrom(ctx context.Context, src Source, opts CopyOptions) ([]TableCount, error) {
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if err := sameVersions(ctx, src.DB, db.pool); err != nil {
		return nil, err
	}
	tables, err := copyOrder(ctx, db.pool)
	if err != nil {
		return nil, internalf("copy: read schema", err)
	}
	for _, t := range src.Tables {
		if !slices.Contains(tables, t) {
			return nil, jaga.Errorf(jaga.EINVALID, "copy: source table %s has no PostgreSQL equivalent; the migrations differ", t)
		}
	}

	stx, err := src.DB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, internalf("copy: begin source", err)
	}
	defer func() { _ = stx.Rollback() }()
	dtx, err := db.pool.BeginTx(ctx, nil)
	if err != nil {
		return nil, internalf("copy: begin destination", err)
	}
	defer func() { _ = dtx.Rollback() }()

	counts := make([]TableCount, 0, len(tables))
	for _, t := range tables {
		c := TableCount{Table: t}
		var n int64
		if err := dtx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+ident(t)).Scan(&n); err != nil {
			return nil, internalf("copy: count "+t, err)
		}
		if n != 0 && seededTables[t] {
			// Rows the migrations insert (a fresh database has them): the source's replace them.
			if _, err := dtx.ExecContext(ctx, `DELETE FROM `+ident(t)); err != nil {
				return nil, internalf("copy: clear "+t, err)
			}
		} else if n != 0 {
			return nil, jaga.Errorf(jaga.ECONFLICT, "copy: destination table %s is not empty; copy into a new database", t)
		}
		if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+ident(t)).Scan(&c.Source); err != nil {
			return nil, internalf("copy: count source "+t, err)
		}
		if c.Copied, err = copyTable(ctx, stx, dtx, t, opts); err != nil {
			return nil, err
		}
		counts = append(counts, c)
	}
	if err := resetSequences(ctx, dtx); err != nil {
		return nil, internalf("copy: sequences", err)
	}
	if err := dtx.Commit(); err != nil {
		return nil, internalf("copy: commit", err)
	}
	for i := range counts {
		c := &counts[i]
		if err := db.pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+ident(c.Table)).Scan(&c.Dest); err != nil {
			return counts, internalf("copy: verify "+c.Table, err)
		}
		if c.Source != c.Copied || c.Copied != c.Dest {
			return counts, jaga.Errorf(jaga.EINTERNAL, "copy: table %s: %d rows in the source, %d copied, %d in the destination", c.Table, c.Source, c.Copied, c.Dest)
		}
	}
	return counts, nil
}

// sameVersions checks that both databases record the same migrations.
func sameVersions(ctx context.Context, a, b *sql.DB) error {
	va, err := versions(ctx, a)
	if err != nil {
		return internalf("copy: source schema", err)
	}
	vb, err := versions(ctx, b)
	if err != nil {
		return internalf("copy: destination schema", err)
	}
	if !slices.Equal(va, vb) {
		return jaga.Errorf(jaga.EINVALID, "copy: the source schema is at %s and the destination at %s; open both with this program first",
			strings.Join(va, ","), strings.Join(vb, ","))
	}
	return nil
}

func versions(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// copyOrder returns the tables of the current schema but schema_migrations, every table
// after the tables its foreign keys reference, by name otherwise.
func copyOrder(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	rows, err = db.QueryContext(ctx, `SELECT c.relname, p.relname FROM pg_constraint f
		JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid
		WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if child != parent {
			deps[child] = append(deps[child], parent)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	done := map[string]bool{}
	var visit func(t string, depth int) error
	visit = func(t string, depth int) error {
		if done[t] {
			return nil
		}
		if depth > len(tables) {
			return fmt.Errorf("foreign keys form a cycle at table %s", t)
		}
		for _, p := range deps[t] {
			if err := visit(p, depth+1); err != nil {
				return err
			}
		}
		done[t] = true
		out = append(out, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type column struct {
	name, typ string
}

// copyTable copies every row of table from stx to dtx and returns how many.
func copyTable(ctx context.Context, stx, dtx *sql.Tx, table string, opts CopyOptions) (int64, error) {
	cols, err := columns(ctx, dtx, table)
	if err != nil {
		return 0, internalf("copy: columns of "+table, err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = ident(c.name)
	}
	// A source column this schema lacks would be dropped silently: refuse instead.
	probe, err := stx.QueryContext(ctx, `SELECT * FROM `+ident(table)+` LIMIT 0`)
	if err != nil {
		return 0, internalf("copy: read "+table, err)
	}
	srcCols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return 0, internalf("copy: read "+table, err)
	}
	for _, sc := range srcCols {
		if !slices.ContainsFunc(cols, func(c column) bool { return c.name == sc }) {
			return 0, jaga.Errorf(jaga.EINVALID, "copy: source column %s.%s has no PostgreSQL equivalent; the migrations differ", table, sc)
		}
	}
	list := strings.Join(names, ", ")
	rows, err := stx.QueryContext(ctx, `SELECT `+list+` FROM `+ident(table))
	if err != nil {
		return 0, internalf("copy: read "+table, err)
	}
	defer rows.Close()
	batch := min(opts.Batch, 65535/len(cols))
	var (
		args  = make([]any, 0, batch*len(cols))
		n     int64
		stmts = map[int]string{}
	)
	flush := func() error {
		k := len(args) / len(cols)
		if k == 0 {
			return nil
		}
		q, ok := stmts[k]
		if !ok {
			q = insertText(table, list, len(cols), k)
			stmts[k] = q
		}
		if _, err := dtx.ExecContext(ctx, q, args...); err != nil {
			return internalf("copy: write "+table, err)
		}
		n += int64(k)
		clear(args)
		args = args[:0]
		if opts.Progress != nil {
			opts.Progress(table, n)
		}
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, internalf("copy: read "+table, err)
		}
		for i, c := range cols {
			v, err := convert(vals[i], c.typ)
			if err != nil {
				return n, jaga.Errorf(jaga.EINTERNAL, "copy: table %s column %s: %v", table, c.name, err)
			}
			args = append(args, v)
		}
		if len(args) == batch*len(cols) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, internalf("copy: read "+table, err)
	}
	return n, flush()
}

// convert turns a source value into one for a destination column of PostgreSQL type
// typ. SQLite stores booleans as 0 and 1, and may return TEXT as []byte; everything
// else binds as it comes.
func convert(v any, typ string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		if typ == "boolean" {
			return x != 0, nil
		}
	case []byte:
		if typ == "text" {
			return string(x), nil
		}
		return x, nil // bytea: the driver's buffer is already a copy for each Scan into any
	case string:
		if typ == "bytea" {
			return nil, fmt.Errorf("text in a bytea column") // never coerce: it could be a plaintext
		}
	}
	return v, nil
}

func columns(ctx context.Context, tx *sql.Tx, table string) ([]column, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, fmt.Errorf("table %s has no columns", table)
	}
	return out, rows.Err()
}

// insertText is INSERT INTO table (list) VALUES ($1,…),… for k rows of width columns.
func insertText(table, list string, width, k int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + ident(table) + " (" + list + ") VALUES ")
	p := 0
	for r := range k {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteByte(',')
			}
			p++
			b.WriteString("$" + strconv.Itoa(p))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// seededTables are the tables whose rows the migrations insert into every new
// database (singletons such as the registry version counter); Copy replaces their rows
// with the source's instead of refusing the destination as non-empty.
var seededTables = map[string]bool{"registry_version": true, "audit_head": true}

// resetSequences moves every identity or serial sequence of the schema past the largest
// value copied into its column.
func resetSequences(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return err
	}
	var cols [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tc := range cols {
		q := `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(` + ident(tc[1]) + `), 0) + 1, false) FROM ` + ident(tc[0])
		if _, err := tx.ExecContext(ctx, q, tc[0], tc[1]); err != nil {
			return err
		}
	}
	return nil
}

// ident quotes a table or column name read from the catalogue.
func ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
