package piiscan

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"

	"jaga/pii"
)

// ColumnReport is what one column of a table holds.
type ColumnReport struct {
	Column string         `json:"column"`
	Rows   int            `json:"rows_with_findings"`
	Counts map[string]int `json:"counts"` // kind name → findings
}

// TableReport is the result of ScanTable.
type TableReport struct {
	Table   string         `json:"table"`
	Scanned int            `json:"rows_scanned"`
	Columns []ColumnReport `json:"columns"` // in the table's column order
}

// OpenDB opens a database by URL: "postgres://…" or "postgresql://…" (pgx), and
// "sqlite:PATH", "sqlite://PATH" or "file:PATH" (opened read-only with the database/sql
// driver "sqlite", modernc's, which only package sqlstore imports: cmd/jaga links it
// through sqlstore/sqlite, and tests import it themselves).
func OpenDB(url string) (*sql.DB, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return sql.Open("pgx", url)
	case strings.HasPrefix(url, "sqlite:"), strings.HasPrefix(url, "file:"):
		p := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:"), "//")
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		if _, err := os.Stat(p); err != nil {
			return nil, pathError(p, err)
		}
		return sql.Open("sqlite", "file:"+p+"?mode=ro")
	}
	return nil, fmt.Errorf("--db: unsupported URL scheme (use postgres://…, sqlite:PATH or file:PATH)")
}

// quoteIdent quotes a table name ("schema.table" allowed) for SQL: each part in double
// quotes with inner quotes doubled.
func quoteIdent(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("--table is empty")
	}
	parts := strings.Split(name, ".")
	for i, p := range parts {
		if p == "" {
			return "", fmt.Errorf("--table %q has an empty part", name)
		}
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(parts, "."), nil
}

// ScanTable scans the columns of table in db: the first sample rows (all rows when
// sample <= 0). Each value is read as text (numbers as their decimal form, times as
// RFC 3339, BLOBs as bytes) and scanned; the report says which columns hold which
// kinds, never a value.
func ScanTable(ctx context.Context, db *sql.DB, table string, sample int, sc *pii.Scanner) (*TableReport, error) {
	q, err := quoteIdent(table)
	if err != nil {
		return nil, err
	}
	query := "SELECT * FROM " + q
	if sample > 0 {
		query += fmt.Sprintf(" LIMIT %d", sample)
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	rep := &TableReport{Table: table, Columns: make([]ColumnReport, len(cols))}
	for i, c := range cols {
		rep.Columns[i] = ColumnReport{Column: c, Counts: map[string]int{}}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("table %s row %d: %w", table, rep.Scanned+1, err)
		}
		rep.Scanned++
		for i, v := range vals {
			var b []byte
			switch x := v.(type) {
			case nil:
				continue
			case []byte:
				b = x
			case string:
				b = []byte(x)
			case time.Time:
				b = []byte(x.Format(time.RFC3339Nano))
			default:
				b = fmt.Append(nil, x)
			}
			fs := sc.Scan(b)
			if len(fs) > 0 {
				rep.Columns[i].Rows++
			}
			for _, f := range fs {
				rep.Columns[i].Counts[f.Kind.String()]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("table %s: %w", table, err)
	}
	return rep, nil
}
