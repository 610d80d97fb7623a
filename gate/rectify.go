package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"jaga"
	"jaga/policy"
	"jaga/seal"
)

// A data subject's right to have their data corrected (UU PDP Art 6, Art 30(1)-(2);
// R-18) must be honoured by the controller within 3×24 h whatever its policy lets the
// handling staff read. A company may deny the nik field to its dpo role (R-32: least
// privilege) and still owes the customer the correction of a wrong NIK. So reading and
// writing are decided apart: a role writes only the fields its policy's write list names
// for the purpose, and never one it may not read (Update, writeDecisions,
// policy.CanWrite), except the correction a registered rectification request carries,
// which the gate applies itself (Rectify): the values come from the request's sealed
// data, never from the caller, are opened inside the gate and never leave it, and the
// audit event records the write with the role's read decision for each such field,
// which stays a deny (or deny:write_not_allowed for a field the role may read but not
// otherwise change). Who may read or change NIKs is not widened.

// Audit actions of corrections.
const (
	// ActionCheckCorrection is the audit action of CheckKeepsIdentifier.
	ActionCheckCorrection = "check_correction"
)

// rectifyReason is the audit reason of a write Rectify carries out.
const rectifyReason = "rectification request (UU PDP Art 6)"

// writeDecisions decides the write of each touched field for role and purpose p
// (policy.CanWrite): a field the policy denies (the role may not read it) is refused
// with the decision's reason, one the role may read but its policy's write list for p
// does not name with write_not_allowed (EFORBIDDEN naming the field and the role, never
// a value), unless rectify is set, when every field is allowed and each refused one is
// returned with its decision for the audit event (a read deny stays the read deny).
func (g *Gate) writeDecisions(role jaga.Role, p *jaga.Purpose, touched []string, rectify bool) (map[string]jaga.Decision, error) {
	var denied map[string]jaga.Decision
	pol := g.Policy() // one policy for the whole write, even across a reload
	for _, name := range touched {
		f, ok := g.schema.Field(name)
		if !ok {
			return nil, jaga.FieldError(name, "unknown field")
		}
		d := pol.CanWrite(role, p, f)
		if !d.IsDeny() {
			continue
		}
		if !rectify {
			return nil, writeRefusal(d, name, role, p.ID)
		}
		if denied == nil {
			denied = make(map[string]jaga.Decision)
		}
		denied[name] = d
	}
	return denied, nil
}

// writeRefusal is the EFORBIDDEN error of a write decision d of field name.
func writeRefusal(d jaga.Decision, name string, role jaga.Role, purpose string) error {
	var e *jaga.Error
	if d.Reason() == policy.ReasonWriteNotAllowed {
		e = jaga.Refusal(d.Reason(), "role %s may read but not change field %s for purpose %s: the policy's write list for the purpose does not name it (a customer's correction is applied through the request desk)", role, name, purpose)
	} else {
		e = jaga.Refusal(d.Reason(), "field %s is denied for role %s and purpose %s: a role may not write a field it may not read (a customer's correction is applied through the request desk)", name, role, purpose)
	}
	e.Field = jaga.SafeName(name)
	return e
}

// rectifiable checks that r is an open rectification request of subject whose sealed
// values still exist: ENOTFOUND for no such request, ECONFLICT for a closed one or one
// whose key was destroyed.
func rectifiable(r *jaga.DSR, subject jaga.SubjectID) error {
	if r == nil || r.Subject != subject || r.Type != jaga.DSRRectify {
		return jaga.Errorf(jaga.ENOTFOUND, "no correction request of this subject has that ID")
	}
	if !r.Status.Open() {
		return jaga.Errorf(jaga.ECONFLICT, "the correction request is %s", r.Status)
	}
	if len(r.SealedKey) == 0 || len(r.Sealed) == 0 {
		return jaga.Errorf(jaga.ECONFLICT, "the correction request's values are destroyed")
	}
	return nil
}

// stillRectifiable re-checks request id inside the write's transaction, so that a
// request closed meanwhile (an erasure, a refusal) grants nothing. A failed check is a
// refusal, not a transaction failure.
func stillRectifiable(ctx context.Context, tx jaga.Tx, id string, subject jaga.SubjectID) (refusal, err error) {
	r, err := tx.DSR(ctx, id)
	if jaga.ErrorCode(err) == jaga.ENOTFOUND {
		r, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	return rectifiable(r, subject), nil
}

// Rectify applies the correction of rectification request req.RequestID to subject
// (UU PDP Art 6, Art 30; R-18) under purpose dsr: the request must be registered for
// that subject, of type rectify and open (received, or awaiting its second approval:
// the request desk asks for that approval before it calls Rectify for an identity
// field, R-34); its sealed values are opened inside the gate and written as Update
// would (normalised, validated, blind-indexed), and never returned. The role may write
// fields its policy denies it for dsr (it still may not read them) or leaves out of its
// write list; the one audit event (action update, the request's ID, reason
// "rectification request (UU PDP Art 6)") lists the fields written and, in Decisions,
// each such field's decision (the read deny, else deny:write_not_allowed).
// Errors: EFORBIDDEN (purpose_not_allowed for another purpose; as Update for the actor
// and subject), ENOTFOUND (no such request of the subject), ECONFLICT (a closed
// request, or its values destroyed), EUNPROCESSABLE as Update; every refusal audited.
func (g *Gate) Rectify(ctx context.Context, req Request, subject jaga.SubjectID) error {
	err := g.checkDSR(req, subject)
	if err == nil && req.Purpose != jaga.PurposeDSR {
		err = jaga.Refusal("purpose_not_allowed", "a customer's correction is applied under purpose dsr")
	}
	var r *jaga.DSR
	if err == nil {
		err = g.store.View(ctx, func(tx jaga.Tx) (err error) { r, err = tx.DSR(ctx, req.RequestID); return err })
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			r, err = nil, nil
		} else if err != nil {
			return err
		}
		err = rectifiable(r, subject)
	}
	if err != nil {
		return g.refuse(ctx, req, jaga.ActionUpdate, []jaga.SubjectID{subject}, nil, err)
	}
	key, err := g.keys.OpenRequestKey(r.ID, r.SealedKey)
	if err != nil {
		return err
	}
	pt, err := key.Open(seal.RequestDataAD(r.ID), r.Sealed)
	if err != nil {
		return err
	}
	var vals map[string]string
	err = decodeOpened(pt, &vals)
	clear(pt)
	if err != nil {
		return fmt.Errorf("request %s: %w", r.ID, err)
	}
	set := make(map[string]string, len(vals))
	for k, v := range vals {
		if !strings.HasPrefix(k, "@") { // the notice address, not a correction
			set[k] = v
		}
	}
	names := keys(set)
	slices.Sort(names)
	if strings.Join(names, ",") != r.Detail["fields"] {
		return g.refuse(ctx, req, jaga.ActionUpdate, []jaga.SubjectID{subject}, names,
			jaga.Errorf(jaga.ECONFLICT, "the correction request's sealed values do not match the fields it names"))
	}
	_, err = g.updateSubject(ctx, UpdateRequest{Request: req, Subject: subject, Set: set}, r)
	return err
}

// CheckKeepsIdentifier checks, before a correction of subject is registered, that
// applying values would leave the subject one of Identifiers (RemovesLastIdentifier),
// as Update will check when the correction is applied: a request that could never be
// fulfilled is refused when it is made. It looks at which fields the subject
// holds, never at their values: nothing is decrypted or returned, so a role denied
// nik may still register a correction that empties the e-mail. One audit event (action
// check_correction, the identifier fields of values). Errors: EUNPROCESSABLE naming
// the field (LastIdentifierError); as DSRStep for the actor and subject; ENOTFOUND for
// an unknown or erased subject.
func (g *Gate) CheckKeepsIdentifier(ctx context.Context, req Request, subject jaga.SubjectID, values map[string]string) error {
	var named []string
	for _, f := range Identifiers {
		if _, ok := values[f]; ok {
			named = append(named, f)
		}
	}
	if err := g.checkDSR(req, subject); err != nil {
		return g.refuse(ctx, req, ActionCheckCorrection, []jaga.SubjectID{subject}, named, err)
	}
	p, _ := g.Purpose(req.Purpose)
	var refusal error
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		refusal = nil
		ev := g.event(req, ActionCheckCorrection, []jaga.SubjectID{subject})
		ev.FieldsRequested = named
		s, ref, err := g.loadAllowed(ctx, tx, p, subject, ev)
		if err != nil {
			return nil, err
		} else if ref != nil {
			refusal = ref
			return []*jaga.AuditEvent{ev}, nil
		}
		if f := RemovesLastIdentifier(func(f string) bool { return s.Sealed[f] != nil }, values, nil); f != "" {
			refusal = LastIdentifierError(f)
		}
		ev.Decision = string(jaga.Allow)
		if refusal != nil {
			ev.Decision = decisionOf(refusal)
		}
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return err
	}
	return refusal
}
