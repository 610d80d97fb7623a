package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// deletionActor is the actor of the scheduled-deletion job that jaga serve runs.
var deletionActor = &jaga.Actor{ID: jaga.ActorIDDeletions, Name: "scheduled deletions", Kind: jaga.ActorSystem, Role: jaga.RoleDPO}

// deletionEvery is how often jaga serve looks for due deletions: well inside the 3×24 h
// a withdrawal allows (UU PDP Art 40, R-10, R-11).
const deletionEvery = 10 * time.Minute

// runDeletionsCmd is `jaga consents run-deletions`: the scheduled-deletion job run once
// at the console, as the job's own actor (deletionActor) under purpose
// legal_obligation, as jaga serve runs it. It takes no staff key: it decides nothing
// (each deletion was scheduled by a withdrawal, and a basis or a legal hold still
// keeps what it keeps), and the audit log names the job, not a person who did not
// choose what to delete.
func runDeletionsCmd(e *env) *cobra.Command {
	var dry bool
	c, _ := vaultCmd(e, "run-deletions [--dry-run]", "Delete now the fields whose scheduled deletion after a withdrawal is due and that no basis keeps (R-11)", cobra.NoArgs, true,
		func(cmd *cobra.Command, v *vault, _ []string) error {
			rep, err := v.gate.RunDeletions(cmd.Context(), gate.Request{Actor: deletionActor, Purpose: jaga.PurposeLegalObligation}, dry)
			if err != nil {
				if jaga.ErrorCode(err) == jaga.ECONFLICT {
					return withHint(err, "a jaga serve node runs the deletions every 10 minutes; run again later")
				}
				return err
			}
			verb := "deleted"
			if dry {
				verb = "would delete"
			}
			fmt.Fprintf(e.stderr, "jaga: %d scheduled deletions due: %d done (%s %d fields, %d kept by another basis), %d held by a legal hold\n",
				rep.Due, rep.Done, verb, rep.Fields, rep.Kept, rep.Held)
			return e.writeJSON(rep)
		})
	c.Flags().BoolVar(&dry, "dry-run", false, "report what is due without deleting")
	return c
}

// deletionJobs runs the scheduled deletions, and deletes the sign-ups never confirmed
// whose link expired and the purchase lines pending longer than
// gate.PendingPurchaseRetention, at start and every deletionEvery until ctx ends. Of several
// nodes on one database one runs the deletions at a time (gate.DeletionLock); the
// others skip that round.
func deletionJobs(ctx context.Context, v *vault) {
	t := time.NewTicker(deletionEvery)
	defer t.Stop()
	for {
		rep, err := v.gate.RunDeletions(ctx, gate.Request{Actor: deletionActor, Purpose: jaga.PurposeLegalObligation}, false)
		switch {
		case jaga.ErrorCode(err) == jaga.ECONFLICT:
			v.log.Debug("scheduled deletions: another node is running them")
		case err != nil && ctx.Err() == nil:
			v.log.Error("scheduled deletions", "error", err.Error())
		case rep.Done > 0 || rep.Held > 0:
			v.log.Info("scheduled deletions", "done", rep.Done, "fields_deleted", rep.Fields, "held", rep.Held)
		}
		// Sign-ups never confirmed go once their link expired.
		if n, err := v.gate.PurgeExpiredSignups(ctx, gate.Request{Actor: deletionActor, Purpose: jaga.PurposeLegalObligation}); err != nil && ctx.Err() == nil {
			v.log.Error("expired sign-ups", "error", err.Error())
		} else if n > 0 {
			v.log.Info("expired sign-ups deleted", "count", n)
		}
		// Purchase lines whose customer never arrived go after gate.PendingPurchaseRetention.
		if n, err := v.gate.PurgePendingPurchases(ctx, gate.Request{Actor: deletionActor, Purpose: jaga.PurposeLegalObligation}); err != nil && ctx.Err() == nil {
			v.log.Error("pending purchases", "error", err.Error())
		} else if n > 0 {
			v.log.Info("pending purchases purged", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
