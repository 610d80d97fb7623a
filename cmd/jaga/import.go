package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"jaga"
	"jaga/importer"
)

func importCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var kind, mapping, channel, source string
	var stop, asJSON, deriveBirth bool
	c := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import customers or purchases from CSV files (idempotent: re-running imports nothing twice)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, cfg, err := vf.load(e)
			if err != nil {
				return err
			}
			opts := importer.Options{Kind: importer.Kind(kind), Channel: jaga.Channel(channel), Source: source,
				Actor: cliActor, StopOnError: stop, DeriveBirthDate: deriveBirth}
			if opts.Kind != "" && opts.Kind != importer.KindSubjects && opts.Kind != importer.KindPurchases {
				return fmt.Errorf("--kind must be subjects or purchases")
			}
			if channel != "" && !opts.Channel.Valid() {
				return fmt.Errorf("--channel: unknown channel %q", channel)
			}
			if mapping != "" {
				if opts.Mapping, err = importer.LoadMapping(mapping); err != nil {
					return err
				}
			}
			v, err := openVault(cmd.Context(), dir, cfg, e.stderr)
			if err != nil {
				return err
			}
			defer v.Close()
			failed := false
			for _, f := range args {
				rep, err := importOne(cmd, e, v, f, opts, asJSON)
				if err != nil {
					return err
				}
				failed = failed || rep.Failed > 0
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	vf.add(c)
	c.Flags().StringVar(&kind, "kind", "", "subjects or purchases (default: detected from the header)")
	c.Flags().StringVar(&mapping, "mapping", "", "YAML column mapping file (columns: {header: target})")
	c.Flags().StringVar(&channel, "channel", "", "collection channel for rows without a channel column")
	c.Flags().StringVar(&source, "source", "crm", "source system the row IDs belong to")
	c.Flags().BoolVar(&stop, "stop-on-error", false, "stop at the first bad row (default: report it and go on)")
	c.Flags().BoolVar(&deriveBirth, "derive-birth-date", false, "fill a missing birth_date from the NIK and year_birth")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}

func importOne(cmd *cobra.Command, e *env, v *vault, path string, opts importer.Options, asJSON bool) (*importer.Report, error) {
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
	rep, err := importer.ImportFile(cmd.Context(), v.gate, path, opts)
	if rep != nil {
		printReport(e, rep, asJSON)
	}
	if err != nil && rep != nil && rep.Stopped {
		return rep, exitError{code: 1}
	}
	return rep, err
}

func printReport(e *env, rep *importer.Report, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return
	}
	for _, le := range rep.Errors {
		fmt.Fprintf(e.stderr, "jaga: error: %s\n", le.Error())
	}
	if rep.Failed > len(rep.Errors) {
		fmt.Fprintf(e.stderr, "jaga: error: %d more bad rows not listed\n", rep.Failed-len(rep.Errors))
	}
	fmt.Fprintf(e.stdout, "%s: %s (%s); %d rows: %d new, %d already imported, %d failed", rep.File, rep.Kind, rep.Detected, rep.Rows, rep.Created, rep.Existing, rep.Failed)
	if rep.Erased > 0 {
		fmt.Fprintf(e.stdout, ", %d of erased customers skipped", rep.Erased)
	}
	fmt.Fprintf(e.stdout, " in %s\n", rep.Duration.Round(1e6))
}
