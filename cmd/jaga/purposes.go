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

// registryRule: the purpose registry is changed by the admin (who configures Jaga) or
// the dpo, as the gate allows (gate.PutPurpose, gate.SetPurposeStatus).
var registryRule = staffRule{what: "changing the purpose registry", action: gate.ActionPurposeChange,
	roles: map[jaga.Role]string{jaga.RoleAdmin: registryPurpose, jaga.RoleDPO: registryPurpose}}

// assessRule: a DPIA or balancing test is approved by the dpo alone
// (gate.RecordAssessment; ).
var assessRule = staffRule{what: "recording an assessment", action: gate.ActionPurposeChange,
	roles: map[jaga.Role]string{jaga.RoleDPO: registryPurpose}}

// purposesHelp is `jaga purposes`' long help: who may change the registry and why.
const purposesHelp = `The purpose registry: list, show, register or change, assess, activate and retire
purposes.

list and show read the registry and need no key. put, assess and status change what
customer data may be used for (UU PDP Arts 20-21, R-5, R-12), so each acts as the staff
member whose API key is given and the audit log names them (Art 31, R-29), under
purpose legal_obligation: put and status are for the admin or the dpo (who manage the
registry), assess (approving a DPIA or balancing test) for the dpo alone. Other roles
are refused, audited.`

func purposesCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "purposes", Short: "The purpose registry: list, show, register or change, assess, activate and retire purposes (a staff key to change)",
		Long: purposesHelp}
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
	var vf vaultFlags
	regKey := staffKey{need: "the key of an admin or a dpo (jaga actors add)"}
	dpoKey := staffKey{need: "a dpo's key (jaga actors add --role dpo)"}
	put := &cobra.Command{Use: "put FILE.json", Short: "Register (as a draft) or change a purpose from a JSON definition (admin or dpo key)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			return e.asStaff(&vf, &regKey, registryRule, func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				out, err := v.gate.PutPurpose(cmd.Context(), gate.PurposeChange{Request: req, Purpose: p})
				if err != nil {
					return err
				}
				if out.Pending != nil {
					hintf(e.stderr, "the change of fields, retention or recipients waits for a notice: 'jaga notices generate VERSION' then 'jaga notices approve VERSION' (R-13)")
				}
				return e.writeJSON(out)
			})(cmd, args)
		}}
	regKey.add(put, "the admin or dpo changing the registry")
	var kind, ref, summary string
	assess := &cobra.Command{Use: "assess ID --kind dpia|balancing_test --ref REF", Short: "Record an approved DPIA or balancing test (dpo key)", Args: cobra.ExactArgs(1),
		RunE: e.asStaff(&vf, &dpoKey, assessRule, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
			out, err := v.gate.RecordAssessment(cmd.Context(), req, args[0], kind, jaga.Assessment{Ref: ref, Summary: summary, Approved: true})
			if err != nil {
				return err
			}
			return e.writeJSON(out)
		})}
	assess.Flags().StringVar(&kind, "kind", "", "dpia or balancing_test")
	assess.Flags().StringVar(&ref, "ref", "", "the assessment document's reference")
	assess.Flags().StringVar(&summary, "summary", "", "a short summary of its outcome")
	_ = assess.MarkFlagRequired("kind")
	_ = assess.MarkFlagRequired("ref")
	dpoKey.add(assess, "the dpo approving the assessment")
	status := &cobra.Command{Use: "status ID draft|active|retired", Short: "Change a purpose's status (active needs its assessments and a covering notice; admin or dpo key)", Args: cobra.ExactArgs(2),
		RunE: e.asStaff(&vf, &regKey, registryRule, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
			out, err := v.gate.SetPurposeStatus(cmd.Context(), req, args[0], jaga.PurposeStatus(args[1]))
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jaga: purpose %s is %s\n", out.ID, out.Status)
			return nil
		})}
	regKey.add(status, "the admin or dpo changing the registry")
	for _, sub := range []*cobra.Command{put, assess, status} {
		vf.add(sub)
	}
	c.AddCommand(list, show, put, assess, status)
	return c
}
