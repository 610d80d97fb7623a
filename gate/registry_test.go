package gate_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/policy"
	"jaga/sqlstore/sqlite"
)

// TestPurposeChangeNeedsNotice: a change of an active purpose's fields waits for a notice
// version that covers it (UU PDP Art 21(2), R-13), then takes effect.
func TestPurposeChangeNeedsNotice(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	admin := f.req(jaga.RoleAdmin, "")
	cs, _ := f.g.Purpose(jaga.PurposeCrossSelling)
	next := *cs
	next.Fields = append(slices.Clone(cs.Fields), "gender")
	out, err := f.g.PutPurpose(ctx, gate.PurposeChange{Request: admin, Purpose: next})
	if err != nil {
		t.Fatal(err)
	}
	if out.Pending == nil || slices.Contains(out.Fields, "gender") || out.Status != jaga.PurposeActive {
		t.Fatalf("change of an active purpose took effect before a notice: %+v", out)
	}
	// A draft notice does not apply the change; an approved one in force does.
	if _, err := f.g.GenerateNotice(ctx, admin, "notice-id-v5"); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.g.Purpose(jaga.PurposeCrossSelling); p.Pending == nil {
		t.Fatal("a draft notice applied the change")
	}
	if _, err := f.g.ApproveNotice(ctx, admin, "notice-id-v5", time.Time{}); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "role_not_allowed" {
		t.Fatalf("admin approved a notice: %v", err)
	}
	if _, err := f.g.ApproveNotice(ctx, f.req(jaga.RoleDPO, ""), "notice-id-v5", time.Time{}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.g.Purpose(jaga.PurposeCrossSelling)
	if p.Pending != nil || !slices.Contains(p.Fields, "gender") {
		t.Fatalf("approved notice did not apply the change: %+v", p)
	}
	n, _ := f.g.Notice("notice-id-v5")
	if !strings.Contains(n.TextEN, "gender") || !strings.Contains(n.TextID, "Penawaran produk lain") {
		t.Errorf("notice text does not describe the new fields")
	}
	if _, err := f.g.GenerateNotice(ctx, admin, "notice-id-v5"); jaga.ErrorCode(err) != jaga.ECONFLICT {
		t.Fatalf("a notice version rewritten: %v", err)
	}
}

func TestActivationRules(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	admin := f.req(jaga.RoleAdmin, "")
	li := jaga.Purpose{ID: "fraud_prevention", NameID: "Pencegahan penipuan", NameEN: "Fraud prevention", Basis: jaga.BasisLegitimateInterest,
		DPV: "dpv:FraudPreventionAndDetection", Fields: []string{"full_name"}, RetentionDays: 365}
	p, err := f.g.PutPurpose(ctx, gate.PurposeChange{Request: admin, Purpose: li})
	if err != nil || p.Status != jaga.PurposeDraft {
		t.Fatalf("register: %+v %v", p, err)
	}
	_, err = f.g.SetPurposeStatus(ctx, admin, li.ID, jaga.PurposeActive)
	if jaga.ErrorCode(err) != jaga.ECONFLICT || !strings.Contains(err.Error(), "balancing test") || !strings.Contains(err.Error(), "notice") {
		t.Fatalf("activation without balancing test and notice: %v", err)
	}
	if _, err := f.g.RecordAssessment(ctx, admin, li.ID, gate.AssessmentBalancingTest, jaga.Assessment{Ref: "LIA-7", Approved: true}); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "role_not_allowed" {
		t.Fatalf("admin recorded an assessment: %v", err)
	}
	dpo := f.req(jaga.RoleDPO, "")
	if _, err := f.g.RecordAssessment(ctx, dpo, li.ID, gate.AssessmentBalancingTest, jaga.Assessment{Ref: "LIA-7", Approved: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.g.GenerateNotice(ctx, admin, "notice-fraud"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.g.ApproveNotice(ctx, dpo, "notice-fraud", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if p, err = f.g.SetPurposeStatus(ctx, admin, li.ID, jaga.PurposeActive); err != nil || p.Status != jaga.PurposeActive {
		t.Fatalf("activation: %+v %v", p, err)
	}
	for _, bad := range []jaga.Purpose{
		{ID: "x1", NameID: "a", NameEN: "b", Basis: "whim", RetentionDays: 1},
		{ID: "x2", NameID: "a", NameEN: "b", Basis: jaga.BasisConsent},
		{ID: "x3", NameID: "a", NameEN: "b", Basis: jaga.BasisConsent, RetentionDays: 1, Fields: []string{"shoe_size"}},
		{ID: "x4", NameID: "a", NameEN: "b", Basis: jaga.BasisConsent, RetentionDays: 1, RiskFlags: []string{"spooky"}},
		{ID: "Bad Id", NameID: "a", NameEN: "b", Basis: jaga.BasisConsent, RetentionDays: 1},
	} {
		if _, err := f.g.PutPurpose(ctx, gate.PurposeChange{Request: admin, Purpose: bad}); jaga.ErrorCode(err) != jaga.EUNPROCESSABLE {
			t.Errorf("purpose %s accepted: %v", bad.ID, err)
		}
	}
	// Retiring a purpose refuses it at the next decision.
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	if _, err := f.g.SetPurposeStatus(ctx, admin, jaga.PurposeCrossSelling, jaga.PurposeRetired); err != nil {
		t.Fatal(err)
	}
	_, err = f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleMarketer, jaga.PurposeCrossSelling), Subject: id})
	if e := jaga.AsError(err); e == nil || e.Reason != policy.ReasonPurposeNotActive {
		t.Fatalf("read under a retired purpose: %v", err)
	}
	if _, err := f.g.SetPurposeStatus(ctx, f.req(jaga.RoleMarketer, ""), jaga.PurposeCrossSelling, jaga.PurposeActive); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "role_not_allowed" {
		t.Fatalf("a marketer changed the registry: %v", err)
	}
}

// TestRegistryAcrossNodes: a second gate on the same database (another node) sees a
// registry change within its refresh interval, by the registry version.
func TestRegistryAcrossNodes(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	st2, err := sqlite.Open(ctx, filepath.Join(f.dir, "data", "jaga.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	g2, err := gate.New(gate.Config{Store: st2, Keys: f.keys, Policy: policy.Default(), RegistryRefresh: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	if p, _ := g2.Purpose(jaga.PurposeCrossSelling); p.Status != jaga.PurposeActive {
		t.Fatalf("node 2 starts with cross_selling %s", p.Status)
	}
	if _, err := f.g.SetPurposeStatus(ctx, f.req(jaga.RoleAdmin, ""), jaga.PurposeCrossSelling, jaga.PurposeRetired); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		p, _ := g2.Purpose(jaga.PurposeCrossSelling)
		if p.Status == jaga.PurposeRetired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node 2 never saw the retirement")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRecordTimesOfNoticesAndGuardians: a notice may be approved in force from a past
// date (history a controller records) but not before 1970 nor more than 366 days ahead;
// a guardianship's adult_at lies after now and within 18 years (UU PDP Art 25, R-3).
func TestRecordTimesOfNoticesAndGuardians(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	admin, dpo := f.req(jaga.RoleAdmin, ""), f.req(jaga.RoleDPO, "")
	if _, err := f.g.GenerateNotice(ctx, admin, "notice-id-v9"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, at := range []time.Time{time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), now.AddDate(1, 0, 2)} {
		if _, err := f.g.ApproveNotice(ctx, dpo, "notice-id-v9", at); jaga.ErrorCode(err) != jaga.EUNPROCESSABLE || jaga.AsError(err).Field != "in_force_at" {
			t.Errorf("in force from %s: %v; want 422 naming in_force_at", at, err)
		}
	}
	if n, _ := f.g.Notice("notice-id-v9"); n.Status == jaga.NoticeApproved {
		t.Fatal("a refused approval approved the notice")
	}
	if _, err := f.g.ApproveNotice(ctx, dpo, "notice-id-v9", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("a notice in force from a past date: %v", err)
	}

	child := f.MustCreate(t, "anak@example.com", jaga.ConsentGiven)
	guardian := f.MustCreate(t, "wali@example.com", jaga.ConsentGiven)
	for _, at := range []time.Time{now.Add(-time.Hour), now.AddDate(18, 0, 9)} {
		if err := f.g.SetGuardian(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), child, guardian, at); jaga.ErrorCode(err) != jaga.EUNPROCESSABLE || jaga.AsError(err).Field != "adult_at" {
			t.Errorf("adult at %s: %v; want 422 naming adult_at", at, err)
		}
	}
	if err := f.g.SetGuardian(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), child, guardian, now.AddDate(17, 11, 0)); err != nil {
		t.Fatalf("a newborn's guardian: %v", err)
	}
}
