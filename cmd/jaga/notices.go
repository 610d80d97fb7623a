package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"jaga"
)

func noticesCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "notices", Short: "Privacy notices: list, show, generate from the registry, approve"}
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
	generate, _ := vaultCmd(e, "generate VERSION", "Write a draft notice version from the purpose registry (UU PDP Art 21(1))", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		n, err := v.gate.GenerateNotice(cmd.Context(), consoleRequest(), args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "jaga: notice %s written as a draft (text hash %s); approve it with 'jaga notices approve %s'\n", n.Version, n.TextHash, n.Version)
		return nil
	})
	var inForce string
	approve, _ := vaultCmd(e, "approve VERSION [--in-force YYYY-MM-DD]", "Approve a draft notice, in force from a date (default now)", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		var at time.Time
		if inForce != "" {
			var err error
			if at, err = time.Parse("2006-01-02", inForce); err != nil {
				if at, err = time.Parse(time.RFC3339, inForce); err != nil {
					// Not FieldError: "in-force" is no snake_case name and would print as "(invalid name)".
					return &jaga.Error{Code: jaga.EUNPROCESSABLE, Field: "in-force", Message: "want a date YYYY-MM-DD or RFC 3339 time"}
				}
			}
		}
		n, err := v.gate.ApproveNotice(cmd.Context(), consoleRequest(), args[0], at)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "jaga: notice %s approved, in force from %s\n", n.Version, n.InForceAt.Format("2006-01-02"))
		return nil
	})
	approve.Flags().StringVar(&inForce, "in-force", "", "the date (YYYY-MM-DD, UTC) or RFC 3339 time it is in force from")
	c.AddCommand(list, show, generate, approve)
	return c
}
