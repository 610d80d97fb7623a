package gate

import (
	"context"
	"strings"
	"time"

	"jaga"
)

// closeOpenDSRs closes, inside an erasure's transaction, every open request of subject
// other than the erasing request itself (erasingRequest, the request ID an erasure
// through the request desk carries): with the data erased there is nothing left to
// correct, restrict, withdraw or export, and a request left open would wait for an
// approval that can never apply and run overdue. Each gets status closed, the time of
// the erasure and an outcome that says why (UU PDP Art 8, Arts 43-44, R-19). Its sealed
// notice address (under a key of its own, not the subject's) stays, so that the request
// desk can send the customer the notice as for any closed request (dsr.Desk.NotifyClosed),
// which then destroys it. It returns one audit event per request closed.
func (g *Gate) closeOpenDSRs(ctx context.Context, tx jaga.Tx, req Request, subject jaga.SubjectID, at time.Time) ([]*jaga.AuditEvent, error) {
	erasingRequest := req.RequestID
	open, err := tx.DSRs(ctx, jaga.DSRFilter{Subject: subject, Open: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var evs []*jaga.AuditEvent
	for _, r := range open {
		if r.ID == erasingRequest {
			continue
		}
		by := "an erasure"
		if strings.HasPrefix(erasingRequest, "dsr_") {
			by = "erasure request " + erasingRequest
		}
		r.Status, r.ClosedAt, r.UpdatedAt = jaga.DSRClosed, at, at
		r.Outcome = "closed without action: the subject's data was erased (" + by + ", UU PDP Art 8, Arts 43-44, R-19); nothing is left to act on"
		if err := tx.UpdateDSR(ctx, r); err != nil {
			return nil, err
		}
		// One event per request, under its ID, so that its timeline shows the closing.
		ev := g.event(Request{Actor: req.Actor, Purpose: req.Purpose, RequestID: r.ID, Reason: "closed: subject erased"}, ActionDSRStep, []jaga.SubjectID{subject})
		ev.Decision = string(jaga.Allow)
		evs = append(evs, ev)
	}
	return evs, nil
}
