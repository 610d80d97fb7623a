package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
	"jaga/seal"
)

func keysCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "keys", Short: "Inspect, rotate, re-wrap under and retire the vault's key-encryption key (KEK)"}
	var vf vaultFlags
	var grace time.Duration
	var batch int
	var dry bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List KEK versions with how many wrapped keys of each kind each protects (counts, never key material)",
		Long: `list prints one line per KEK version in keys/kek.json: its ID, status, whether it is the
primary, and how many keys stored in the database are wrapped under it, by kind (subject,
quarantine, signup, pending_purchase, request, token). A version that protects no key any
more can be retired with 'jaga keys retire ID'. It reads every wrapped key's 5-byte
version prefix; nothing is opened.`,
		Args: cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			if err := v.keys.Reload(); err != nil {
				return err
			}
			u, err := seal.CountKEKUsage(cmd.Context(), v.store, batch)
			if err != nil {
				return err
			}
			known := map[uint32]bool{}
			for _, k := range v.keys.KEKs() {
				known[k.ID] = true
				p := ""
				if k.Primary {
					p = " primary"
				}
				fmt.Fprintf(e.stdout, "kek %d %s%s: %s\n", k.ID, k.Status, p, usageLine(u, k.ID))
			}
			for id := range u.ByKEK {
				if !known[id] {
					fmt.Fprintf(e.stdout, "kek %d missing from %s: %s\n", id, seal.KEKFile, usageLine(u, id))
				}
			}
			for _, kind := range jaga.WrappedKeyKinds() {
				if n := u.Unreadable[kind]; n > 0 {
					fmt.Fprintf(e.stdout, "damaged: %d %s keys without a readable KEK version\n", n, kind)
				}
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
the new version, (4) re-wraps under it, in batches, every key the database holds
(all of them, since they are all under older versions): subjects' DEKs, quarantined
rows', pending sign-ups' and pending purchases' DEKs, request keys and token keys.
Field ciphertext is never touched. Each step is audited as it happens (key_rotation,
reasons kek-<ID>-added, kek-<ID>-promoted, kek-<ID>-rewrapped with the count).
Do not run rotate again after an interruption: that adds yet another version. If it
stopped after the promotion, 'jaga keys rewrap' finishes step 4 under the new primary;
if before, the added version wraps nothing ('jaga keys retire ID' removes it)
and rotate may be run again. Afterwards
'jaga keys list' shows the old version protecting nothing, and 'jaga keys retire ID'
removes it. With --dry-run it only counts the keys step 4 would re-wrap (every wrapped
key, by kind).`,
		Args: cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			ctx := cmd.Context()
			if grace < 0 || batch <= 0 {
				return fmt.Errorf("--grace must not be negative and --batch must be positive")
			}
			if dry {
				return rotateDryRun(ctx, e, v, batch)
			}
			// One rotation at a time across the nodes sharing the database.
			release, err := lockRotation(ctx, v)
			if err != nil {
				return err
			}
			defer release()
			id, err := v.keys.AddKEK()
			if err != nil {
				return err
			}
			if err := recordRotation(ctx, v, id, "added", 0); err != nil {
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
			// Audited before the re-wrap, so that a run killed during it leaves the
			// promotion on record.
			if err := recordRotation(ctx, v, id, "promoted", 0); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jaga: kek %d is primary; re-wrapping data keys\n", id)
			st, err := rewrapAudited(ctx, e, v, batch)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "kek %d primary; %d data keys scanned, %d re-wrapped (%s)\n", id, st.Scanned, st.Rewrapped, rewrapLine(st))
			return nil
		}),
	}
	retire := &cobra.Command{
		Use:   "retire ID",
		Short: "Remove an old KEK version from keys/kek.json once no wrapped key is under it any more",
		Long: `retire removes KEK version ID (as 'jaga keys list' prints it) from keys/kek.json for good.
It refuses, changing nothing, when ID is the primary or unknown, or while any key in the
database (of any kind) is still wrapped under it: 'jaga keys rewrap' re-wraps those. The
change is audited (key_rotation). Data backups taken before the re-wrap no longer open
with these keys once the version is gone; retire only after every running node has had
time to reload keys/ since the promotion.`,
		Args: cobra.ExactArgs(1),
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			n, err := strconv.ParseUint(args[0], 10, 32)
			if errors.Is(err, strconv.ErrRange) {
				return withHint(fmt.Errorf("the ID is out of range for a KEK version ID (a uint32: 0 to 4294967295)"), "'jaga keys list' shows the versions")
			} else if err != nil {
				return withHint(fmt.Errorf("the kek ID must be a number"), "'jaga keys list' shows the versions")
			}
			id := uint32(n)
			// Not while a rotation or re-wrap runs on any node: it may be promoting or
			// re-wrapping under the very version named here.
			release, err := lockRotation(cmd.Context(), v)
			if err != nil {
				return err
			}
			defer release()
			if _, err := seal.RetireKEK(cmd.Context(), v.keys, v.store, id, batch); err != nil {
				switch jaga.ErrorCode(err) {
				case jaga.ECONFLICT:
					if strings.Contains(err.Error(), "still wraps") {
						return jagaHint(err, "'jaga keys rewrap' re-wraps them under the primary; then retire again")
					}
				case jaga.ENOTFOUND:
					return jagaHint(err, "'jaga keys list' shows the versions")
				}
				return err
			}
			if err := v.gate.RecordEvent(cmd.Context(), gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity, Reason: rotationReason(id, "retired")}, jaga.ActionKeyRotation, 0); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "kek %d retired; kek %d is primary\n", id, v.keys.PrimaryKEK())
			return nil
		}),
	}
	rotate.Flags().DurationVar(&grace, "grace", 5*time.Second, "how long running nodes get to reload the new key before it is promoted")
	for _, sub := range []*cobra.Command{list, rotate, retire} {
		sub.Flags().IntVar(&batch, "batch", 1000, "wrapped keys read (and re-wrapped) per transaction")
	}
	rotate.Flags().BoolVar(&dry, "dry-run", false, "count the wrapped keys a rotation would re-wrap (all of them) and change nothing")
	vf.add(list)
	vf.add(rotate)
	vf.add(retire)
	c.AddCommand(list, rotate, keysRewrapCmd(e), retire)
	return c
}

// rotationReason is the audit reason of a key_rotation event, "kek-<ID>-<what>": the
// shape of a reference, which the gate keeps, where "kek <ID> <what>" with its 9- or
// 10-digit ID would be dropped as looking like a phone number (jaga.LooksPersonal).
func rotationReason(id uint32, what string) string { return fmt.Sprintf("kek-%d-%s", id, what) }

// jagaHint adds hint to a *jaga.Error's message the way seal's errors carry theirs
// ("…; hint: …"), since Main prints only the message of such an error.
func jagaHint(err error, hint string) error {
	je := jaga.AsError(err)
	return &jaga.Error{Code: je.Code, Field: je.Field, Message: jaga.ErrorMessage(err) + "; hint: " + hint}
}

// usageLine says how many wrapped keys KEK id protects, by kind.
func usageLine(u seal.KEKUsage, id uint32) string {
	n := u.Total(id)
	if n == 0 {
		return "no wrapped keys"
	}
	return fmt.Sprintf("%d wrapped keys (%s)", n, u.Describe(id))
}

// rewrapLine lists a re-wrap run's counts by kind: "subject 12/12, token 0/3" (re-wrapped
// of scanned), kinds with nothing scanned left out.
func rewrapLine(st seal.RewrapStats) string {
	var parts []string
	for _, kind := range jaga.WrappedKeyKinds() {
		if c := st.ByKind[kind]; c.Scanned > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d", kind, c.Rewrapped, c.Scanned))
		}
	}
	if len(parts) == 0 {
		return "no wrapped keys"
	}
	return strings.Join(parts, ", ")
}
