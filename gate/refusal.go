package gate

import (
	"context"

	"jaga"
)

// Refuse records a call that its front end refused before it reached one of the gate's
// operations, and returns err: an API key that does not authenticate (req.Actor nil,
// err EUNAUTHORIZED from Authenticate), or an actor whose role a desk does not serve
// (err a jaga.Refusal such as role_not_allowed). The command line uses it so that a
// refused command leaves the same trace as a refusal inside the gate.
//
// It writes one audit event through the path of the gate's own refusals: action, the
// actor and role when known, req.Purpose only when it is registered, req.Reason only
// when it holds no personal data, and the decision "deny:<reason>" or "error:<code>"
// taken from err. Neither err's message nor any credential reaches the event.
//
// subjects, when given, are the subjects (or quarantined rows) the refused call named,
// recorded by ID as a refused read records its subject — IDs only, never a value.
//
// Errors: err itself once the event is durable; EINTERNAL when err is nil or action is
// not a snake_case name (nothing is written); the audit write's failure, wrapped.
func (g *Gate) Refuse(ctx context.Context, req Request, action string, err error, subjects ...jaga.SubjectID) error {
	if err == nil {
		return jaga.Errorf(jaga.EINTERNAL, "gate: Refuse needs the refusal")
	}
	if !jaga.ValidName(action) {
		return jaga.Errorf(jaga.EINTERNAL, "audit action must be snake_case")
	}
	return g.refuse(ctx, req, action, subjects, nil, err)
}
