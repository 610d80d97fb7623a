package dsr_test

import (
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
	"jaga/internal/vaulttest"
	"jaga/policy"
)

// nikDeniedEnv is mustEnv under a policy that gives the dpo every field for dsr but the
// NIK (R-32: a company may keep NIKs from its request desk).
func nikDeniedEnv(t *testing.T) *env {
	t.Helper()
	const from = "      dsr:\n        fields: {\"*\": allow}\n        write: [\"*\"]\n      legal_obligation:"
	y := string(policy.DefaultYAML())
	if !strings.Contains(y, from) {
		t.Fatal("the default policy's dpo rule moved; update the test")
	}
	return policyEnv(t, "nik-denied.yaml", strings.Replace(y, from, "      dsr:\n        fields: {\"*\": allow, nik: deny}\n        write: [\"*\"]\n      legal_obligation:", 1))
}

// policyEnv is mustEnv under the policy file text y, named name.
func policyEnv(t *testing.T, name, y string) *env {
	t.Helper()
	pol, err := policy.Parse(name, []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2025, 3, 10, 23, 30, 0, 0, wib)}
	v := vaulttest.New(t, vaulttest.Options{Gate: gate.Config{Clock: c, Policy: pol}})
	e := &env{g: v.Gate, store: v.Store, clock: c, notes: &notices{},
		dpo:  &jaga.Actor{ID: "act_dpo1", Kind: jaga.ActorStaff, Role: jaga.RoleDPO},
		dpo2: &jaga.Actor{ID: "act_dpo2", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}}
	if e.desk, err = dsr.New(dsr.Config{Vault: dsr.GateVault{Gate: v.Gate, Store: v.Store}, Clock: c, Notifier: e.notes}); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRectifyFieldRoleMayNotRead: under a policy that denies nik to the dpo, a
// customer's correction of their NIK (UU PDP Art 6, R-18) is still carried out by the
// request desk, and a correction emptying the e-mail can still be registered; the dpo
// still may not read the NIK, nor write one outside a correction request; the write's
// audit event names the request, the field and the read decision (deny), the desk
// never opened the new value, and no event of the request returned the NIK.
func TestRectifyFieldRoleMayNotRead(t *testing.T) {
	e := nikDeniedEnv(t)
	sub := e.mustSubject(t)
	const newNIK = "3273015501900027"
	dpo := gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}

	t.Run("CorrectNIK", func(t *testing.T) {
		r, err := e.desk.Submit(ctx, jaga.SubjectActor(sub), dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
			Values: map[string]string{"nik": newNIK}})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = e.desk.Fulfil(ctx, e.dpo, r.ID); err != nil || r.Status != jaga.DSRAwaitingApproval {
			t.Fatalf("fulfil: %v %+v", err, r)
		}
		if r, err = e.desk.Approve(ctx, e.dpo2, r.ID); err != nil || r.Status != jaga.DSRFulfilled {
			t.Fatalf("second approval: %v %+v", err, r)
		}
		svc := gate.Request{Actor: &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}, Purpose: jaga.PurposeServiceProvision}
		recs, err := e.g.Find(ctx, gate.FindRequest{Request: svc, Field: "nik", Value: jaga.Redact(newNIK), Fields: []string{"nik"}})
		if err != nil || len(recs) != 1 || recs[0].Subject != sub || recs[0].Values["nik"] != newNIK {
			t.Fatalf("the corrected NIK is not stored: %v %v", err, recs)
		}
		_, err = e.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: sub, Fields: []string{"nik"}})
		if je := jaga.AsError(err); je == nil || je.Reason != "role_not_allowed" {
			t.Fatalf("the dpo reads the NIK after the correction: %v", err)
		}
		tl, err := e.desk.Timeline(ctx, e.dpo, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var writes int
		for _, ev := range tl.Events {
			if ev.Action == jaga.ActionUpdate {
				writes++
				if ev.ActorID != e.dpo2.ID || ev.Decision != string(jaga.Allow) || strings.Join(ev.FieldsRequested, ",") != "nik" ||
					ev.Decisions["nik"] != jaga.Deny("role_not_allowed") || !strings.Contains(ev.Reason, "rectification") {
					t.Errorf("write event %+v; want the dpo2's allowed write of nik with the read decision deny:role_not_allowed", *ev)
				}
			}
			if ev.Action == gate.ActionReadRequestData && writes == 0 {
				// After the write the desk opens the notice address, never before.
				t.Errorf("the correction's values were opened for the desk: %+v", *ev)
			}
			for _, f := range ev.FieldsReturned {
				if f == "nik" {
					t.Errorf("event %s returned the NIK", ev.Action)
				}
			}
		}
		if writes != 1 {
			t.Fatalf("%d update events in the request's timeline; want 1", writes)
		}
	})
	t.Run("ErrWriteOutsideCorrection", func(t *testing.T) {
		err := e.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: sub, Set: map[string]string{"nik": "3273015501900035"}})
		if je := jaga.AsError(err); je == nil || je.Code != jaga.EFORBIDDEN || je.Reason != "role_not_allowed" {
			t.Fatalf("the dpo wrote a NIK without a correction request: %v", err)
		}
		if strings.Contains(jaga.ErrorMessage(err), "3273015501900035") {
			t.Fatal("the error echoes the value")
		}
	})
	t.Run("EmptyEmailRegistered", func(t *testing.T) {
		// Whether the NIK is held decides whether the e-mail may go; the dpo's look at it
		// must not need the NIK's value.
		if _, err := e.desk.Submit(ctx, e.dpo, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelEmail,
			Values: map[string]string{"email": "", "phone": ""}}); err != nil {
			t.Fatalf("correction emptying e-mail and phone (the NIK stays): %v", err)
		}
		_, err := e.desk.Submit(ctx, e.dpo, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelEmail,
			Values: map[string]string{"email": "", "phone": "", "nik": ""}})
		if je := jaga.AsError(err); je == nil || je.Code != jaga.EUNPROCESSABLE || je.Field != "nik" {
			t.Fatalf("correction emptying every identifier: %v", err)
		}
	})
	t.Run("ErrNotACorrection", func(t *testing.T) {
		access := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRAccess, Channel: jaga.DSRChannelEmail})
		err := e.g.Rectify(ctx, gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR, RequestID: access.ID}, sub)
		if jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("rectify under an access request: %v", err)
		}
		err = e.g.Rectify(ctx, gate.Request{Actor: e.dpo, Purpose: jaga.PurposeLegalObligation, RequestID: access.ID}, sub)
		if je := jaga.AsError(err); je == nil || je.Reason != "purpose_not_allowed" {
			t.Fatalf("rectify under legal_obligation: %v", err)
		}
	})
}
