package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// quarantineReq is the request of the quarantine and subjects commands: the operator
// at the console, purpose service_provision (the data was collected for it).
func quarantineReq(reason string) gate.Request {
	return gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision, Reason: reason}
}

func quarantineCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "quarantine", Short: "List, show, fix, release or discard imported rows that failed validation (kept encrypted)"}
	var vf vaultFlags
	var status string
	var limit int
	list := &cobra.Command{
		Use: "list", Short: "List quarantined rows: ID, file, line, status and reasons (no values)", Args: cobra.NoArgs,
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
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			items, err := v.gate.QuarantineList(cmd.Context(), quarantineReq("quarantine list"), jaga.QuarantineFilter{Status: jaga.QuarantineStatus(status), Limit: limit})
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
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", it.ID, it.File, it.Line, it.Status, strings.Join(rs, ", "))
			}
			return tw.Flush()
		}),
	}
	list.Flags().StringVar(&status, "status", "open", "open, released, discarded, or '' for every status")
	list.Flags().IntVar(&limit, "limit", 1000, "at most this many rows (1 or more)")
	show := &cobra.Command{
		Use: "show ID", Short: "Show one open quarantined row with its values (audited)", Args: cobra.ExactArgs(1),
		RunE: e.withQuarantineArg(&vf, func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error {
			it, err := v.gate.QuarantineShow(cmd.Context(), quarantineReq("quarantine show"), id)
			if err != nil {
				return err
			}
			return e.writeJSON(quarantineView(it))
		}),
	}
	var sets []string
	fix := &cobra.Command{
		Use: "fix ID --set FIELD=VALUE...", Short: "Correct values of a quarantined row and re-validate it (FIELD= removes)", Args: cobra.ExactArgs(1),
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
			return e.withQuarantineArg(&vf, func(cmd *cobra.Command, v *vault, id jaga.SubjectID, _ []string) error {
				remain, err := v.gate.QuarantineFix(cmd.Context(), quarantineReq("quarantine fix"), id, set)
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
		RunE: e.withQuarantineArg(&vf, func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error {
			out, err := v.gate.QuarantineRelease(cmd.Context(), quarantineReq("quarantine release"), id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %s subject %s\n", id, out.Status, out.Subject)
			return nil
		}),
	}
	discard := &cobra.Command{
		Use: "discard ID", Short: "Destroy a quarantined row's values (its file, line and reasons stay)", Args: cobra.ExactArgs(1),
		RunE: e.withQuarantineArg(&vf, func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error {
			if err := v.gate.QuarantineDiscard(cmd.Context(), quarantineReq("quarantine discard"), id); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: discarded\n", id)
			return nil
		}),
	}
	for _, sub := range []*cobra.Command{list, show, fix, release, discard} {
		vf.add(sub)
		c.AddCommand(sub)
	}
	return c
}

func subjectsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "subjects", Short: "Identity resolution: list a subject's merges and undo one; list and resolve review flags"}
	var vf vaultFlags
	merges := &cobra.Command{
		Use: "merges SUBJECT", Short: "List the source rows merged into a subject", Args: cobra.ExactArgs(1),
		RunE: e.withSubjectArg(&vf, func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error {
			ms, err := v.gate.Merges(cmd.Context(), quarantineReq("subjects merges"), id)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MERGE\tFILE\tLINE\tFIELDS SET\tCONSENTS\tUNDONE INTO")
			for _, m := range ms {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\t%s\n", m.ID, m.File, m.Line, strings.Join(m.Fields, ","), len(m.Consents), m.UndoneInto)
			}
			return tw.Flush()
		}),
	}
	unmerge := &cobra.Command{
		Use: "unmerge SUBJECT MERGE", Short: "Undo a merge: the merged row becomes a subject of its own with its consents", Args: cobra.ExactArgs(2),
		RunE: e.withSubjectArg(&vf, func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error {
			mid, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("MERGE must be a merge number from 'jaga subjects merges'")
			}
			nid, err := v.gate.Unmerge(cmd.Context(), quarantineReq("subjects unmerge"), id, mid)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "merge %d undone: the row is now subject %s\n", mid, nid)
			return nil
		}),
	}
	for _, sub := range append([]*cobra.Command{merges, unmerge}, reviewFlagCmds(e, &vf)...) {
		vf.add(sub)
		c.AddCommand(sub)
	}
	return c
}

// withSubjectArg is withVault on an existing vault for commands whose first argument is
// a subject ID: the ID is parsed once the vault is open.
func (e *env) withSubjectArg(f *vaultFlags, fn func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error) func(*cobra.Command, []string) error {
	return e.withIDArg(f, nil, fn)
}

// errQuarantineID refuses a malformed quarantine row ID without echoing it.
var errQuarantineID = withHint(errors.New("quarantine row ID must be sub_ followed by 32 hex digits"), "'jaga quarantine list' shows the IDs")

// withQuarantineArg is withSubjectArg for the quarantine commands, whose first argument
// is a quarantined row's ID: it has a subject ID's shape, and a malformed one is named
// as a quarantine row ID.
func (e *env) withQuarantineArg(f *vaultFlags, fn func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error) func(*cobra.Command, []string) error {
	return e.withIDArg(f, errQuarantineID, fn)
}

// withIDArg parses the first argument as a subject-shaped ID once the vault is open and
// runs fn; a malformed ID is bad when bad is not nil, else jaga.ParseSubjectID's error.
func (e *env) withIDArg(f *vaultFlags, bad error, fn func(cmd *cobra.Command, v *vault, id jaga.SubjectID, args []string) error) func(*cobra.Command, []string) error {
	return e.withVault(f, true, func(cmd *cobra.Command, v *vault, args []string) error {
		id, err := jaga.ParseSubjectID(args[0])
		if err != nil && bad != nil {
			return bad
		} else if err != nil {
			return err
		}
		return fn(cmd, v, id, args)
	})
}

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
