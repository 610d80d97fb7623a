package dsr_test

import (
	"regexp"
	"testing"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
	"jaga/policy"
)

// writeLine matches a purpose's write list in a policy file (not the header comment).
var writeLine = regexp.MustCompile(`(?m)^ +write: .*\n`)

// TestRectifyUnderPolicyWithoutWrite: a policy file written before write lists existed
// (the default with every write removed) lets no role change a record through Update
// (write_not_allowed, default.yaml's header), yet a customer's correction (UU PDP Art 6,
// R-18) is still applied by the request desk, its audit event naming the field with
// deny:write_not_allowed.
func TestRectifyUnderPolicyWithoutWrite(t *testing.T) {
	y := string(policy.DefaultYAML())
	if n := len(writeLine.FindAllString(y, -1)); n < 4 {
		t.Fatalf("the default policy has %d write lists; the test expects the dpo's, the subject's, support's and service's", n)
	}
	e := policyEnv(t, "no-write.yaml", writeLine.ReplaceAllString(y, ""))
	sub := e.mustSubject(t)
	dpo := gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}
	const addr = "Jl. Braga 12, Bandung"

	err := e.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: sub, Set: map[string]string{"address": "Jl. Dago 1, Bandung"}})
	if je := jaga.AsError(err); je == nil || je.Code != jaga.EFORBIDDEN || je.Reason != policy.ReasonWriteNotAllowed || je.Field != "address" {
		t.Fatalf("the dpo changed an address under a policy without write: %v", err)
	}

	r, err := e.desk.Submit(ctx, jaga.SubjectActor(sub), dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
		Values: map[string]string{"address": addr}})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = e.desk.Fulfil(ctx, e.dpo, r.ID); err != nil || r.Status != jaga.DSRFulfilled {
		t.Fatalf("fulfil: %v %+v", err, r)
	}
	rec, err := e.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: sub, Fields: []string{"address"}})
	if err != nil || rec.Values["address"] != addr {
		t.Fatalf("the correction is not stored: %v %v", err, rec)
	}
	tl, err := e.desk.Timeline(ctx, e.dpo, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	writes := 0
	for _, ev := range tl.Events {
		if ev.Action != jaga.ActionUpdate {
			continue
		}
		writes++
		if ev.Decision != string(jaga.Allow) || ev.Decisions["address"] != jaga.Deny(policy.ReasonWriteNotAllowed) {
			t.Errorf("write event %+v; want an allowed write with address's decision deny:write_not_allowed", *ev)
		}
	}
	if writes != 1 {
		t.Fatalf("%d update events in the request's timeline; want 1", writes)
	}
}
