package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// mergesRule: the merge records of a subject (which source file and line were merged
// into it, the fields each set, no values) are read by the dpo, under legal_obligation
// (keeping data accurate, UU PDP Art 29, R-28), and by support, under customer_support
// (a customer who finds someone else's details on their account); the policy gives
// both a rule for that purpose, the other roles none.
var mergesRule = staffRule{what: "listing a subject's merges", action: jaga.ActionMerge,
	roles: map[jaga.Role]string{jaga.RoleDPO: jaga.PurposeLegalObligation, jaga.RoleSupport: jaga.PurposeCustomerSupport}}

// unmergeRule: undoing a merge changes customer data (the row becomes a subject of its
// own, fields and consents move, the gate opens both records to decide what the row
// alone brought), so it is the dpo's, as correcting a quarantined row is, under
// legal_obligation (Art 29, R-28).
var unmergeRule = staffRule{what: "undoing a merge", action: jaga.ActionUnmerge,
	roles: map[jaga.Role]string{jaga.RoleDPO: jaga.PurposeLegalObligation}}

const mergesHelp = `List the source rows merged into a subject: merge number, file, line, the fields each
set and its consents (no values).

Acts as the staff member whose API key is given, so that the audit log names who looked
(UU PDP Art 31, R-29): a dpo (under purpose legal_obligation: keeping data accurate,
Art 29) or support (under customer_support: a customer who finds someone else's details on
their account). Other roles have no rule for those purposes in the policy and are
refused, audited.`

const unmergeHelp = `Undo a merge: the merged row becomes a subject of its own with its consents.

Undoing a merge changes customer data, so it is the dpo's alone, under purpose
legal_obligation (keeping data accurate, UU PDP Art 29, R-28), as fixing a quarantined
row is: the audit event names the dpo whose API key is given (Art 31, R-29). Every
other role, support included, is refused, audited.`

func subjectsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "subjects", Short: "Identity resolution: list a subject's merges and undo one; list and resolve review flags (a staff key)"}
	var vf vaultFlags
	sk := staffKey{need: "the key of a dpo (jaga actors add --role dpo)"}
	mergesKey := staffKey{need: "the key of a dpo or support staff member (jaga actors add)"}
	merges := &cobra.Command{
		Use: "merges SUBJECT", Short: "List the source rows merged into a subject (dpo or support key)", Long: mergesHelp, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jaga.ParseSubjectID(args[0])
			if err != nil {
				return err
			}
			return e.asStaff(&vf, &mergesKey, mergesRule, func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				ms, err := v.gate.Merges(cmd.Context(), req, id)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "MERGE\tFILE\tLINE\tFIELDS SET\tCONSENTS\tUNDONE INTO")
				for _, m := range ms {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\t%s\n", m.ID, m.File, m.Line, strings.Join(m.Fields, ","), len(m.Consents), m.UndoneInto)
				}
				return tw.Flush()
			})(cmd, args)
		},
	}
	mergesKey.add(merges, "the staff member looking (role dpo or support)")
	unmerge := &cobra.Command{
		Use: "unmerge SUBJECT MERGE", Short: "Undo a merge: the merged row becomes a subject of its own with its consents (dpo key)", Long: unmergeHelp, Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jaga.ParseSubjectID(args[0])
			if err != nil {
				return err
			}
			mid, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("MERGE must be a merge number from 'jaga subjects merges'")
			}
			return e.asStaff(&vf, &sk, unmergeRule, func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				nid, err := v.gate.Unmerge(cmd.Context(), req, id, mid)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "merge %d undone: the row is now subject %s\n", mid, nid)
				return nil
			})(cmd, args)
		},
	}
	sk.add(unmerge, "the dpo undoing the merge")
	for _, sub := range append([]*cobra.Command{merges, unmerge}, reviewFlagCmds(e, &vf)...) {
		vf.add(sub)
		c.AddCommand(sub)
	}
	return c
}
