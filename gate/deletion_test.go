package gate_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// testClock is a jaga.Clock the test moves by hand.
type testClock struct{ t atomic.Pointer[time.Time] }

func newTestClock(t time.Time) *testClock { c := &testClock{}; c.Set(t); return c }
func (c *testClock) Now() time.Time       { return *c.t.Load() }
func (c *testClock) Set(t time.Time)      { c.t.Store(&t) }

var deletionT0 = time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)

// withdraw records a withdrawal of cross_selling for sub by the dpo.
func (f *fixture) withdraw(t *testing.T, sub jaga.SubjectID) *gate.ConsentResult {
	t.Helper()
	res, err := f.g.RecordConsent(context.Background(), gate.ConsentRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub, Channel: jaga.ChannelAPI,
		Consent: gate.ConsentInput{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentWithdrawn, Evidence: "DSR-withdraw",
			Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) runDeletions(t *testing.T, dry bool) gate.DeletionReport {
	t.Helper()
	rep, err := f.g.RunDeletions(context.Background(), f.req(jaga.RoleDPO, jaga.PurposeLegalObligation), dry)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// values reads every field of sub as the dpo under dsr.
func (f *fixture) values(t *testing.T, sub jaga.SubjectID) map[string]string {
	t.Helper()
	rec, err := f.g.Read(context.Background(), gate.ReadRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	return rec.Values
}

// TestScheduledDeletions: a withdrawal of cross_selling schedules the deletion of the
// attribute only that consent held; the job deletes it when due, not before,
// once, audited without the value, and only on the node holding the job lock.
func TestScheduledDeletions(t *testing.T) {
	ctx := context.Background()
	clk := newTestClock(deletionT0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	res := f.withdraw(t, sub)
	w := res.Withdrawal
	if w == nil || w.Scheduled == nil || !slices.Equal(w.Scheduled.Fields, []string{"education"}) || !w.Scheduled.DueAt.Equal(deletionT0.Add(gate.DeletionDelay)) {
		t.Fatalf("withdrawal = %+v", w)
	}
	if by := w.Kept["full_name"]; len(by) != 2 || by[0].Purpose != jaga.PurposeCustomerSupport || by[1].Purpose != jaga.PurposeServiceProvision || by[1].Basis != jaga.BasisContract {
		t.Fatalf("full_name kept by %+v, want customer_support and service_provision (contract)", by)
	}

	clk.Set(deletionT0.Add(gate.DeletionDelay - time.Minute))
	if rep := f.runDeletions(t, false); rep.Due != 0 || rep.Done != 0 {
		t.Fatalf("before due: %+v", rep)
	}
	clk.Set(deletionT0.Add(gate.DeletionDelay))
	if rep := f.runDeletions(t, true); rep != (gate.DeletionReport{Due: 1, Done: 1, Fields: 1, DryRun: true}) {
		t.Fatalf("dry run: %+v", rep)
	}
	if v := f.values(t, sub); v["education"] != "Graduation" {
		t.Fatalf("a dry run deleted: %v", v)
	}

	// Another node holding the job lock: this one does nothing.
	release, ok, err := f.store.TryLock(ctx, gate.DeletionLock)
	if err != nil || !ok {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	if _, err := f.g.RunDeletions(ctx, f.req(jaga.RoleDPO, jaga.PurposeLegalObligation), false); jaga.ErrorCode(err) != jaga.ECONFLICT {
		t.Fatalf("while locked: %v, want ECONFLICT", err)
	}
	release()

	seq := lastSeq(t, f)
	if rep := f.runDeletions(t, false); rep != (gate.DeletionReport{Due: 1, Done: 1, Fields: 1}) {
		t.Fatalf("due: %+v", rep)
	}
	v := f.values(t, sub)
	if _, has := v["education"]; has || v["full_name"] != "Rina Sari" || v["domicile_city"] == "" {
		t.Fatalf("after the deletion: %v (education gone, the rest kept)", v)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{AfterSeq: seq, Action: gate.ActionScheduledDeletion})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || !slices.Equal(evs[0].Subjects, []jaga.SubjectID{sub}) || !slices.Equal(evs[0].FieldsRequested, []string{"education"}) || evs[1].Count != 1 {
		t.Fatalf("audit events %+v", evs)
	}
	b, _ := json.Marshal(evs)
	if strings.Contains(string(b), "Graduation") || strings.Contains(string(b), "Rina") {
		t.Fatalf("a value in the audit events: %s", b)
	}
	if err := f.store.View(ctx, func(tx jaga.Tx) error {
		ds, err := tx.ScheduledDeletions(ctx, sub)
		if err != nil || len(ds) != 1 || !ds[0].DoneAt.Equal(deletionT0.Add(gate.DeletionDelay)) || !slices.Equal(ds[0].Deleted, []string{"education"}) {
			t.Fatalf("scheduled deletions %+v, %v", ds, err)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if rep := f.runDeletions(t, false); rep.Due != 0 {
		t.Fatalf("ran twice: %+v", rep)
	}

	t.Run("ErrPurpose", func(t *testing.T) {
		_, err := f.g.RunDeletions(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), false)
		if e := jaga.AsError(err); e == nil || e.Reason != "purpose_not_allowed" {
			t.Fatalf("under dsr: %v", err)
		}
		_, err = f.g.RunDeletions(ctx, f.req(jaga.RoleMarketer, jaga.PurposeLegalObligation), false)
		if e := jaga.AsError(err); e == nil || e.Reason != "role_not_allowed" {
			t.Fatalf("as marketer: %v", err)
		}
	})
}

// TestScheduledDeletionKeptAtDueTime: a basis in force when the deletion is due keeps
// the field (consent given again to service_improvement, which covers attributes).
func TestScheduledDeletionKeptAtDueTime(t *testing.T) {
	ctx := context.Background()
	clk := newTestClock(deletionT0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	f.withdraw(t, sub)
	clk.Set(deletionT0.Add(time.Hour))
	if _, err := f.g.RecordConsent(ctx, gate.ConsentRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: sub, Channel: jaga.ChannelStoreVisit,
		Consent: gate.ConsentInput{Purpose: jaga.PurposeServiceImprovement, Status: jaga.ConsentGiven, Evidence: "FRM-TOKO-2025-0002",
			Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}}); err != nil {
		t.Fatal(err)
	}
	clk.Set(deletionT0.Add(gate.DeletionDelay))
	if rep := f.runDeletions(t, false); rep != (gate.DeletionReport{Due: 1, Done: 1, Kept: 1}) {
		t.Fatalf("run: %+v", rep)
	}
	if v := f.values(t, sub); v["education"] != "Graduation" {
		t.Fatalf("deleted although service_improvement keeps it: %v", v)
	}
}

// TestWithdrawalUnderLegalHold: a legal hold in force keeps every field under
// legal_obligation; the withdrawal names the hold's basis, and the deletion waits for
// the hold to end (DESIGN.md purposes: legal_obligation covers the fields under a
// recorded legal hold; R-19).
func TestWithdrawalUnderLegalHold(t *testing.T) {
	ctx := context.Background()
	clk := newTestClock(deletionT0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	until := deletionT0.Add(100 * time.Hour)
	if err := f.store.Update(ctx, func(tx jaga.Tx) error {
		return tx.InsertLegalHold(ctx, &jaga.LegalHold{Subject: sub, Basis: "tax_records", Ref: "CASE-2025-7", PlacedBy: "act_x", PlacedAt: deletionT0, Until: until})
	}); err != nil {
		t.Fatal(err)
	}
	w := f.withdraw(t, sub).Withdrawal
	hold := gate.KeptBy{Purpose: jaga.PurposeLegalObligation, Basis: jaga.BasisLegalObligation, Hold: "tax_records", HoldRef: "CASE-2025-7"}
	if by := w.Kept["education"]; !slices.Equal(by, []gate.KeptBy{hold}) {
		t.Fatalf("education kept by %+v, want the hold", by)
	}
	if by := w.Kept["full_name"]; len(by) != 3 || by[1].Purpose != jaga.PurposeServiceProvision || by[2] != hold {
		t.Fatalf("full_name kept by %+v", by)
	}
	if w.Scheduled == nil || !slices.Equal(w.Scheduled.Fields, []string{"education"}) {
		t.Fatalf("scheduled %+v: education is deleted once the hold ends", w.Scheduled)
	}
	clk.Set(deletionT0.Add(gate.DeletionDelay))
	if rep := f.runDeletions(t, false); rep != (gate.DeletionReport{Due: 1, Held: 1}) {
		t.Fatalf("under hold: %+v", rep)
	}
	if v := f.values(t, sub); v["education"] != "Graduation" {
		t.Fatalf("deleted under a legal hold: %v", v)
	}
	clk.Set(until)
	if rep := f.runDeletions(t, false); rep != (gate.DeletionReport{Due: 1, Done: 1, Fields: 1}) {
		t.Fatalf("hold ended: %+v", rep)
	}
	if _, has := f.values(t, sub)["education"]; has {
		t.Fatal("education kept after the hold ended")
	}
}

// TestScheduledDeletionOfIdentityAndPurchases: with service_provision retired nothing
// else keeps the name, the city or the purchases; the job deletes them all (sealed
// values, attributes object, purchases) and the subject stays.
func TestScheduledDeletionOfIdentityAndPurchases(t *testing.T) {
	ctx := context.Background()
	clk := newTestClock(deletionT0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	if err := f.store.Update(ctx, func(tx jaga.Tx) error {
		_, err := tx.InsertPurchases(ctx, []*jaga.SealedPurchase{{Subject: sub, Sealed: []byte("sealed-purchase-1")}, {Subject: sub, Sealed: []byte("sealed-purchase-2")}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{jaga.PurposeServiceProvision, jaga.PurposeCustomerSupport} {
		if _, err := f.g.SetPurposeStatus(ctx, f.req(jaga.RoleDPO, jaga.PurposeSecurity), p, jaga.PurposeRetired); err != nil {
			t.Fatal(err)
		}
	}
	w := f.withdraw(t, sub).Withdrawal
	want := []string{"full_name", "domicile_city", "education", jaga.FieldPurchases}
	if w.Scheduled == nil || !slices.Equal(w.Scheduled.Fields, want) {
		t.Fatalf("scheduled %+v, want %v", w.Scheduled, want)
	}
	clk.Set(deletionT0.Add(gate.DeletionDelay))
	if rep := f.runDeletions(t, false); rep != (gate.DeletionReport{Due: 1, Done: 1, Fields: 4}) {
		t.Fatalf("run: %+v", rep)
	}
	if err := f.store.View(ctx, func(tx jaga.Tx) error {
		s, err := tx.Subject(ctx, sub)
		if err != nil {
			return err
		}
		for _, k := range []string{"full_name", "domicile_city", gate.AttributesField} {
			if _, has := s.Sealed[k]; has {
				t.Errorf("%s still sealed", k)
			}
		}
		if _, has := s.Sealed["email"]; !has {
			t.Error("email deleted, though cross_selling never held it")
		}
		ps, err := tx.Purchases(ctx, sub)
		if len(ps) != 0 {
			t.Errorf("%d purchases left", len(ps))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestAuditLogNeedsActiveSecurity: the audit log is read under purpose security, which
// a fresh registry holds as a draft until its balancing test is recorded.
func TestAuditLogNeedsActiveSecurity(t *testing.T) {
	ctx := context.Background()
	f := mustFixtureWith(t, fixtureOptions{Bare: true})
	_, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EFORBIDDEN || e.Reason != "purpose_not_active" {
		t.Fatalf("draft security: %v", err)
	}
	if err := f.g.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionReadAudit})
	if err != nil || len(evs) != 1 || evs[0].Decision != "deny:purpose_not_active" {
		t.Fatalf("after the balancing test: %+v, %v (the refused read is in the log)", evs, err)
	}
}

// TestPurgeExpiredSignups: an e-mail sign-up never confirmed is deleted once its link
// expired, with one audit event counting it; before that it stays; other roles and
// purposes are refused.
func TestPurgeExpiredSignups(t *testing.T) {
	ctx := context.Background()
	clk := newTestClock(deletionT0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	row := gate.IntakeRow{Channel: jaga.ChannelEmailSignup, Values: map[string]string{"full_name": "Rina Sari", "email": "rina@example.com"}}
	if err := f.g.StartSignup(ctx, f.req(jaga.RoleService, jaga.PurposeServiceProvision), "newsletter", row, make([]byte, 32), deletionT0.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	job := gate.Request{Actor: &jaga.Actor{ID: "act_deletions", Kind: jaga.ActorSystem, Role: jaga.RoleDPO}, Purpose: jaga.PurposeLegalObligation}
	if n, err := f.g.PurgeExpiredSignups(ctx, job); err != nil || n != 0 {
		t.Fatalf("before expiry: %d, %v", n, err)
	}
	if _, err := f.g.PurgeExpiredSignups(ctx, f.req(jaga.RoleSupport, jaga.PurposeLegalObligation)); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		t.Errorf("support purging: %v", err)
	}
	if _, err := f.g.PurgeExpiredSignups(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR)); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		t.Errorf("purge under dsr: %v", err)
	}
	clk.Set(deletionT0.Add(73 * time.Hour))
	if n, err := f.g.PurgeExpiredSignups(ctx, job); err != nil || n != 1 {
		t.Fatalf("after expiry: %d, %v", n, err)
	}
	if err := f.g.SignupPending(ctx, make([]byte, 32)); jaga.ErrorCode(err) != jaga.ENOTFOUND {
		t.Errorf("the purged sign-up: %v, want not found", err)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionSignupsPurged, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[2].Count != 1 || evs[2].Decision != string(jaga.Allow) {
		t.Fatalf("purge events %+v", evs)
	}
}

// TestJobNamedInHistory: a scheduled deletion run by Jaga's own job appears in the
// customer's access history as Jaga's automated job, not as the dpo role whose rights
// the job used; a dpo's own reads stay named as the dpo.
func TestJobNamedInHistory(t *testing.T) {
	ctx := context.Background()
	clk := newTestClock(deletionT0)
	f := mustFixtureWith(t, fixtureOptions{Clock: clk})
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	f.withdraw(t, sub)
	clk.Set(deletionT0.Add(gate.DeletionDelay))
	job := gate.Request{Actor: &jaga.Actor{ID: jaga.ActorIDDeletions, Kind: jaga.ActorSystem, Role: jaga.RoleDPO}, Purpose: jaga.PurposeLegalObligation}
	if rep, err := f.g.RunDeletions(ctx, job, false); err != nil || rep.Done != 1 {
		t.Fatalf("deletions: %+v %v", rep, err)
	}
	h, err := f.g.AccessHistory(ctx, gate.AccessHistoryRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	var jobs, staff int
	for _, e := range h.Entries {
		who := gate.WhoLabel("id", e.Role, e.Job)
		switch {
		case e.Action == gate.ActionScheduledDeletion:
			jobs++
			if !e.Job || who != "Jaga — tugas otomatis" || gate.WhoLabel("en", e.Role, e.Job) != "Jaga — automated job" {
				t.Errorf("the deletion job's entry: job %v, named %q", e.Job, who)
			}
		case e.Role == jaga.RoleDPO:
			staff++
			if e.Job || who != "pejabat pelindungan data" {
				t.Errorf("a dpo's entry (%s): job %v, named %q", e.Action, e.Job, who)
			}
		}
	}
	if jobs != 1 || staff == 0 {
		t.Fatalf("history: %d job entries, %d dpo entries", jobs, staff)
	}
}
