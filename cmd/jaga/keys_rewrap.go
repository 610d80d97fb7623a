package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
	"jaga/seal"
)

// rotationLock is the store job lock (jaga.Store.TryLock) that `keys rotate` and `keys
// rewrap` hold, so that one rotation, or its resumption, runs at a time across the
// nodes sharing the database.
const rotationLock = "kek_rotation"

func keysRewrapCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var batch int
	var dry bool
	cmd := &cobra.Command{
		Use:   "rewrap",
		Short: "Re-wrap every wrapped key not under the current primary KEK (resumes an interrupted rotation)",
		Long: `rewrap re-wraps under the current primary KEK, in batches, every key the database holds
wrapped by another version (subjects', quarantined rows', pending sign-ups' and pending
purchases' DEKs, request keys, token keys), adding no KEK version: it is step 4 of
'jaga keys rotate' on its own, and what resumes a rotation that stopped after its
promotion. Keys already under the primary are skipped. The run is audited
(key_rotation, reason kek-<ID>-rewrapped with the count). With --dry-run it only counts
the keys not under the primary and changes nothing.`,
		Args: cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			ctx := cmd.Context()
			if batch <= 0 {
				return fmt.Errorf("--batch must be positive")
			}
			if dry {
				st, err := seal.RewrapAll(ctx, v.keys, v.store, batch, true)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "dry run: %d wrapped keys scanned, %d not under the primary kek %d (%s)\n", st.Scanned, st.Rewrapped, st.Primary, rewrapLine(st))
				return nil
			}
			release, err := lockRotation(ctx, v)
			if err != nil {
				return err
			}
			defer release()
			st, err := rewrapAudited(ctx, e, v, batch)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "kek %d primary; %d data keys scanned, %d re-wrapped (%s)\n", st.Primary, st.Scanned, st.Rewrapped, rewrapLine(st))
			return nil
		}),
	}
	vf.add(cmd)
	cmd.Flags().IntVar(&batch, "batch", 1000, "wrapped keys read (and re-wrapped) per transaction")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "count the keys not under the primary KEK and change nothing")
	return cmd
}

// lockRotation takes rotationLock; an error with a hint while another node holds it.
func lockRotation(ctx context.Context, v *vault) (release func(), err error) {
	release, ok, err := v.store.TryLock(ctx, rotationLock)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, withHint(fmt.Errorf("another key rotation is running on a node of this vault"), "wait for it to finish; 'jaga keys list' shows the versions")
	}
	return release, nil
}

// recordRotation writes one key_rotation audit event with reason kek-<id>-<what> and
// count. It is written even when ctx was cancelled (an interrupted run still records
// what it changed), within a few seconds.
func recordRotation(ctx context.Context, v *vault, id uint32, what string, count int) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return v.gate.RecordEvent(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity, Reason: rotationReason(id, what)}, jaga.ActionKeyRotation, count)
}

// rewrapAudited re-wraps every key not under the primary KEK (seal.RewrapAll) and audits
// the run: kek-<primary>-rewrapped with the number re-wrapped, or, when it stopped
// part-way after re-wrapping some, kek-<primary>-rewrap-stopped with that number and a
// hint to resume with `jaga keys rewrap`.
func rewrapAudited(ctx context.Context, e *env, v *vault, batch int) (seal.RewrapStats, error) {
	st, err := seal.RewrapAll(ctx, v.keys, v.store, batch, false)
	if err != nil {
		if st.Rewrapped > 0 {
			if aerr := recordRotation(ctx, v, st.Primary, "rewrap-stopped", st.Rewrapped); aerr != nil {
				errorf(e.stderr, "audit of the stopped re-wrap: %v", aerr)
			}
		}
		const hint = "'jaga keys rewrap' resumes it, without adding a KEK version, once the cause is fixed"
		if jaga.AsError(err) != nil {
			return st, jagaHint(err, hint)
		}
		return st, withHint(fmt.Errorf("re-wrap stopped after %d keys: %w", st.Rewrapped, err), hint)
	}
	return st, recordRotation(ctx, v, st.Primary, "rewrapped", st.Rewrapped)
}

// rotateDryRun prints what `keys rotate` would do: add a version and re-wrap every
// wrapped key under it, counted by kind from the keys' version prefixes (nothing is
// opened), and how many of them are not under the current primary now.
func rotateDryRun(ctx context.Context, e *env, v *vault, batch int) error {
	if err := v.keys.Reload(); err != nil {
		return err
	}
	u, err := seal.CountKEKUsage(ctx, v.store, batch)
	if err != nil {
		return err
	}
	byKind := map[jaga.WrappedKeyKind]int{}
	total := 0
	for _, kinds := range u.ByKEK {
		for kind, n := range kinds {
			byKind[kind] += n
			total += n
		}
	}
	primary := v.keys.PrimaryKEK()
	fmt.Fprintf(e.stdout, "dry run: a rotation adds a new primary kek and re-wraps all %d wrapped keys under it (%s); %d of them are not under the current primary kek %d now\n",
		total, kindCounts(byKind), total-u.Total(primary), primary)
	damaged := 0
	for _, n := range u.Unreadable {
		damaged += n
	}
	if damaged > 0 {
		fmt.Fprintf(e.stdout, "damaged: %d wrapped keys (%s) without a readable KEK version would stop the re-wrap\n", damaged, kindCounts(u.Unreadable))
	}
	return nil
}

// kindCounts lists counts by kind as KEKUsage.Describe does: "2 subject, 1 token".
func kindCounts(m map[jaga.WrappedKeyKind]int) string {
	return seal.KEKUsage{ByKEK: map[uint32]map[jaga.WrappedKeyKind]int{0: m}}.Describe(0)
}
