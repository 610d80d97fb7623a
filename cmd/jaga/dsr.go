package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// dsrCmd is `jaga dsr`: the request desk at the console. Every subcommand acts as the
// staff member whose API key is given with --key-file, $JAGA_KEY or --key (role dpo;
// auditor may read), so that approvals name real, distinct people. A key
// that does not authenticate, or a role the desk does not serve, is refused with an
// audit event (action dsr_step, reason the command) as the gate's refusals are.
func dsrCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "dsr", Short: "The request desk: list, show, approve, refuse and fulfil data-subject requests"}
	var vf vaultFlags
	sk := staffKey{need: "a dpo's key (jaga actors add --role dpo)"}
	var asJSON bool
	// with runs fn as the staff member whose key is given (asStaff): the dpo, or for
	// the read-only views (read) also the auditor, under purpose dsr.
	with := func(read bool, fn func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, args []string) error) func(*cobra.Command, []string) error {
		rule := staffRule{what: "the request desk", action: gate.ActionDSRStep, roles: map[jaga.Role]string{jaga.RoleDPO: jaga.PurposeDSR}}
		if read {
			rule.roles[jaga.RoleAuditor] = jaga.PurposeDSR
		}
		return e.asStaff(&vf, &sk, rule, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
			desk, _, err := deskAndPortal(v, nil)
			if err != nil {
				return err
			}
			return fn(cmd, desk, req.Actor, args)
		})
	}
	list := func(view string) func(cmd *cobra.Command, desk *dsr.Desk, _ *jaga.Actor, _ []string) error {
		return func(cmd *cobra.Command, desk *dsr.Desk, _ *jaga.Actor, _ []string) error {
			var rs []*jaga.DSR
			var err error
			switch view {
			case "overdue":
				rs, err = desk.Overdue(cmd.Context())
			default:
				rs, err = desk.List(cmd.Context(), jaga.DSRFilter{Open: view == "open", Limit: 1000})
			}
			if err != nil {
				return err
			}
			if asJSON {
				return e.writeJSON(rs)
			}
			printDSRs(e.stdout, rs)
			return nil
		}
	}
	show := func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, args []string) error {
		tl, err := desk.Timeline(cmd.Context(), actor, args[0])
		if err != nil {
			return err
		}
		return e.writeJSON(tl)
	}
	step := func(do func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, id string) (*jaga.DSR, error)) func(*cobra.Command, *dsr.Desk, *jaga.Actor, []string) error {
		return func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, args []string) error {
			r, err := do(cmd, desk, actor, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s %s: %s\n", r.ID, r.Type, r.Status, stepOutcome(r))
			return nil
		}
	}
	var all bool
	listCmd := &cobra.Command{Use: "list", Short: "List open requests by due time (--all for every request)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			view := "open"
			if all {
				view = "all"
			}
			return with(true, list(view))(cmd, args)
		}}
	listCmd.Flags().BoolVar(&all, "all", false, "every request, closed ones included")
	var code string
	refuse := &cobra.Command{Use: "refuse ID --code CODE", Short: "Propose a refusal with an Art 15 / Art 33 reason code (takes effect on a DPO's approval)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := dsr.RefusalCodes[code]; !ok {
				return refusalCodeError(code)
			}
			return with(false, step(func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, id string) (*jaga.DSR, error) {
				return desk.Refuse(cmd.Context(), actor, id, code)
			}))(cmd, args)
		}}
	refuse.Flags().StringVar(&code, "code", "", "reason code: art15_defence, art15_law_enforcement, art15_state_administration, art15_financial_supervision, art15_statistics_research, art33_safety_health, art33_other_person, art33_national_security")
	subs := []*cobra.Command{
		listCmd,
		{Use: "overdue", Short: "List open requests past their due time", Args: cobra.NoArgs, RunE: with(true, list("overdue"))},
		{Use: "show ID", Short: "Show a request and its timeline (JSON, for a regulator)", Args: cobra.ExactArgs(1), RunE: with(true, show)},
		{Use: "approve ID", Short: "Approve a proposed refusal, or give the second approval of an identity correction", Args: cobra.ExactArgs(1),
			RunE: with(false, step(func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, id string) (*jaga.DSR, error) {
				return desk.Approve(cmd.Context(), actor, id)
			}))},
		refuse,
		{Use: "fulfil ID", Short: "Fulfil a request through the gate and send the customer the completion notice", Args: cobra.ExactArgs(1),
			RunE: with(false, step(func(cmd *cobra.Command, desk *dsr.Desk, actor *jaga.Actor, id string) (*jaga.DSR, error) {
				return desk.Fulfil(cmd.Context(), actor, id)
			}))},
	}
	for _, s := range subs {
		vf.add(s)
		sk.add(s, "the staff member acting (dpo; an auditor may read)")
		s.Flags().BoolVar(&asJSON, "json", false, "print JSON")
		c.AddCommand(s)
	}
	return c
}

// printDSRs prints requests as a table with their due time in WIB.
func printDSRs(w io.Writer, rs []*jaga.DSR) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tCHANNEL\tSTATUS\tRECEIVED (WIB)\tDUE (WIB)\tLAW")
	wib := jaga.WIB
	for _, r := range rs {
		law := "target"
		if r.Statutory {
			law = "3x24h"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Type, r.Channel, r.Status,
			r.ReceivedAt.In(wib).Format("2006-01-02 15:04"), r.DueAt.In(wib).Format("2006-01-02 15:04"), law)
	}
	tw.Flush()
}

// refusalCodeError names the valid refusal codes (dsr.RefusalCodes, UU PDP Art 15 and
// Art 33) and, for each, the request types it applies to.
func refusalCodeError(code string) error {
	codes := slices.Sorted(maps.Keys(dsr.RefusalCodes))
	var b strings.Builder
	for _, c := range codes {
		types := make([]string, len(dsr.RefusalCodes[c]))
		for i, t := range dsr.RefusalCodes[c] {
			types[i] = string(t)
		}
		fmt.Fprintf(&b, "\n  %s (%s)", c, strings.Join(types, ", "))
	}
	what := "--code is required"
	if code != "" {
		what = "--code " + jaga.SafeName(code) + " is not a refusal code"
	}
	return withHint(errors.New(what), "the valid codes are:"+b.String())
}

// stepOutcome is what a desk step printed for r: its outcome, or, while it awaits
// approval (which has no outcome yet), what it waits for and the command that gives it:
// a proposed refusal a dpo's approval (UU PDP Arts 15, 33), an identity correction a
// second approver other than its handler.
func stepOutcome(r *jaga.DSR) string {
	if r.Status != jaga.DSRAwaitingApproval || r.Outcome != "" {
		return r.Outcome
	}
	if r.RefusalCode != "" {
		return fmt.Sprintf("refusal %s proposed, waiting for a dpo's approval (jaga dsr approve %s)", r.RefusalCode, r.ID)
	}
	return fmt.Sprintf("identity correction waiting for a second approver: a dpo other than its handler runs jaga dsr approve %s", r.ID)
}
