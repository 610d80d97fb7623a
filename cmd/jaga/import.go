package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"jaga"
	"jaga/importer"
)

func importCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var kind, mapping, channel, source, reportFile, collected string
	var required []string
	var asJSON, deriveBirth, strict bool
	var batch int
	c := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import customers or purchases from CSV, XLSX or JSON Lines files (idempotent and resumable)",
		Long: `Import customers or purchases. The format (CSV, XLSX, JSON Lines), the CSV delimiter,
encoding (UTF-8 or UTF-16, each with or without BOM, Windows-1252) and line ends, XLSX
title rows and the column mapping (Bahasa Indonesia or English headers) are detected
and reported. A CSV file that mixes UTF-8 and Windows-1252 is read record by record and
the lines in the other encoding are named and flagged mixed_encoding for review. A file
named .xlsx that is text (not a ZIP archive, as every workbook is) is read by its
content as CSV or JSON Lines, and the detected line says so.
Rows that fail validation are quarantined encrypted (see 'jaga quarantine'); unreadable,
empty and exact duplicate rows are rejected with their line numbers. Rows that are the
same person are merged into one subject ('jaga subjects unmerge' reverses a merge).
Re-running an import, also after it was killed, imports nothing twice.

Exit status: 0 when the run ended, also with rows rejected or quarantined; 1 when a file
was refused or the run failed; 2 for a usage error; with --strict, 3 when the run
ended and any row or purchase line was rejected or quarantined (the report is written
and printed first); 130 when interrupted by Ctrl-C (SIGINT), 143 by SIGTERM (the
report is written and printed first, saying how many rows were not processed; the
same import run again resumes it).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"import needs at least one file (CSV, XLSX or JSON Lines)", "jaga import [flags] FILE...; run 'jaga import --help' for the flags"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, cfg, err := vf.load(e)
			if err != nil {
				return err
			}
			opts := importer.Options{Kind: importer.Kind(kind), Channel: jaga.Channel(channel), Source: source,
				Actor: cliActor, DeriveBirthDate: deriveBirth, Required: required, AllLines: reportFile != "", BatchSize: batch}
			if opts.Kind != "" && opts.Kind != importer.KindSubjects && opts.Kind != importer.KindPurchases {
				return fmt.Errorf("--kind must be subjects or purchases")
			}
			if channel != "" && !opts.Channel.Valid() {
				return fmt.Errorf("--channel %s: not a channel; want one of %s", jaga.SafeName(channel), channelList())
			}
			if strings.TrimSpace(source) == "" || !jaga.PrintableText(source) {
				return withHint(errors.New("--source must name the source system the row IDs belong to; it is blank or holds a control character"),
					"leave it out for the default crm, or give a name such as crm, pos or webshop")
			}
			if collected != "" {
				if opts.CollectedAt, err = time.Parse(time.RFC3339, collected); err != nil {
					return fmt.Errorf("--collected-at must be an RFC 3339 time with zone (2024-09-15T23:59:00+07:00)")
				}
				if err := jaga.CheckRecordTime("collected_at", opts.CollectedAt, time.Now()); err != nil {
					return fmt.Errorf("--collected-at: %s", jaga.ErrorMessage(err))
				}
			}
			if err := checkRequired(required, cfg); err != nil {
				return err
			}
			if err := checkInputs(args); err != nil {
				return err
			}
			if mapping != "" {
				if opts.Mapping, err = importer.LoadMapping(mapping); err != nil {
					return err
				}
			}
			if reportFile != "" {
				if err := checkReportPath(reportFile, args); err != nil {
					return err
				}
			}
			v, err := openVault(cmd.Context(), dir, cfg, e.stderr)
			if err != nil {
				return err
			}
			defer v.Close()
			opts.Session = v.gate.NewIntakeSession(0)
			total := importer.NewReport()
			var runErr error
			var interrupt *interruptedError
			for i, f := range args {
				rep, err := importOne(cmd, e, v, f, opts)
				if rep != nil {
					total.Add(rep)
				}
				if err != nil {
					runErr = err
					why, later := err.Error(), "not imported: an earlier file of the run failed"
					// A signal (Ctrl-C) stops the run as an error would, but nothing
					// failed: it says so, and the run resumes when started again.
					if ie, ok := interruption(cmd.Context()); ok {
						interrupt = &ie
						why, later = ie.Error(), "not imported: the run was "+ie.Error()
						runErr = withHint(ie, "run the same import again to finish it: rows already stored are not imported twice")
					}
					total.Failed = append(total.Failed, importer.FailedFile{File: filepath.Base(f), Error: why})
					for _, rest := range args[i+1:] {
						total.Failed = append(total.Failed, importer.FailedFile{File: filepath.Base(rest), Error: later})
					}
					break
				}
			}
			if reportFile != "" {
				if err := writeReport(reportFile, total); err != nil {
					return err
				}
			}
			// A run whose files were all refused before a row was read (an unmapped
			// header, an empty file) has nothing to count: the error alone is printed,
			// not a table of zeros.
			if runErr == nil || len(total.Files) > 0 || asJSON {
				printReport(e, total, asJSON, interrupt)
			}
			if runErr == nil && strict {
				return strictStatus(e, total)
			}
			return runErr
		},
	}
	vf.add(c)
	c.Flags().StringVar(&kind, "kind", "", "subjects or purchases (default: detected from the header)")
	c.Flags().StringVar(&mapping, "mapping", "", "YAML column mapping file (columns: {header: target})")
	c.Flags().StringVar(&channel, "channel", "", "collection channel for rows without a channel column (default: guessed from the file)")
	c.Flags().StringVar(&source, "source", "crm", "source system the row IDs belong to")
	c.Flags().StringVar(&collected, "collected-at", "", "collection time of rows without their own (RFC 3339; default: from a sheet title)")
	c.Flags().StringSliceVar(&required, "require", nil, "fields the source's form required (default: email for web-form events)")
	c.Flags().BoolVar(&deriveBirth, "derive-birth-date", false, "fill a missing birth_date from the NIK and year_birth")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	c.Flags().StringVar(&reportFile, "report", "", "write the full report (counts, reasons, every line) as JSON to this file")
	c.Flags().BoolVar(&strict, "strict", false, "exit with status 3 if any row was rejected or quarantined")
	c.Flags().IntVar(&batch, "batch", 0, "rows per transaction (default 40000)")
	_ = c.Flags().MarkHidden("batch")
	return c
}

// exitImportStrict is the exit status of `jaga import --strict` when rows were
// rejected or quarantined.
const exitImportStrict = 3

// strictStatus is the end of an import --strict run that did not fail: exit status
// exitImportStrict, with the counts on stderr, when any row or purchase line was
// rejected or quarantined; nil otherwise.
func strictStatus(e *env, rep *importer.Report) error {
	rejected := rep.Rejected + rep.Purchases.Rejected
	if rep.Quarantined == 0 && rejected == 0 {
		return nil
	}
	errorf(e.stderr, "--strict: %d rows quarantined and %d rejected (exit status %d)", rep.Quarantined, rejected, exitImportStrict)
	return exitError{code: exitImportStrict}
}

// channelList lists jaga.Channels for a message: "web_form, email_signup, …".
func channelList() string {
	names := make([]string, len(jaga.Channels))
	for i, c := range jaga.Channels {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// checkRequired refuses, before anything is imported, a --require name that is no field
// or attribute of the vault's schema: every row would lack it and be quarantined.
func checkRequired(required []string, cfg config) error {
	schema, err := jaga.DefaultSchema().Extend(cfg.Fields)
	if err != nil {
		return err
	}
	for _, f := range required {
		if _, ok := schema.Field(f); !ok {
			return withHint(fmt.Errorf("--require %s: not a field of the vault's schema", jaga.SafeName(f)),
				"name fields such as email, phone, nik, birth_date, or one the config's fields setting declares")
		}
	}
	return nil
}

// checkInputs refuses, before anything is imported, an argument that is a directory
// or that cannot be found: import reads files, one table each.
func checkInputs(args []string) error {
	for _, f := range args {
		st, err := os.Stat(f)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", f, errors.Unwrap(err))
		case st.IsDir():
			return withHint(fmt.Errorf("%s is a directory; import takes files", f),
				"give the CSV, XLSX or JSON Lines files in it, e.g. jaga import "+filepath.Join(f, "*.csv"))
		}
	}
	return nil
}

func importOne(cmd *cobra.Command, e *env, v *vault, path string, opts importer.Options) (*importer.Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	// A progress bar only on a terminal; logs and pipes get the report alone.
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions64(st.Size(), progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription(path),
			progressbar.OptionShowBytes(true), progressbar.OptionThrottle(200_000_000), progressbar.OptionClearOnFinish())
		opts.Progress = func(done, total int64) { _ = bar.Set64(done) }
		defer bar.Finish()
	}
	return importer.ImportFile(cmd.Context(), v.gate, path, opts)
}

// checkReportPath refuses, before anything is imported, a report path that is one of
// the input files or that cannot be written (its directory is missing or read-only, or
// the file is one that takes no writes), so that a report never overwrites an input and
// a run never ends with its rows stored and its report lost. The reason is the
// operating system's for the operation that failed, with the path it failed on.
func checkReportPath(path string, inputs []string) error {
	const hint = "name a new file in a directory you may write"
	if fi, err := os.Stat(path); err == nil {
		for _, in := range inputs {
			if ii, err := os.Stat(in); err == nil && os.SameFile(fi, ii) {
				return withHint(fmt.Errorf("--report %s is the input file %s", path, in), "name a new file for the report")
			}
		}
		if fi.IsDir() {
			return fmt.Errorf("--report %s is a directory; name a file", path)
		}
		if !fi.Mode().IsRegular() {
			return nil // a device or pipe (/dev/stdout): opening it to try could block
		}
		// writeReport writes an existing file in place: open it as that does (without
		// truncating it yet) and write nothing, which fails as a write would (a
		// read-only file, or a file of /proc that takes no writes).
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.Write(nil)
			f.Close()
		}
		if err != nil {
			return withHint(fmt.Errorf("--report %s exists and cannot be written: %w", path, errors.Unwrap(err)), hint)
		}
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return withHint(fmt.Errorf("--report %s cannot be written: its directory %s does not exist", path, dir), "create the directory first, or "+hint)
	}
	f, err := os.CreateTemp(dir, ".jaga-report-*")
	if err != nil {
		return withHint(fmt.Errorf("--report %s cannot be written: no file can be created in %s: %w", path, dir, errors.Unwrap(err)), hint)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func writeReport(path string, rep *importer.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// printReport prints the problem lines to stderr and a summary table to stdout.
// interrupt, when not nil, is the signal that stopped the run (rep.Failed names the
// file it stopped in): the summary says the run was interrupted rather than failed.
func printReport(e *env, rep *importer.Report, asJSON bool, interrupt *interruptedError) {
	if asJSON {
		_ = e.writeJSON(rep)
		return
	}
	shown := 0
	for _, l := range rep.Lines {
		if l.Status != "quarantined" && l.Status != "rejected" {
			continue
		}
		if shown++; shown <= 50 {
			fmt.Fprintf(e.stderr, "jaga: %s\n", l.Error())
		}
	}
	if shown > 50 {
		fmt.Fprintf(e.stderr, "jaga: %d more quarantined or rejected lines (see --report)\n", shown-50)
	}
	// The people table, unless the run read purchase lines only (its rows would all
	// read 0; the purchases line below counts them).
	// A run that stopped on an error (a full disk, a lost database) has rows read but
	// not processed: the table gets a column for them, so that each line adds up.
	stopped := len(rep.Failed) > 0
	people, purchases := 0, 0
	for _, f := range rep.Files {
		if f.Kind == importer.KindPurchases {
			purchases += f.NotProcessed
		} else {
			people += f.NotProcessed
		}
	}
	if rep.RowsRead > 0 || rep.Purchases.RowsRead == 0 {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		cols := "file\trows\tcreated\tmerged\tunchanged\tquarantined\trejected\t"
		if stopped {
			cols += "not processed\t"
		}
		fmt.Fprintln(tw, cols)
		row := func(name string, read, created, merged, unchanged, quarantined, rejected, notProcessed int) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t", name, read, created, merged, unchanged, quarantined, rejected)
			if stopped {
				fmt.Fprintf(tw, "%d\t", notProcessed)
			}
			fmt.Fprintln(tw)
		}
		for _, f := range rep.Files {
			if f.RowsRead == 0 && rep.Purchases.RowsRead > 0 {
				continue // a purchases file
			}
			row(f.File, f.RowsRead, f.Created, f.Merged, f.Unchanged, f.Quarantined, f.Rejected, f.NotProcessed)
		}
		row("total", rep.RowsRead, rep.Created, rep.Merged, rep.Unchanged, rep.Quarantined, rep.Rejected, people)
		_ = tw.Flush()
	}
	if stopped {
		printStopped(e, rep, people+purchases, interrupt)
	}
	for _, f := range rep.Files {
		fmt.Fprintf(e.stdout, "%s: %s\n", f.File, f.Detected)
		fmt.Fprintf(e.stdout, "  columns: %s\n", columnMapping(f.Columns))
	}
	if p := rep.Purchases; p.RowsRead > 0 {
		fmt.Fprintf(e.stdout, "purchases: %d lines: %d linked, %d pending (customer not imported yet), %d already stored, %d rejected, %d of erased customers skipped",
			p.RowsRead, p.Linked, p.Pending, p.Unchanged, p.Rejected, p.Erased)
		if stopped {
			fmt.Fprintf(e.stdout, ", %d not processed (the run stopped)", purchases)
		}
		fmt.Fprintln(e.stdout)
	}
	if n := rep.Purchases.LinkedPending; n > 0 {
		fmt.Fprintf(e.stdout, "purchases: %d pending lines of earlier imports linked to their customers\n", n)
	}
	for _, m := range []struct {
		what string
		by   map[string]int
	}{{"quarantined", rep.QuarantinedBy}, {"rejected", rep.RejectedBy}, {"flagged for review", rep.ReviewBy}} {
		if len(m.by) == 0 {
			continue
		}
		var parts []string
		for k, n := range m.by {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(e.stdout, "%s: %s\n", m.what, strings.Join(parts, ", "))
	}
}

// printStopped says, under the summary table of a run that stopped on an error or was
// interrupted (interrupt not nil), where it stopped, how many rows read were not
// processed (notProcessed, of every file), how far the file was read and which files
// were not imported; the error itself follows on stderr.
func printStopped(e *env, rep *importer.Report, notProcessed int, interrupt *interruptedError) {
	first := rep.Failed[0]
	msg := "stopped: the run failed in " + first.File
	if interrupt != nil {
		msg = "interrupted: the run was " + interrupt.Error() + " in " + first.File
	}
	if notProcessed > 0 {
		msg += fmt.Sprintf("; %d rows read were not processed (not stored, quarantined or rejected)", notProcessed)
	}
	for _, f := range rep.Files {
		if f.File == first.File && f.StoppedAfterLine > 0 {
			msg += fmt.Sprintf(", and %s was not read past line %d", f.File, f.StoppedAfterLine)
		}
	}
	fmt.Fprintln(e.stdout, msg)
	var later []string
	for _, f := range rep.Failed[1:] {
		later = append(later, f.File)
	}
	if len(later) > 0 {
		fmt.Fprintf(e.stdout, "%s: not imported: %s\n", strings.SplitN(msg, ":", 2)[0], strings.Join(later, ", "))
	}
	if interrupt != nil {
		fmt.Fprintln(e.stdout, "interrupted: run the same import again to finish it: rows already stored are not imported twice")
		return
	}
	fmt.Fprintln(e.stdout, "stopped: once the cause below is fixed, run the same import again: rows already stored are not imported twice")
}

// columnMapping renders a file's detected column mapping for the terminal summary as
// "Email → field:email, No. HP/WA → field:phone, …", headers in order of name. A header
// that looks like personal data (a file without a header row, whose first row was read
// as one) is not printed.
func columnMapping(cols map[string]string) string {
	if len(cols) == 0 {
		return "-"
	}
	var parts []string
	withheld := 0
	for h, t := range cols {
		if jaga.LooksPersonal(h) {
			withheld++
			continue
		}
		parts = append(parts, fmt.Sprintf("%s → %s", h, t))
	}
	sort.Strings(parts)
	if withheld > 0 {
		parts = append(parts, fmt.Sprintf("%d header(s) withheld: they look like personal data", withheld))
	}
	return strings.Join(parts, ", ")
}
