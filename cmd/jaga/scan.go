package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga/pii"
	"jaga/piiscan"
)

// exitFound is the exit status of `jaga scan --fail-on` when a listed kind was found.
const exitFound = 3

// exitUnscanned is the exit status of `jaga scan` when a file could not be scanned (it
// is listed with the reason); it wins over exitFound, since the scan is incomplete.
const exitUnscanned = 4

func scanCmd(e *env) *cobra.Command {
	var asJSON, names bool
	var failOn, redactTo, redactMode, kinds, dbURL, table string
	var sample int
	var vf vaultFlags
	var flushTokens func(context.Context) error
	c := &cobra.Command{
		Use:   "scan [PATH...] | scan --db URL --table T",
		Short: "Find personal data (NIK, NPWP, phones, e-mails, cards, …) in files, directories or a database table",
		Long: `Scan text, log, CSV, XLSX and JSON Lines files (directories recursively) or the columns
of a SQLite or PostgreSQL table for Indonesian personal data, and print where it is and of
which kind — never the values. --fail-on nik,npwp exits with status 3 when one of those
kinds is found (for CI). A path that cannot be scanned (missing, unreadable, or not the format
its name says) is listed with the reason, the rest is scanned, and the exit status is 4
(whatever --fail-on found). --redact DIR writes redacted copies under DIR (--redact - writes
them to standard output); DIR must not be, or contain, a scanned file (a DIR inside a
scanned directory is skipped); copies are written through a temporary file and renamed,
and text or CSV read as Windows-1252 or UTF-16 is written as UTF-8; --redact-mode is mask (default), label, or token: each value
is replaced by a token jgt_… that the gate of the vault --dir stores sealed and that the
dpo or support resolve with a reason (POST /v1/tokens/resolve).

Kinds: ` + strings.Join(kindNames(), ", "),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := pii.Options{Names: names}
			if kinds != "" {
				ks, err := pii.ParseKinds(kinds)
				if err != nil {
					return fmt.Errorf("--kinds: %w", err)
				}
				opts.Kinds = ks
			}
			fail, err := pii.ParseKinds(failOn)
			if err != nil {
				return fmt.Errorf("--fail-on: %w", err)
			}
			sc, err := pii.NewScanner(opts)
			if err != nil {
				return fmt.Errorf("--kinds: %w", err)
			}
			totals := map[string]int{}
			if dbURL != "" || table != "" {
				if dbURL == "" || table == "" || len(args) > 0 || redactTo != "" {
					return fmt.Errorf("--db needs --table, and no paths or --redact")
				}
				if sample < 0 {
					return withHint(fmt.Errorf("--sample %d: want a number of rows, 0 or more", sample), "--sample 0 reads every row")
				}
				if err := scanTable(cmd, e, sc, dbURL, table, sample, asJSON, totals); err != nil {
					return err
				}
				return failStatus(e, fail, totals)
			}
			if len(args) == 0 {
				return withHint(fmt.Errorf("nothing to scan"), "give files or directories, or --db URL --table T")
			}
			po := piiscan.Options{Scanner: sc, KeepHits: asJSON, Stdout: e.stdout}
			if redactTo != "" {
				m, err := pii.ParseMode(redactMode)
				if err != nil {
					return fmt.Errorf("--redact-mode: %w", err)
				}
				po.Redact, po.RedactDir = &pii.Redaction{Mode: m}, redactTo
				if redactTo == "-" && asJSON {
					return fmt.Errorf("--redact - and --json both write to standard output")
				}
				if m == pii.Token {
					// Tokens are issued by the gate of an existing vault (scan_token.go).
					tokens, done, err := openTokenSession(cmd, e, &vf)
					if err != nil {
						return err
					}
					defer done()
					po.Redact.Tokenizer, flushTokens = tokens, tokens.Flush
				}
			}
			reps, err := piiscan.ScanPaths(cmd.Context(), args, po)
			if err != nil {
				return err
			}
			if flushTokens != nil {
				if err := flushTokens(cmd.Context()); err != nil {
					return withHint(fmt.Errorf("the tokens could not be stored: %w", err), "do not use the redacted copies: their tokens resolve to nothing")
				}
			}
			for _, r := range reps {
				for k, n := range r.Counts {
					totals[k] += n
				}
			}
			switch {
			case asJSON:
				if err := e.writeJSON(map[string]any{"files": reps, "totals": totals}); err != nil {
					return err
				}
			default:
				out := e.stdout
				if redactTo == "-" {
					out = e.stderr // the redacted text owns standard output
				}
				tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "FILE\tFORMAT\tFOUND")
				for _, r := range reps {
					if r.Error != "" {
						fmt.Fprintf(tw, "%s\t%s\tnot scanned\n", r.Path, r.Format)
						fmt.Fprintf(tw, "\t\terror: %s\n", r.Error)
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Path, r.Format, summary(r.Counts))
					for _, w := range r.Warnings {
						fmt.Fprintf(tw, "\t\twarning: %s\n", w)
					}
				}
				fmt.Fprintf(tw, "TOTAL\t%d files\t%s\n", len(reps), summary(totals))
				tw.Flush()
			}
			status := failStatus(e, fail, totals)
			if bad := piiscan.Failed(reps); len(bad) > 0 {
				errorf(e.stderr, "%d of %d files could not be scanned (listed with the reason)", len(bad), len(reps))
				return exitError{code: exitUnscanned}
			}
			return status
		},
	}
	f := c.Flags()
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (every finding with its place, never its value)")
	f.StringVar(&failOn, "fail-on", "", "exit with status 3 if any of these kinds (comma-separated) is found")
	f.StringVar(&redactTo, "redact", "", "write redacted copies under this directory (- for standard output)")
	f.StringVar(&redactMode, "redact-mode", "mask", "mask, label or token (token needs a vault: --dir)")
	f.StringVar(&vf.dir, "dir", "", "vault that issues the tokens of --redact-mode token (default $JAGA_DIR, else ./jaga-data)")
	f.StringVar(&vf.config, "config", "", "config file of that vault (default DIR/jaga.yaml)")
	f.BoolVar(&names, "names", false, "also find person names, places and street addresses (slower)")
	f.StringVar(&kinds, "kinds", "", "report only these kinds (comma-separated)")
	f.StringVar(&dbURL, "db", "", "database to scan: postgres://…, sqlite:PATH or file:PATH")
	f.StringVar(&table, "table", "", "table to scan with --db (schema.table allowed)")
	f.IntVar(&sample, "sample", 1000, "rows to read with --db (0 reads every row)")
	return c
}

func scanTable(cmd *cobra.Command, e *env, sc *pii.Scanner, url, table string, sample int, asJSON bool, totals map[string]int) error {
	db, err := piiscan.OpenDB(url)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := piiscan.ScanTable(cmd.Context(), db, table, sample, sc)
	if err != nil {
		return err
	}
	for _, c := range rep.Columns {
		for k, n := range c.Counts {
			totals[k] += n
		}
	}
	if asJSON {
		return e.writeJSON(rep)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "COLUMN\tROWS WITH FINDINGS\tFOUND\n")
	for _, c := range rep.Columns {
		fmt.Fprintf(tw, "%s\t%d of %d\t%s\n", c.Column, c.Rows, rep.Scanned, summary(c.Counts))
	}
	return tw.Flush()
}

// failStatus returns the --fail-on exit status when a listed kind was found.
func failStatus(e *env, fail []pii.Kind, totals map[string]int) error {
	var hit []string
	for _, k := range fail {
		if n := totals[k.String()]; n > 0 {
			hit = append(hit, fmt.Sprintf("%s (%d)", k, n))
		}
	}
	if len(hit) == 0 {
		return nil
	}
	errorf(e.stderr, "found %s", strings.Join(hit, ", "))
	return exitError{code: exitFound}
}

// summary renders counts as "nik 2, phone 1" (kinds in pii.Kinds order), or "-".
func summary(counts map[string]int) string {
	var parts []string
	for _, k := range pii.Kinds {
		if n := counts[k.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func kindNames() []string {
	var s []string
	for _, k := range pii.Kinds {
		s = append(s, k.String())
	}
	sort.Strings(s)
	return s
}
