package dsr_test

import (
	"strings"
	"testing"

	"jaga"
	"jaga/dsr"
)

// TestErasureClosesOpenRequests: a name correction awaiting its second approver, then
// an erasure fulfilled: the correction is closed in the erasure's transaction (status
// closed, the outcome says the data was erased), its customer notified, its timeline
// shows it, and it no longer waits for an approval or runs overdue.
func TestErasureClosesOpenRequests(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	fix := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
		Values: map[string]string{"full_name": "Siti Rahayu Putri"}})
	if r, err := e.desk.Fulfil(ctx, e.dpo, fix.ID); err != nil || r.Status != jaga.DSRAwaitingApproval {
		t.Fatalf("fulfil correction: %v %+v", err, r)
	}
	erase := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelPortal})
	if _, err := e.desk.Fulfil(ctx, e.dpo, erase.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.desk.Get(ctx, fix.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != jaga.DSRClosed || got.ClosedAt.IsZero() || !strings.Contains(got.Outcome, "erased") || !strings.Contains(got.Outcome, erase.ID) {
		t.Fatalf("correction after the erasure: %+v", got)
	}
	if got.SealedKey != nil || got.NoticeSentAt.IsZero() {
		t.Fatalf("correction's notice not sent or key kept: %+v", got)
	}
	if len(e.notes.sent) != 2 || e.notes.sent[0].RequestID != fix.ID || e.notes.sent[0].Status != jaga.DSRClosed {
		t.Fatalf("notices %+v; want the correction's (closed), then the erasure's", e.notes.sent)
	}
	if _, err := e.desk.Approve(ctx, e.dpo2, fix.ID); jaga.ErrorCode(err) != jaga.ECONFLICT {
		t.Fatalf("approving the closed correction: %v", err)
	}
	open, err := e.desk.List(ctx, jaga.DSRFilter{Subject: sub, Open: true})
	if err != nil || len(open) != 0 {
		t.Fatalf("open requests after the erasure: %v %+v", err, open)
	}
	tl, err := e.desk.Timeline(ctx, e.dpo, fix.ID)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, ev := range tl.Events {
		steps = append(steps, ev.Action+":"+ev.Reason)
	}
	if !strings.Contains(strings.Join(steps, "|"), "dsr_step:closed: subject erased") {
		t.Fatalf("timeline %q does not show the closing", steps)
	}
}
