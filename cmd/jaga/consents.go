package main

import (
	"bufio"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
	"jaga/policy"
)

func consentsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "consents", Short: "Consents: list (or as of a time), record, receipts, the subjects with a valid basis, and the deletions due after withdrawals"}
	var at string
	list, _ := vaultCmd(e, "list SUBJECT [--at TIME]", "List a subject's consent records (proof, R-9); --at shows those in force at an RFC 3339 time", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		id, err := jaga.ParseSubjectID(args[0])
		if err != nil {
			return err
		}
		var cs []*jaga.Consent
		if at != "" {
			t, perr := time.Parse(time.RFC3339, at)
			if perr != nil {
				return jaga.FieldError("at", "--at must be an RFC 3339 time with zone")
			}
			cs, err = v.gate.ConsentsAt(cmd.Context(), consoleRequest(), id, t)
		} else {
			cs, err = v.gate.Consents(cmd.Context(), consoleRequest(), id)
		}
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PURPOSE\tSTATUS\tFLAG\tAT (UTC)\tLOCAL\tCHANNEL\tNOTICE\tEVIDENCE\tGIVEN BY")
		for _, c := range cs {
			local := "-"
			if c.Zone != "" {
				local = c.Local().Format("2006-01-02 15:04 ") + c.Zone
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Purpose, c.Status, dash(c.Flag), c.At.Format("2006-01-02 15:04Z"), local,
				c.Channel, dash(c.NoticeVersion), dash(c.Evidence), dash(c.GivenBy))
		}
		return tw.Flush()
	})
	list.Flags().StringVar(&at, "at", "", "show the records in force at this RFC 3339 time")

	var in gate.ConsentInput
	var channel, status, givenBy, guardian string
	record, _ := vaultCmd(e, "record SUBJECT --purpose P --status given|refused|withdrawn --channel C --given-by subject|guardian", "Record a consent change and print it with its signed receipt", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		id, err := jaga.ParseSubjectID(args[0])
		if err != nil {
			return err
		}
		in.Status, in.Details.GivenBy, in.Details.Guardian = jaga.ConsentStatus(status), givenBy, jaga.SubjectID(guardian)
		res, err := v.gate.RecordConsent(cmd.Context(), gate.ConsentRequest{Request: consoleRequest(), Subject: id, Channel: jaga.Channel(channel), Consent: in})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "jaga: "+res.Receipt.SummaryEN)
		return e.writeJSON(res)
	})
	record.Flags().StringVar(&in.Purpose, "purpose", "", "the consent's purpose (one per record, R-6)")
	record.Flags().StringVar(&status, "status", "", "given, refused or withdrawn")
	record.Flags().StringVar(&channel, "channel", "", "web_form, email_signup, api, exhibition, door_to_door, store_visit or import")
	record.Flags().StringVar(&in.NoticeVersion, "notice", "", "the notice version shown")
	record.Flags().StringVar(&in.Evidence, "evidence", "", "evidence reference: paper form number, double-opt-in ID")
	record.Flags().StringVar(&givenBy, "given-by", "subject", "subject or guardian (R-4)")
	record.Flags().StringVar(&guardian, "guardian", "", "the guardian's subject ID when --given-by guardian")
	record.Flags().StringVar(&in.Details.ScanHash, "scan-hash", "", "hash of the scanned paper form")
	for _, f := range []string{"purpose", "status", "channel"} {
		_ = record.MarkFlagRequired(f)
	}

	receipt, _ := vaultCmd(e, "receipt SUBJECT PURPOSE", "Print the signed receipt of the consent in force", cobra.ExactArgs(2), true, func(cmd *cobra.Command, v *vault, args []string) error {
		id, err := jaga.ParseSubjectID(args[0])
		if err != nil {
			return err
		}
		r, err := v.gate.Receipt(cmd.Context(), consoleRequest(), id, args[1])
		if err != nil {
			return err
		}
		return e.writeJSON(r)
	})
	var role string
	subjects, _ := vaultCmd(e, "subjects PURPOSE [--role ROLE]", "Print the IDs of the subjects with a valid basis for a purpose, one per line (R-27)", cobra.ExactArgs(1), true, func(cmd *cobra.Command, v *vault, args []string) error {
		w := bufio.NewWriterSize(e.stdout, 64<<10)
		actor := *consoleDPO
		actor.Role = jaga.Role(role)
		if role == "" {
			r, err := listingRole(v.gate.Policy(), args[0])
			if err != nil {
				return err
			}
			actor.Role = r
		}
		n, err := v.gate.ListSubjects(cmd.Context(), gate.Request{Actor: &actor, Purpose: args[0]}, func(id jaga.SubjectID) error {
			_, err := w.WriteString(string(id) + "\n")
			return err
		})
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "jaga: %d subjects with a valid basis for %s\n", n, args[0])
		return nil
	})
	subjects.Flags().StringVar(&role, "role", "", "the role the listing is made for (default: the role the policy allows the purpose, marketer first)")
	c.AddCommand(list, record, receipt, subjects, runDeletionsCmd(e))
	return c
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// listingRole picks the role `jaga consents subjects PURPOSE` lists for when --role is
// not given: a role the policy allows the purpose, marketer first (the listing's usual
// reader), then analyst, then the policy's roles in order. Errors: no role may use
// the purpose.
func listingRole(pol *policy.Policy, purpose string) (jaga.Role, error) {
	order := append([]jaga.Role{jaga.RoleMarketer, jaga.RoleAnalyst}, pol.Roles()...)
	for _, r := range order {
		if pol.AllowsPurpose(r, purpose) {
			return r, nil
		}
	}
	return "", withHint(fmt.Errorf("no role of the policy may use purpose %s", jaga.SafeName(purpose)),
		"check the purpose ID ('jaga purposes list') or name a role with --role")
}
