package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// registryPurpose is the purpose under which staff change the purpose registry and the
// notices: keeping the register of purposes, their lawful bases and the notice that
// tells customers about them is the controller's legal obligation (UU PDP Arts 20-21,
//
const registryPurpose = jaga.PurposeLegalObligation

// generateRule: a notice is written by the admin (who configures Jaga) or the dpo, as
// the gate allows (only they manage the registry).
var generateRule = staffRule{what: "generating a notice", action: gate.ActionNoticeChange,
	roles: map[jaga.Role]string{jaga.RoleAdmin: registryPurpose, jaga.RoleDPO: registryPurpose}}

// approveRule: only the dpo approves a notice (R-8; gate.ApproveNotice).
var approveRule = staffRule{what: "approving a notice", action: gate.ActionNoticeChange,
	roles: map[jaga.Role]string{jaga.RoleDPO: registryPurpose}}

// noticesHelp is `jaga notices`' long help: who may change notices and why.
const noticesHelp = `Privacy notices: list, show, generate from the registry, approve.

list and show read the published texts and need no key. generate and approve change
what customers are told (UU PDP Art 21, R-12, R-13), so each acts as the staff member
whose API key is given and the audit log names them (Art 31, R-29), under purpose
legal_obligation: generate is for the admin or the dpo (who manage the registry),
approve for the dpo alone (R-8). Other roles are refused, audited.`

func noticesCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "notices", Short: "Privacy notices: list, show, generate from the registry, approve (a staff key to change)", Long: noticesHelp}
	list, _ := vaultCmd(e, "list", "List the notice versions", cobra.NoArgs, true, func(cmd *cobra.Command, v *vault, _ []string) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tSTATUS\tIN FORCE\tTEXT HASH")
		for _, n := range v.gate.Notices() {
			inForce := "-"
			if !n.InForceAt.IsZero() {
				inForce = n.InForceAt.Format("2006-01-02")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Version, n.Status, inForce, n.TextHash[:16])
		}
		return tw.Flush()
	})
	var lang string
	show, _ := vaultCmd(e, "show VERSION", "Print a notice's text (--lang id or en)", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		n, ok := v.gate.Notice(args[0])
		if !ok {
			return withHint(jaga.Errorf(jaga.ENOTFOUND, "no notice %s", jaga.SafeName(args[0])), "list them with 'jaga notices list'")
		}
		switch lang {
		case "id":
			fmt.Fprint(e.stdout, n.TextID)
		case "en":
			fmt.Fprint(e.stdout, n.TextEN)
		default:
			return jaga.FieldError("lang", "--lang is id or en")
		}
		return nil
	})
	show.Flags().StringVar(&lang, "lang", "id", "id (Bahasa Indonesia) or en")
	var vf vaultFlags
	genKey := staffKey{need: "the key of an admin or a dpo (jaga actors add)"}
	generate := &cobra.Command{Use: "generate VERSION", Short: "Write a draft notice version from the purpose registry (UU PDP Art 21(1); admin or dpo key)", Args: cobra.ExactArgs(1),
		RunE: e.asStaff(&vf, &genKey, generateRule, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
			n, err := v.gate.GenerateNotice(cmd.Context(), req, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jaga: notice %s written as a draft (text hash %s); approve it with 'jaga notices approve %s'\n", n.Version, n.TextHash, n.Version)
			return nil
		})}
	genKey.add(generate, "the admin or dpo writing the notice")
	var inForce string
	dpoKey := staffKey{need: "a dpo's key (jaga actors add --role dpo)"}
	approve := &cobra.Command{Use: "approve VERSION [--in-force YYYY-MM-DD]", Short: "Approve a draft notice, in force from a date (default now; dpo key)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var at time.Time
			if inForce != "" {
				var err error
				if at, err = time.ParseInLocation("2006-01-02", inForce, jaga.WIB); err != nil {
					if at, err = time.Parse(time.RFC3339, inForce); err != nil {
						// Not FieldError: "in-force" is no snake_case name and would print as "(invalid name)".
						return &jaga.Error{Code: jaga.EUNPROCESSABLE, Field: "in-force", Message: "want a date YYYY-MM-DD or RFC 3339 time"}
					}
				}
			}
			return e.asStaff(&vf, &dpoKey, approveRule, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
				n, err := v.gate.ApproveNotice(cmd.Context(), req, args[0], at)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "jaga: notice %s approved, in force from %s\n", n.Version, n.InForceAt.In(jaga.WIB).Format("2006-01-02 15:04 WIB"))
				return nil
			})(cmd, args)
		}}
	dpoKey.add(approve, "the dpo approving the notice")
	vf.add(generate)
	vf.add(approve)
	approve.Flags().StringVar(&inForce, "in-force", "", "the date (YYYY-MM-DD, from 00:00 WIB) or RFC 3339 time it is in force from")
	c.AddCommand(list, show, generate, approve)
	return c
}
