package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/auditlog"
)

// auditLogConfig turns the audit settings into the gate's audit log configuration.
func auditLogConfig(c auditConfig) auditlog.Config {
	out := auditlog.Config{Every: c.CheckpointEvery, Interval: c.CheckpointInterval}
	if c.WitnessFile != "" {
		out.Witnesses = append(out.Witnesses, auditlog.FileWitness{Path: c.WitnessFile})
	}
	if c.WitnessURL != "" {
		out.Witnesses = append(out.Witnesses, auditlog.HTTPWitness{URL: c.WitnessURL})
	}
	return out
}

func auditCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "Verify, export and follow the audit log"}
	c.AddCommand(auditVerifyCmd(e), auditExportCmd(e), auditTailCmd(e))
	return c
}

func auditVerifyCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var from, witness, export string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Recompute the audit log's Merkle tree and check every signed checkpoint",
		Long: `Recompute the Merkle tree from the stored events and check every signed checkpoint
and the tree hashes stored with each event. A changed, deleted, inserted or reordered
event is reported with its index (sequence number) and the first checkpoint it breaks.
--from CHECKPOINT starts from a trusted checkpoint file (or the size of a stored one);
--witness FILE compares with checkpoints held outside the database, so that a restored
older copy of the database is detected; --export FILE verifies an export instead, and
checks that each event's readable copy ("event") equals its record decoded.`,
		Args: cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			ctx := cmd.Context()
			vkey := v.gate.AuditLogOf().VerifierKey()
			var rep *auditlog.Report
			if export != "" {
				f, err := os.Open(export)
				if err != nil {
					return err
				}
				defer f.Close()
				if rep, err = auditlog.VerifyExport(f, vkey); err != nil {
					return fmt.Errorf("%s: %w", export, err)
				}
			} else {
				var opts auditlog.VerifyOptions
				var err error
				if from != "" {
					if opts.From, err = trustedCheckpoint(ctx, v, from); err != nil {
						return err
					}
				}
				if witness != "" {
					if opts.Witnessed, err = auditlog.ReadWitness(witness); err != nil {
						return fmt.Errorf("witness: %w", err)
					}
				}
				if rep, err = auditlog.Verify(ctx, v.store, vkey, opts); err != nil {
					return err
				}
			}
			if !rep.OK() {
				if rep.FirstBad != 0 {
					errorf(e.stderr, "audit log broken at event %d: %s", rep.FirstBad, rep.BadReason)
				}
				if rep.BadCheckpoint != 0 {
					errorf(e.stderr, "first failing checkpoint: size %d: %s", rep.BadCheckpoint, rep.CheckpointReason)
				}
				if rep.Mismatches > 0 {
					more := ""
					if rep.Mismatches > 1 {
						more = fmt.Sprintf(" (and %d more events)", rep.Mismatches-1)
					}
					errorf(e.stderr, "%s: %s%s", export, rep.MismatchReason, more)
				}
				return exitError{code: 1}
			}
			fmt.Fprintf(e.stdout, "audit log ok: %d events recomputed (from %d), %d checkpoints verified\n", rep.Events, rep.From, rep.Checkpoints)
			return nil
		}),
	}
	vf.add(cmd)
	cmd.Flags().StringVar(&from, "from", "", "start from this trusted checkpoint (a file with a signed checkpoint, or the size of a stored one)")
	cmd.Flags().StringVar(&witness, "witness", "", "a file with checkpoints held outside the database")
	cmd.Flags().StringVar(&export, "export", "", "verify this export (JSON Lines) instead of the database")
	return cmd
}

// trustedCheckpoint reads --from: a file holding a signed checkpoint, or the size of a
// stored checkpoint.
func trustedCheckpoint(ctx context.Context, v *vault, from string) ([]byte, error) {
	size, err := strconv.ParseInt(from, 10, 64)
	if err != nil {
		notes, err := auditlog.ReadWitness(from)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		return notes[len(notes)-1], nil
	}
	var note []byte
	err = v.store.View(ctx, func(tx jaga.Tx) error {
		cps, err := tx.AuditCheckpoints(ctx, size-1, 1)
		if err != nil {
			return err
		}
		if len(cps) == 0 || cps[0].Size != size {
			return fmt.Errorf("--from: no stored checkpoint of size %d", size)
		}
		note = cps[0].Note
		return nil
	})
	return note, err
}

func auditExportCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the audit log as JSON Lines with every signed checkpoint (docs/audit-verify.md)",
		Args:  cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			if out == "" {
				_, err := v.gate.AuditLogOf().Export(cmd.Context(), v.store, e.stdout)
				return err
			}
			w, name, done, err := e.openOutput(out)
			if err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			n, err := v.gate.AuditLogOf().Export(cmd.Context(), v.store, w)
			if cerr := done(); err == nil && cerr != nil {
				err = fmt.Errorf("--output: %w", cerr)
			}
			if err != nil {
				return err
			}
			// On stderr, so that standard output (-o -) stays pure JSON Lines.
			fmt.Fprintf(e.stderr, "jaga: %d audit events written to %s\n", n, name)
			return nil
		}),
	}
	vf.add(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file (mode 0600) instead of standard output; - is standard output, with the count on stderr")
	return cmd
}

var errTailDone = errors.New("tail done")

func auditTailCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var after seqFlag
	var follow bool
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Print audit events as JSON Lines (for a SIEM); --follow waits for new ones",
		Args:  cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			ctx := cmd.Context()
			enc := json.NewEncoder(e.stdout)
			if !follow {
				var head jaga.AuditHead
				if err := v.store.View(ctx, func(tx jaga.Tx) error {
					var err error
					head, err = tx.AuditHead(ctx)
					return err
				}); err != nil {
					return err
				}
				if head.Size <= int64(after) {
					return nil
				}
				err := auditlog.Tail(ctx, v.store, int64(after), 0, func(ev *jaga.AuditEvent) error {
					if ev.Seq > head.Size {
						return errTailDone
					}
					if err := enc.Encode(ev); err != nil {
						return err
					}
					if ev.Seq == head.Size {
						return errTailDone
					}
					return nil
				})
				if err == errTailDone {
					err = nil
				}
				return err
			}
			return auditlog.Tail(ctx, v.store, int64(after), 0, func(ev *jaga.AuditEvent) error { return enc.Encode(ev) })
		}),
	}
	vf.add(cmd)
	cmd.Flags().Var(&after, "after", "start after this event sequence number (0 or more)")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep running and print new events as they are committed")
	return cmd
}
