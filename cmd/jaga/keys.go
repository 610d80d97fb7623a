package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
	"jaga/seal"
)

func keysCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "keys", Short: "Inspect and rotate the vault's key-encryption key (KEK)"}
	var vf vaultFlags
	var grace time.Duration
	var batch int
	var dry bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List KEK versions (IDs and status, never key material)",
		Args:  cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			for _, k := range v.keys.KEKs() {
				p := ""
				if k.Primary {
					p = " primary"
				}
				fmt.Fprintf(e.stdout, "kek %d %s%s\n", k.ID, k.Status, p)
			}
			return nil
		}),
	}
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Rotate the KEK while servers keep serving: add a non-primary version, wait for nodes to reload, promote it, re-wrap every DEK",
		Long: `rotate follows DESIGN.md: (1) a new KEK version is added to keys/kek.json as non-primary,
(2) it waits --grace so that every running 'jaga serve' re-reads keys/ (they poll every
key_reload, default 2s, and also reload when they meet an unknown key ID), (3) promotes
the new version, (4) re-wraps every subject's DEK under it in batches. Field ciphertext
is never touched. With --dry-run it only counts what step 4 would re-wrap.`,
		Args: cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			ctx := cmd.Context()
			if dry {
				st, err := seal.RewrapAll(ctx, v.keys, v.store, batch, true)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "dry run: %d wrapped DEKs scanned, %d not under the primary KEK %d\n", st.Scanned, st.Rewrapped, v.keys.PrimaryKEK())
				return nil
			}
			if grace < 0 || batch <= 0 {
				return fmt.Errorf("--grace must not be negative and --batch must be positive")
			}
			// One rotation at a time across the nodes sharing the database.
			release, ok, err := v.store.TryLock(ctx, "kek_rotation")
			if err != nil {
				return err
			}
			if !ok {
				return withHint(fmt.Errorf("another key rotation is running on a node of this vault"), "wait for it to finish; 'jaga keys list' shows the versions")
			}
			defer release()
			id, err := v.keys.AddKEK()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jaga: added kek %d as non-primary; waiting %s for running nodes to reload\n", id, grace)
			select {
			case <-time.After(grace):
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := v.keys.PromoteKEK(id); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jaga: kek %d is primary; re-wrapping data keys\n", id)
			st, err := seal.RewrapAll(ctx, v.keys, v.store, batch, false)
			if err != nil {
				return err
			}
			if err := v.gate.RecordEvent(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity, Reason: fmt.Sprintf("kek %d promoted", id)}, jaga.ActionKeyRotation, st.Rewrapped); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "kek %d primary; %d data keys scanned, %d re-wrapped\n", id, st.Scanned, st.Rewrapped)
			return nil
		}),
	}
	rotate.Flags().DurationVar(&grace, "grace", 5*time.Second, "how long running nodes get to reload the new key before it is promoted")
	rotate.Flags().IntVar(&batch, "batch", 1000, "data keys re-wrapped per transaction")
	rotate.Flags().BoolVar(&dry, "dry-run", false, "count the data keys to re-wrap and change nothing")
	vf.add(list)
	vf.add(rotate)
	c.AddCommand(list, rotate)
	return c
}
