package gate

import (
	"context"

	"jaga"
)

// ReasonWrongCode is the refusal reason of a sign-in code that did not match
// (LoginFailed).
const ReasonWrongCode = "wrong_code"

// Login records a customer's sign-in to the privacy portal after the portal verified
// their code (UU PDP Art 31, R-29): req.Actor is the subject themself
// (jaga.SubjectActor) under purpose dsr. In one transaction it checks that the subject
// still exists (it may have been erased since the code was sent) and writes one event,
// action login, naming the subject and no field or address. Errors: as Read's request
// checks (audited as a refused login); ENOTFOUND for an erased or unknown subject
// (audited).
func (g *Gate) Login(ctx context.Context, req Request, subject jaga.SubjectID) error {
	subjects := []jaga.SubjectID{subject}
	if err := g.checkDSR(req, subject); err != nil {
		return g.refuse(ctx, req, jaga.ActionLogin, subjects, nil, err)
	}
	if req.Purpose != jaga.PurposeDSR {
		return g.refuse(ctx, req, jaga.ActionLogin, subjects, nil, jaga.Refusal("purpose_not_allowed", "a sign-in is recorded under purpose dsr"))
	}
	p, _ := g.Purpose(jaga.PurposeDSR)
	var refusal error
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		ev := g.event(req, jaga.ActionLogin, subjects)
		ev.Decision = string(jaga.Allow)
		var err error
		_, refusal, err = g.loadAllowed(ctx, tx, p, subject, ev)
		if err != nil {
			return nil, err
		}
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return err
	}
	return refusal
}

// LoginFailed records a refused sign-in to the privacy portal for subject, the customer
// a sign-in code was sent to, with reason (ReasonWrongCode; snake_case): one event,
// action login, decision "deny:<reason>", by req.Actor (the portal), purpose dsr. It
// names the subject only, never the address typed or the code, so that the customer sees
// the attempts on their account in their access history. The portal calls it only for
// attempts its limits bound (a code's few tries), so that nobody can flood the log.
// Errors: EINTERNAL for a bad call or a failed append.
func (g *Gate) LoginFailed(ctx context.Context, req Request, subject jaga.SubjectID, reason string) error {
	if req.Actor == nil || req.Purpose != jaga.PurposeDSR || !subject.Valid() || !jaga.ValidName(reason) {
		return jaga.Errorf(jaga.EINTERNAL, "a refused sign-in needs an actor, purpose dsr, a subject and a snake_case reason")
	}
	ev := g.event(req, jaga.ActionLogin, []jaga.SubjectID{subject})
	ev.Decision = "deny:" + reason
	return g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		return []*jaga.AuditEvent{ev}, nil
	})
}
