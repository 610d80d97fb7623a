package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// TestRunDeletionsCommand: jaga consents run-deletions reports a due deletion in a dry
// run without deleting, then deletes the field, and finds nothing due afterwards.
func TestRunDeletionsCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	sub, err := v.gate.Create(ctx, gate.CreateRequest{Request: gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision},
		Values:   map[string]string{"full_name": "Budi Santoso", "email": "budi.santoso@example.com", "education": "Master"},
		Channel:  jaga.ChannelStoreVisit,
		Consents: []gate.ConsentInput{{Purpose: jaga.PurposeServiceImprovement, Status: jaga.ConsentRefused, Evidence: "FRM-TOKO-2025-0003"}}})
	if err != nil {
		t.Fatal(err)
	}
	// A deletion scheduled (as a withdrawal does) and already due: no basis keeps the
	// attribute, as the subject gave no consent to a purpose that covers it.
	if err := v.store.Update(ctx, func(tx jaga.Tx) error {
		return tx.ScheduleDeletion(ctx, &jaga.ScheduledDeletion{Subject: sub, Purpose: jaga.PurposeCrossSelling, Fields: []string{"education"},
			DueAt: time.Now().Add(-time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	report := func(args ...string) gate.DeletionReport {
		t.Helper()
		code, out, errs := run(t, append([]string{"consents", "run-deletions", "--dir", dir}, args...)...)
		var rep gate.DeletionReport
		if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || !strings.HasPrefix(errs, "jaga: ") {
			t.Fatalf("run-deletions %v: %d %s %s", args, code, out, errs)
		}
		return rep
	}
	if rep := report("--dry-run"); rep != (gate.DeletionReport{Due: 1, Done: 1, Fields: 1, DryRun: true}) {
		t.Fatalf("dry run: %+v", rep)
	}
	if rep := report(); rep != (gate.DeletionReport{Due: 1, Done: 1, Fields: 1}) {
		t.Fatalf("run: %+v", rep)
	}
	if rep := report(); rep.Due != 0 {
		t.Fatalf("second run: %+v", rep)
	}
	// The deletions are audited as the scheduled-deletion job's, which the command runs
	// once, never as a console dpo (act_cli) who chose nothing.
	var job int
	for _, ev := range auditEvents(t, dir, "*") {
		if ev.ActorID == cliActor.ID && ev.Role == jaga.RoleDPO {
			t.Errorf("event %d (%s) names the console as dpo", ev.Seq, ev.Action)
		}
		if ev.ActorID == jaga.ActorIDDeletions && ev.Decision == string(jaga.Allow) && slices.Contains(ev.Subjects, sub) {
			job++
		}
	}
	if job == 0 {
		t.Error("no audit event of the deletion job names the subject")
	}
	v = MustOpenVault(t, dir)
	defer v.Close()
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := v.gate.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	if _, has := rec.Values["education"]; has || rec.Values["full_name"] != "Budi Santoso" {
		t.Fatalf("after run-deletions: %v", rec.Values)
	}
}
