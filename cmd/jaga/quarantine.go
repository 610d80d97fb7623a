package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// quarantineRoles are the staff roles that work the quarantine desk and the purpose each
// acts under. A quarantined row is shown raw and whole: every field it holds, the NIK and
// specific data included, unmasked, because a value cannot be corrected through a mask.
// The dpo is the one staff role whose policy reads every field (under dsr and
// legal_obligation); support sees contact details masked and no NIK, the other roles no
// customer data at all (DESIGN.md, "Default roles"). The dpo acts under
// legal_obligation: verifying and correcting collected data is the controller's duty
// (UU PDP Art 29, R-28), and Jaga's own quarantine jobs use the same purpose. The gate
// still checks the policy, so a policy file that takes legal_obligation from the dpo
// closes the desk to it too.
var quarantineRoles = map[jaga.Role]string{jaga.RoleDPO: jaga.PurposeLegalObligation}

// quarantineRoleNames lists quarantineRoles for messages, sorted ("dpo").
func quarantineRoleNames() string {
	names := make([]string, 0, len(quarantineRoles))
	for r := range quarantineRoles {
		names = append(names, string(r))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// quarantineHelp is the quarantine command's long help: who may run it and why.
var quarantineHelp = `Rows that failed validation on import are kept encrypted with their file, line and
reasons until a staff member fixes and releases them, or discards them.

Every subcommand acts as the staff member whose API key is given, so that the audit log
names who looked at or changed each row (UU PDP Art 31, R-16). The desk is for the ` + quarantineRoleNames() + `
role: a row is shown raw and whole (the NIK and specific data too, unmasked: a value
cannot be corrected through a mask), and the dpo is the one staff role the policy lets
read every field. It acts under purpose legal_obligation (keeping data accurate, UU PDP
Art 29, R-28). Any other role is refused, and the refusal is audited.`

// quarantineListHelp says why list, which shows no values, still needs a key.
const quarantineListHelp = `List quarantined rows: ID, file, line, status and reasons (field and code, no values).

The listing shows no values, yet it still needs a dpo's key: it is read from the customer
register (which file held a row about someone, on which line, and what was wrong with
it), it is the desk's work queue whose IDs lead to 'show', and every look at the
quarantine is audited under the name of whoever looked. An operator without a key cannot
list; there is no anonymous console reader.`

// quarantineRule is who works the quarantine desk (quarantineRoles).
var quarantineRule = staffRule{what: "the quarantine desk", action: jaga.ActionQuarantine, roles: quarantineRoles}

// quarantineStaff returns the RunE of a quarantine subcommand: asStaff with
// quarantineRule (action quarantine, reason "quarantine <subcommand>").
func (e *env) quarantineStaff(vf *vaultFlags, sk *staffKey, fn func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error) func(*cobra.Command, []string) error {
	return e.asStaff(vf, sk, quarantineRule, fn)
}

// quarantineRow is quarantineStaff for the subcommands whose first argument is a
// quarantined row's ID: a malformed ID is refused before the key is read, and a refused
// key's audit event records the row's ID.
func (e *env) quarantineRow(vf *vaultFlags, sk *staffKey, fn func(cmd *cobra.Command, v *vault, req gate.Request, id jaga.SubjectID) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		id, err := jaga.ParseSubjectID(args[0])
		if err != nil {
			return errQuarantineID
		}
		rule := quarantineRule
		rule.subjects = []jaga.SubjectID{id} // a refusal records which row was asked for
		return e.asStaff(vf, sk, rule, func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
			return fn(cmd, v, req, id)
		})(cmd, args)
	}
}

func quarantineCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "quarantine", Short: "List, show, fix, release or discard imported rows that failed validation (kept encrypted; a dpo's key)",
		Long: quarantineHelp}
	var vf vaultFlags
	sk := staffKey{need: "a dpo's key (jaga actors add --role dpo)"}
	var status string
	var limit int
	list := &cobra.Command{
		Use: "list", Short: "List quarantined rows: ID, file, line, status and reasons (no values)", Long: quarantineListHelp, Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if status != "" && !jaga.QuarantineStatus(status).Valid() {
				return withHint(fmt.Errorf("--status %s: not a quarantine status", jaga.SafeName(status)),
					"give open, released or discarded, or --status '' for every status")
			}
			if limit < 1 {
				return fmt.Errorf("--limit %d: want a number of rows, 1 or more", limit)
			}
			return nil
		},
		RunE: e.quarantineStaff(&vf, &sk, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
			items, err := v.gate.QuarantineList(cmd.Context(), req, jaga.QuarantineFilter{Status: jaga.QuarantineStatus(status), Limit: limit})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFILE\tLINE\tSTATUS\tREASONS")
			for _, it := range items {
				var rs []string
				for _, r := range it.Reasons {
					rs = append(rs, r.Field+":"+r.Code)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.ID, it.File, quarantineLine(it.Line), it.Status, strings.Join(rs, ", "))
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&status, "status", "open", "open, released, discarded, or '' for every status")
	list.Flags().IntVar(&limit, "limit", 1000, "at most this many rows (1 or more)")
	show := &cobra.Command{
		Use: "show ID", Short: "Show one open quarantined row with its values, unmasked (audited with your name)", Args: cobra.ExactArgs(1),
		RunE: e.quarantineRow(&vf, &sk, func(cmd *cobra.Command, v *vault, req gate.Request, id jaga.SubjectID) error {
			it, err := v.gate.QuarantineShow(cmd.Context(), req, id)
			if err != nil {
				return err
			}
			return e.writeJSON(quarantineView(it))
		}),
	}
	var sets []string
	fix := &cobra.Command{
		Use: "fix ID --set FIELD=VALUE...", Short: "Correct a quarantined row with --set FIELD=VALUE (--set FIELD= removes the field) and re-validate it", Args: fixArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			set := map[string]string{}
			for _, s := range sets {
				k, val, ok := strings.Cut(s, "=")
				if !ok {
					return fmt.Errorf("--set takes FIELD=VALUE")
				}
				k = strings.TrimSpace(k)
				if _, twice := set[k]; twice {
					return withHint(fmt.Errorf("--set %s is given twice", jaga.SafeName(k)), "give each field once")
				}
				set[k] = val
			}
			if len(set) == 0 {
				return fmt.Errorf("nothing to fix: give --set FIELD=VALUE")
			}
			return e.quarantineRow(&vf, &sk, func(cmd *cobra.Command, v *vault, req gate.Request, id jaga.SubjectID) error {
				remain, err := v.gate.QuarantineFix(cmd.Context(), req, id, set)
				if err != nil {
					return err
				}
				if len(remain) == 0 {
					fmt.Fprintf(e.stdout, "%s: valid now; release it with 'jaga quarantine release %s'\n", id, id)
					return nil
				}
				for _, r := range remain {
					fmt.Fprintf(e.stdout, "%s: still %s: %s\n", id, r.Code, r.Reason)
				}
				return exitError{code: 1}
			})(cmd, args)
		},
	}
	fix.Flags().StringArrayVar(&sets, "set", nil, "FIELD=VALUE to set (repeatable); FIELD= removes the field")
	release := &cobra.Command{
		Use: "release ID", Short: "Import a fixed row (created or merged by identity resolution)", Args: cobra.ExactArgs(1),
		RunE: e.quarantineRow(&vf, &sk, func(cmd *cobra.Command, v *vault, req gate.Request, id jaga.SubjectID) error {
			out, err := v.gate.QuarantineRelease(cmd.Context(), req, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %s subject %s\n", id, out.Status, out.Subject)
			return nil
		}),
	}
	discard := &cobra.Command{
		Use: "discard ID", Short: "Destroy a quarantined row's values (its file, line and reasons stay)", Args: cobra.ExactArgs(1),
		RunE: e.quarantineRow(&vf, &sk, func(cmd *cobra.Command, v *vault, req gate.Request, id jaga.SubjectID) error {
			if err := v.gate.QuarantineDiscard(cmd.Context(), req, id); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: discarded\n", id)
			return nil
		}),
	}
	for _, sub := range []*cobra.Command{list, show, fix, release, discard} {
		vf.add(sub)
		sk.add(sub, "the staff member working the quarantine (role "+quarantineRoleNames()+")")
		c.AddCommand(sub)
	}
	return c
}

// errQuarantineID refuses a malformed quarantine row ID without echoing it.
var errQuarantineID = withHint(errors.New("quarantine row ID must be sub_ followed by 32 hex digits"), "'jaga quarantine list' shows the IDs")

// quarantineConsent is a quarantined row's consent as `jaga quarantine show` prints it:
// with the snake_case names of the API's consent members (POST /v1/subjects). The
// gate's ConsentInput has no JSON names of its own, and adding them would change how
// rows sealed before are read.
type quarantineConsent struct {
	Purpose       string              `json:"purpose"`
	Status        jaga.ConsentStatus  `json:"status"`
	NoticeVersion string              `json:"notice_version,omitempty"`
	Evidence      string              `json:"evidence,omitempty"`
	At            time.Time           `json:"at,omitzero"`
	Details       jaga.ConsentDetails `json:"details,omitzero"`
	GPC           bool                `json:"gpc,omitempty"`
	Flag          string              `json:"flag,omitempty"`
}

// quarantineView is a shown quarantined row: the gate's item with its consents renamed.
func quarantineView(it *gate.QuarantineItem) any {
	type item gate.QuarantineItem
	v := struct {
		*item
		Consents []quarantineConsent `json:"consents,omitempty"`
	}{item: (*item)(it)}
	for _, c := range it.Consents {
		v.Consents = append(v.Consents, quarantineConsent{Purpose: c.Purpose, Status: c.Status, NoticeVersion: c.NoticeVersion,
			Evidence: c.Evidence, At: c.At, Details: c.Details, GPC: c.GPC, Flag: c.Flag})
	}
	return v
}

// fixArgs checks the arguments of quarantine fix: the row ID alone. A value given as an
// argument ("fix ID phone=0812…", a natural slip) is refused with the --set form that
// takes it, naming the field when it is a valid name but never the value, which is
// personal data (invariant 6); other extra words are counted, not quoted, for the same
// reason.
func fixArgs(cmd *cobra.Command, args []string) error {
	const hint = "jaga quarantine fix ID --set FIELD=VALUE (repeat --set for each field; --set FIELD= removes the field)"
	switch {
	case len(args) == 0:
		return usageError{"quarantine fix needs the row ID", hint}
	case len(args) == 1:
		return nil
	}
	for _, a := range args[1:] {
		if k, _, ok := strings.Cut(a, "="); ok {
			k = strings.TrimSpace(k)
			if jaga.ValidName(k) {
				return usageError{"quarantine fix: " + k + "=… is given as an argument; values go with --set",
					"jaga quarantine fix ID --set " + k + "=VALUE (repeat --set for each field; --set " + k + "= removes the field)"}
			}
			return usageError{"quarantine fix: FIELD=VALUE is given as an argument; values go with --set", hint}
		}
	}
	return usageError{fmt.Sprintf("quarantine fix takes only the row ID, got %d arguments; values go with --set FIELD=VALUE", len(args)), hint}
}
