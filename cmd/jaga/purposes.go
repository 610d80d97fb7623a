package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// consoleDPO is the actor of registry and consent commands run at the console: the
// operator acts as the data protection officer, under purpose dsr for consents.
var consoleDPO = &jaga.Actor{ID: "act_cli", Name: "jaga cli", Kind: jaga.ActorSystem, Role: jaga.RoleDPO}

func consoleRequest() gate.Request { return gate.Request{Actor: consoleDPO, Purpose: jaga.PurposeDSR} }

// writeJSON prints v as indented JSON on stdout.
func (e *env) writeJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// vaultCmd makes a subcommand that opens the vault (an existing one when existing) and
// runs fn with it.
func vaultCmd(e *env, use, short string, args cobra.PositionalArgs, existing bool, fn func(cmd *cobra.Command, v *vault, args []string) error) (*cobra.Command, *vaultFlags) {
	vf := &vaultFlags{}
	c := &cobra.Command{Use: use, Short: short, Args: args, RunE: e.withVault(vf, existing, fn)}
	vf.add(c)
	return c, vf
}

func purposesCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "purposes", Short: "The purpose registry: list, show, register or change, assess, activate and retire purposes"}
	list, _ := vaultCmd(e, "list", "List the registered purposes", cobra.NoArgs, true, func(cmd *cobra.Command, v *vault, _ []string) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tBASIS\tRETENTION\tRISK\tPENDING\tNAME")
		for _, p := range v.gate.Purposes() {
			pending := ""
			if p.Pending != nil {
				pending = "needs notice"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%dd\t%s\t%s\t%s / %s\n", p.ID, p.Status, p.Basis, p.RetentionDays, strings.Join(p.RiskFlags, ","), pending, p.NameID, p.NameEN)
		}
		return tw.Flush()
	})
	show, _ := vaultCmd(e, "show ID", "Print one purpose as JSON", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		p, ok := v.gate.Purpose(args[0])
		if !ok {
			return withHint(jaga.Errorf(jaga.ENOTFOUND, "no purpose %s", jaga.SafeName(args[0])), "list them with 'jaga purposes list'")
		}
		return e.writeJSON(p)
	})
	put, _ := vaultCmd(e, "put FILE.json", "Register (as a draft) or change a purpose from a JSON definition", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		var p jaga.Purpose
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		out, err := v.gate.PutPurpose(cmd.Context(), gate.PurposeChange{Request: consoleRequest(), Purpose: p})
		if err != nil {
			return err
		}
		if out.Pending != nil {
			hintf(e.stderr, "the change of fields, retention or recipients waits for a notice: 'jaga notices generate VERSION' then 'jaga notices approve VERSION' (R-13)")
		}
		return e.writeJSON(out)
	})
	var kind, ref, summary string
	assess, _ := vaultCmd(e, "assess ID --kind dpia|balancing_test --ref REF", "Record an approved DPIA or balancing test", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		out, err := v.gate.RecordAssessment(cmd.Context(), consoleRequest(), args[0], kind, jaga.Assessment{Ref: ref, Summary: summary, Approved: true})
		if err != nil {
			return err
		}
		return e.writeJSON(out)
	})
	assess.Flags().StringVar(&kind, "kind", "", "dpia or balancing_test")
	assess.Flags().StringVar(&ref, "ref", "", "the assessment document's reference")
	assess.Flags().StringVar(&summary, "summary", "", "a short summary of its outcome")
	_ = assess.MarkFlagRequired("kind")
	_ = assess.MarkFlagRequired("ref")
	status, _ := vaultCmd(e, "status ID draft|active|retired", "Change a purpose's status (active needs its assessments and a covering notice)", cobra.ExactArgs(2), true, func(cmd *cobra.Command, v *vault, args []string) error {
		out, err := v.gate.SetPurposeStatus(cmd.Context(), consoleRequest(), args[0], jaga.PurposeStatus(args[1]))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "jaga: purpose %s is %s\n", out.ID, out.Status)
		return nil
	})
	c.AddCommand(list, show, put, assess, status)
	return c
}
