package gate

import (
	"context"
	"encoding/json"
	"fmt"

	"jaga"
	"jaga/seal"
)

// This file holds what the request desk (package dsr) and the privacy portal need from
// the gate beyond reads, writes and erasure: a request step that changes desk state (and
// restriction or consent records) together with its audit event, sealing a request's
// personal parameters under a per-request key, and a subject's access history.

// Audit actions of the request desk and the portal.
const (
	ActionDSRStep         = "dsr_step"
	ActionReadRequestData = "read_request_data"
	ActionAccessHistory   = "access_history"
)

// ownSubject refuses a subject actor acting on another subject (reason not_own_data):
// in the portal a subject acts only for themself (DESIGN.md "actor").
func ownSubject(r Request, subject jaga.SubjectID) error {
	if r.Actor != nil && r.Actor.Kind == jaga.ActorSubject && r.Actor.ID != string(subject) {
		return jaga.Refusal("not_own_data", "a subject acts only on their own data")
	}
	return nil
}

// checkDSR validates a request-desk call: a known actor, purpose dsr or
// legal_obligation, a role the policy allows it, and a subject acting for themself.
func (g *Gate) checkDSR(req Request, subject jaga.SubjectID) error {
	p, err := g.checkRequest(req)
	if err == nil && p.ID != jaga.PurposeDSR && p.ID != jaga.PurposeLegalObligation {
		err = jaga.Refusal("purpose_not_allowed", "request-desk steps are taken under purpose dsr or legal_obligation")
	}
	if err == nil {
		err = ownSubject(req, subject)
	}
	if err == nil && !subject.Valid() {
		err = jaga.Errorf(jaga.ENOTFOUND, "subject not found")
	}
	return err
}

// DSRStep records one step of a data-subject request (UU PDP Art 14, R-15): fn runs in
// the gate's transaction (it updates the request, and may set the subject's restriction
// flag or append consent records) and one audit event with action (ActionDSRStep,
// jaga.ActionConsentChange, …), the subject, the note as reason (a reason code or short
// text without personal data, else left out) and req.RequestID (the request's ID)
// commits with it. A refusal of the call, or a *jaga.Error other than EINTERNAL from fn,
// rolls fn back and is audited as a refusal. Errors: as Read, and fn's.
func (g *Gate) DSRStep(ctx context.Context, req Request, subject jaga.SubjectID, action, note string, fn func(ctx context.Context, tx jaga.Tx) error) error {
	if err := g.checkDSR(req, subject); err != nil {
		return g.refuse(ctx, req, action, []jaga.SubjectID{subject}, nil, err)
	}
	if !jaga.ValidName(action) {
		return jaga.Errorf(jaga.EINTERNAL, "audit action must be snake_case")
	}
	r := req
	r.Reason = note
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		if fn != nil {
			if err := fn(ctx, tx); err != nil {
				return nil, err
			}
		}
		ev := g.event(r, action, []jaga.SubjectID{subject})
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if e := jaga.AsError(err); e != nil && e.Code != jaga.EINTERNAL {
		return g.refuse(ctx, r, action, []jaga.SubjectID{subject}, nil, err)
	}
	return err
}

// SealRequestData seals a request's personal parameters (values as given, JSON-encoded)
// under a fresh per-request key with associated data "jaga/request-data/v1|<request>",
// and returns the ciphertext and the wrapped key to store with the request. Nothing
// leaves in plaintext, so nothing is audited; opening is (OpenRequestData). Deleting
// the wrapped key destroys the values.
func (g *Gate) SealRequestData(requestID string, values map[string]string) (sealed, wrappedKey []byte, err error) {
	key, wrapped, err := g.keys.NewRequestKey(requestID)
	if err != nil {
		return nil, nil, err
	}
	pt, err := json.Marshal(values)
	if err != nil {
		return nil, nil, err
	}
	defer clear(pt)
	ct, err := key.Seal(seal.RequestDataAD(requestID), pt)
	if err != nil {
		return nil, nil, err
	}
	return ct, wrapped, nil
}

// OpenRequestData opens what SealRequestData sealed for request req.RequestID about
// subject, after committing an audit event (action read_request_data) under the
// request's purpose (dsr or legal_obligation). Errors: as DSRStep; EINTERNAL wrapping
// seal.ErrDecrypt for a tampered or destroyed key.
func (g *Gate) OpenRequestData(ctx context.Context, req Request, subject jaga.SubjectID, sealed, wrappedKey []byte) (map[string]string, error) {
	if err := g.checkDSR(req, subject); err != nil {
		return nil, g.refuse(ctx, req, ActionReadRequestData, []jaga.SubjectID{subject}, nil, err)
	}
	if err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		ev := g.event(req, ActionReadRequestData, []jaga.SubjectID{subject})
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	}); err != nil {
		return nil, err
	}
	key, err := g.keys.OpenRequestKey(req.RequestID, wrappedKey)
	if err != nil {
		return nil, err
	}
	pt, err := key.Open(seal.RequestDataAD(req.RequestID), sealed)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	var out map[string]string
	if err := decodeOpened(pt, &out); err != nil {
		return nil, fmt.Errorf("request %s: %w", req.RequestID, err)
	}
	return out, nil
}
