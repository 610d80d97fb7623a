package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"jaga/gate"
)

func auditCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "Check the audit log"}
	var vf vaultFlags
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Recompute the audit log's hash chain; report the first changed, deleted, inserted or reordered event",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.open(cmd, &vf, true)
			if err != nil {
				return err
			}
			defer v.Close()
			res, err := gate.VerifyAudit(cmd.Context(), v.store)
			if err != nil {
				return err
			}
			if res.BadSeq != 0 {
				errorf(e.stderr, "audit log broken at event %d: %s (%d events before it verify)", res.BadSeq, res.Reason, res.Events)
				return exitError{code: 1}
			}
			fmt.Fprintf(e.stdout, "audit log ok: %d events, hash chain intact\n", res.Events)
			return nil
		},
	}
	vf.add(verify)
	c.AddCommand(verify)
	return c
}
