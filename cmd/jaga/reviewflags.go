package main

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// resolutionHelp says what each review resolution means (jaga.ReviewResolution).
const resolutionHelp = "accepted (the data is right as stored), corrected (the data or consent was fixed), dismissed (the flag does not apply)"

// reviewFlagCmds are the review desk's subcommands of `jaga subjects`: list review flags
// and resolve one, each as the staff member whose key is given (asStaff), audited by
// the gate.
func reviewFlagCmds(e *env, vf *vaultFlags) []*cobra.Command {
	var (
		f       jaga.ReviewFlagFilter
		subject string
		asJSON  bool
	)
	listKey := staffKey{need: "the key of a dpo, support or auditor staff member (jaga actors add)"}
	flags := &cobra.Command{
		Use:   "flags",
		Short: "List review flags (identity conflicts, invalid consents, unverified phones): subject, reason, source row; no values",
		Long:  flagsHelp,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if subject != "" {
				id, err := jaga.ParseSubjectID(subject)
				if err != nil {
					return fmt.Errorf("--subject must be a subject ID (sub_ and 32 hex digits)")
				}
				f.Subject = id
			}
			if f.Reason != "" && !gate.ValidReviewReason(f.Reason) {
				return withHint(fmt.Errorf("--reason must be a review reason code"), "e.g. identity_conflict, phone_unverified, consent_cross_selling_draft_notice")
			}
			return e.asStaff(vf, &listKey, flagsRule, func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				out, err := v.gate.ReviewFlags(cmd.Context(), req, f)
				if err != nil {
					return err
				}
				if asJSON {
					if out == nil {
						out = []*jaga.ReviewFlag{}
					}
					return e.writeJSON(out)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "FLAG\tSUBJECT\tREASON\tOTHER\tSOURCE\tCREATED\tRESOLUTION")
				for _, fl := range out {
					src := fl.File
					if fl.Line > 0 {
						src += ":" + strconv.Itoa(fl.Line)
					}
					res := ""
					if !fl.ResolvedAt.IsZero() {
						res = fmt.Sprintf("%s by %s %s", fl.Resolution, fl.ResolvedBy, fl.ResolvedAt.UTC().Format(time.RFC3339))
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", fl.ID, fl.Subject, fl.Reason, dash(string(fl.Other)), dash(src),
						fl.CreatedAt.UTC().Format(time.RFC3339), dash(res))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if n, lim := len(out), cmp.Or(f.Limit, 100); n > 0 && n == lim {
					hintf(e.stderr, "more flags may follow: add --after %d", out[n-1].ID)
				}
				return nil
			})(cmd, args)
		},
	}
	flags.Flags().StringVar(&subject, "subject", "", "only the flags of this subject ID")
	flags.Flags().StringVar(&f.Reason, "reason", "", "only flags with this reason code (e.g. identity_conflict)")
	flags.Flags().StringVar(&f.State, "state", jaga.ReviewFlagsOpen, "open, resolved or all")
	flags.Flags().Int64Var(&f.After, "after", 0, "only flags with an ID above this one (paging)")
	flags.Flags().IntVar(&f.Limit, "limit", 100, "at most this many flags (1-1000)")
	flags.Flags().BoolVar(&asJSON, "json", false, "print the flags as a JSON array")
	listKey.add(flags, "the staff member listing (role dpo, support or auditor)")

	var resolution, note string
	sk := staffKey{need: "the key of the dpo or support staff member resolving the flag (jaga actors add)"}
	resolve := &cobra.Command{
		Use:   "resolve-flag ID --resolution accepted|corrected|dismissed [--note TEXT]",
		Short: "Close a review flag after looking at it (an identity conflict closes on both subjects)",
		Long: `Close a review flag after looking at it (an identity conflict closes on both subjects).

The flag records who closed it, when and how, and so does the audit log (UU PDP Art 31,
R-29): the command acts as the staff member whose API key is given, a dpo (under
purpose dsr) or support (under customer_support), who work the review desk. Other
roles, the auditor included, are refused, audited.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return withHint(fmt.Errorf("ID must be a review flag number"), "list them with 'jaga subjects flags'")
			}
			if r := jaga.ReviewResolution(resolution); !r.Valid() {
				msg := "unknown resolution"
				if resolution == "" {
					msg = "--resolution is required"
				}
				return withHint(fmt.Errorf("%s: use one of %s", msg, jaga.ReviewResolutionNames()), resolutionHelp)
			}
			if err := gate.CheckReviewNote(strings.TrimSpace(note)); err != nil {
				return withHint(fmt.Errorf("--note: %s", jaga.ErrorMessage(err)), "the note is kept with the flag: write a ticket reference or a short reason, never a customer's details")
			}
			// The flag records who closed it: the staff member whose key is given, as
			// the request desk does (jaga dsr), not the console.
			return e.asStaff(vf, &sk, resolveRule, func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				out, err := v.gate.ResolveReviewFlag(cmd.Context(), req, id, jaga.ReviewResolution(resolution), note)
				if err != nil {
					return err
				}
				for i, fl := range out {
					also := ""
					if i > 0 {
						also = " (the other side of the conflict)"
					}
					fmt.Fprintf(e.stdout, "flag %d %s of %s: %s%s\n", fl.ID, fl.Reason, fl.Subject, fl.Resolution, also)
				}
				return nil
			})(cmd, args)
		},
	}
	resolve.Flags().StringVar(&resolution, "resolution", "", resolutionHelp)
	resolve.Flags().StringVar(&note, "note", "", "a ticket reference or short reason (at most 200 bytes, no personal data)")
	sk.add(resolve, "the staff member resolving the flag, role dpo or support")
	return []*cobra.Command{flags, resolve}
}

// flagPurposes is the purpose each role that may resolve review flags acts under at the
// console: the dpo for data-subject matters (dsr), support for customer support, as
// through the API (gate.checkReviewDesk).
var flagPurposes = map[jaga.Role]string{
	jaga.RoleDPO:     jaga.PurposeDSR,
	jaga.RoleSupport: jaga.PurposeCustomerSupport,
}

// resolveRule: review flags are resolved by the dpo and support (flagPurposes); the
// flag records who closed it.
var resolveRule = staffRule{what: "resolving a review flag", action: gate.ActionResolveReviewFlag, roles: flagPurposes}

// flagsRule: review flags (subject IDs, reason codes, source file and line; no values)
// are listed by the roles that resolve them and by the auditor, under purpose security
// as for the audit log (gate.checkReviewDesk).
var flagsRule = staffRule{what: "listing review flags", action: gate.ActionReadReviewFlags,
	roles: map[jaga.Role]string{jaga.RoleDPO: jaga.PurposeDSR, jaga.RoleSupport: jaga.PurposeCustomerSupport, jaga.RoleAuditor: jaga.PurposeSecurity}}

// flagsHelp is `jaga subjects flags`' long help: who may list and why.
const flagsHelp = `List review flags (identity conflicts, invalid consents, unverified phones): subject,
reason, source row; no values.

Acts as the staff member whose API key is given, so that the audit log names who looked
at which subjects' flags (UU PDP Art 31, R-29). The dpo (under purpose dsr) and support
(under customer_support) work the flags; the auditor may list them, under purpose
security, as it reads the audit log. Other roles are refused, audited.`
