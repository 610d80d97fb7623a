package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga/sqlstore/postgres"
	"jaga/sqlstore/sqlite"
)

func storeCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "store", Short: "Move a vault's database"}
	var dir, to string
	var batch int
	cp := &cobra.Command{
		Use:   "copy --to postgres://…",
		Short: "Copy the vault's SQLite database to an empty PostgreSQL database, ciphertext as is",
		Long: `copy moves a vault from SQLite (DIR/data/jaga.db) to PostgreSQL: every table, row by
row as stored. Nothing is decrypted: ciphertext, blind indexes and audit hashes are copied
byte for byte, so keys/ is not read. Stop every node of the vault first: the copy reads one
snapshot. The destination database must be empty (it is migrated first); the copy is one
transaction, so a failed copy leaves it empty. At the end each table's rows are counted in
the source and in the destination and must agree. Then serve with --db or
JAGA_DATABASE_URL set to the same URL and the same keys/ (docs/postgres.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if postgres.IsConnString(to) && postgres.HasPassword(to) {
				fmt.Fprintln(e.stderr, strings.Replace(dbPasswordWarning, "--db", "--to", 1))
			}
			if to == "" {
				var err error
				if to, err = databaseURLEnv(e.lookup); err != nil {
					return err
				}
			}
			if !postgres.IsConnString(to) {
				return withHint(fmt.Errorf("--to must be a postgres:// or postgresql:// URL or a key/value string: %s", postgres.ConnStringProblem(to)), "e.g. --to 'postgres://jaga@db.internal/jaga?sslmode=verify-full'")
			}
			if batch <= 0 {
				return fmt.Errorf("--batch must be positive")
			}
			vdir, err := e.dir(dir)
			if err != nil {
				return err
			}
			path := filepath.Join(vdir, "data", "jaga.db")
			if _, err := os.Stat(path); err != nil {
				return withHint(fmt.Errorf("no SQLite database in %s", vdir), "name the vault with --dir DIR or JAGA_DIR")
			}
			src, err := sqlite.Open(ctx, path, sqlite.Options{})
			if err != nil {
				return fmt.Errorf("source database: %w", err)
			}
			defer src.Close()
			tables, err := src.Tables(ctx)
			if err != nil {
				return err
			}
			dst, err := postgres.Open(ctx, to, postgres.Options{})
			if err != nil {
				return fmt.Errorf("destination database: %w", err)
			}
			defer dst.Close()
			fmt.Fprintf(e.stderr, "jaga: copying %d tables\n", len(tables))
			counts, err := dst.CopyFrom(ctx, postgres.Source{DB: src.Reader(), Tables: tables}, postgres.CopyOptions{Batch: batch})
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "TABLE\tSOURCE\tCOPIED\tDESTINATION\t")
			for _, c := range counts {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", c.Table, c.Source, c.Copied, c.Dest)
			}
			if ferr := tw.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jaga: copy verified: every table has as many rows in PostgreSQL as in SQLite\n")
			return nil
		},
	}
	cp.Flags().StringVar(&dir, "dir", "", "vault directory (default $JAGA_DIR, else ./jaga-data)")
	cp.Flags().StringVar(&to, "to", "", "destination PostgreSQL URL (default $JAGA_DATABASE_URL)")
	cp.Flags().IntVar(&batch, "batch", 1000, "rows per INSERT statement")
	c.AddCommand(cp)
	return c
}
