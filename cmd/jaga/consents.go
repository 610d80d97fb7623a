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

// consentRoles are the staff roles that read and record a subject's consents at the
// console, and the purpose each acts under: the dpo, who handles consents and the
// customer's requests (DESIGN.md, "Default roles"), under dsr; support, who takes a
// customer's call or counter visit, under customer_support. Both may record consents
// in the gate too (gate.RecordConsent); the policy gives the other staff roles no rule
// for either purpose. The service role is an integration's key, for the API.
var consentRoles = map[jaga.Role]string{jaga.RoleDPO: jaga.PurposeDSR, jaga.RoleSupport: jaga.PurposeCustomerSupport}

// consentsHelp is `jaga consents`' long help: who may run what and why.
const consentsHelp = `Consents: list (or as of a time), record, receipts, the subjects with a valid basis, and
the deletions due after withdrawals.

list, record and receipt read or change a customer's consent records, and subjects
lists customers: each acts as the staff member whose API key is given, so that the
audit log names who looked or changed what (UU PDP Art 31, R-29). list, record and
receipt are for the dpo (under purpose dsr: consents and the customer's requests are
the dpo's work) and support (under customer_support: a customer who calls or visits);
subjects PURPOSE is for the roles the policy allows that purpose (cross_selling: the
marketer), acting under it. Other roles are refused, audited.

run-deletions needs no key: it is the scheduled-deletion job that jaga serve runs every
10 minutes, run once now; it decides nothing (the withdrawals did) and is audited as
that job.`

// consentRule is staffRule for the consent commands of one subject (consentRoles).
func consentRule(what, action string) staffRule {
	return staffRule{what: what, action: action, roles: consentRoles}
}

// listingRule: `jaga consents subjects PURPOSE` is for every role the policy allows
// PURPOSE, acting under it, as a listing through the API is (GET /v1/subjects); an
// unknown purpose is refused, audited.
var listingRule = staffRule{what: "listing the subjects of this purpose", action: gate.ActionListSubjects,
	rolesFor: func(v *vault, args []string) (map[jaga.Role]string, error) {
		if _, ok := v.gate.Purpose(args[0]); !ok {
			return nil, withHint(jaga.Errorf(jaga.ENOTFOUND, "no purpose %s", jaga.SafeName(args[0])), "list them with 'jaga purposes list'")
		}
		return purposeRoles(v.gate.Policy(), args[0]), nil
	}}

// purposeRoles maps every role pol allows purpose to purpose.
func purposeRoles(pol *policy.Policy, purpose string) map[jaga.Role]string {
	roles := map[jaga.Role]string{}
	for _, r := range pol.Roles() {
		if pol.AllowsPurpose(r, purpose) {
			roles[r] = purpose
		}
	}
	return roles
}

func consentsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "consents", Short: "Consents: list (or as of a time), record, receipts, the subjects with a valid basis (a staff key), and the deletions due after withdrawals",
		Long: consentsHelp}
	var vf vaultFlags
	sk := staffKey{need: "the key of a dpo or support staff member (jaga actors add)"}
	var at string
	list := &cobra.Command{Use: "list SUBJECT [--at TIME]", Short: "List a subject's consent records (proof, R-9); --at shows those in force at an RFC 3339 time (dpo or support key)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jaga.ParseSubjectID(args[0])
			if err != nil {
				return err
			}
			var t time.Time
			if at != "" {
				if t, err = time.Parse(time.RFC3339, at); err != nil {
					return jaga.FieldError("at", "--at must be an RFC 3339 time with zone")
				}
			}
			return e.asStaff(&vf, &sk, consentRule("reading consents", jaga.ActionReadConsents), func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				var cs []*jaga.Consent
				var err error
				if at != "" {
					cs, err = v.gate.ConsentsAt(cmd.Context(), req, id, t)
				} else {
					cs, err = v.gate.Consents(cmd.Context(), req, id)
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
			})(cmd, args)
		}}
	list.Flags().StringVar(&at, "at", "", "show the records in force at this RFC 3339 time")

	var in gate.ConsentInput
	var channel, status, givenBy, guardian string
	record := &cobra.Command{Use: "record SUBJECT --purpose P --status given|refused|withdrawn --channel C --given-by subject|guardian",
		Short: "Record a consent change and print it with its signed receipt (dpo or support key)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jaga.ParseSubjectID(args[0])
			if err != nil {
				return err
			}
			return e.asStaff(&vf, &sk, consentRule("recording a consent", jaga.ActionConsentChange), func(cmd *cobra.Command, v *vault, req gate.Request, _ []string) error {
				in.Status, in.Details.GivenBy, in.Details.Guardian = jaga.ConsentStatus(status), givenBy, jaga.SubjectID(guardian)
				res, err := v.gate.RecordConsent(cmd.Context(), gate.ConsentRequest{Request: req, Subject: id, Channel: jaga.Channel(channel), Consent: in})
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stderr, "jaga: "+res.Receipt.SummaryEN)
				return e.writeJSON(res)
			})(cmd, args)
		}}
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

	receipt := &cobra.Command{Use: "receipt SUBJECT PURPOSE", Short: "Print the signed receipt of the consent in force (dpo or support key)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := jaga.ParseSubjectID(args[0])
			if err != nil {
				return err
			}
			return e.asStaff(&vf, &sk, consentRule("reading a consent receipt", gate.ActionReadReceipt), func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
				r, err := v.gate.Receipt(cmd.Context(), req, id, args[1])
				if err != nil {
					return err
				}
				return e.writeJSON(r)
			})(cmd, args)
		}}
	listKey := staffKey{need: "the key of a staff member whose role the policy allows the purpose (jaga actors add)"}
	subjects := &cobra.Command{Use: "subjects PURPOSE", Short: "Print the IDs of the subjects with a valid basis for a purpose, one per line (R-27; a key of a role allowed the purpose)", Args: cobra.ExactArgs(1),
		RunE: e.asStaff(&vf, &listKey, listingRule, func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error {
			w := bufio.NewWriterSize(e.stdout, 64<<10)
			n, err := v.gate.ListSubjects(cmd.Context(), req, func(id jaga.SubjectID) error {
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
		})}
	for _, sub := range []*cobra.Command{list, record, receipt} {
		sk.add(sub, "the staff member acting (role dpo or support)")
	}
	listKey.add(subjects, "the staff member listing (a role the policy allows the purpose, e.g. marketer for cross_selling)")
	for _, sub := range []*cobra.Command{list, record, receipt, subjects} {
		vf.add(sub)
		c.AddCommand(sub)
	}
	c.AddCommand(runDeletionsCmd(e))
	return c
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
