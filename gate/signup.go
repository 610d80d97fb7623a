package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"jaga"
	"jaga/seal"
)

// IntakeOne takes one row from an online channel (a web-form post, a confirmed
// sign-up) through the same validation, quarantine and identity resolution as a file
// import, and returns its outcome.
func (g *Gate) IntakeOne(ctx context.Context, req Request, row IntakeRow) (IntakeOutcome, error) {
	b, err := g.PrepareIntake(ctx, req, []IntakeRow{row})
	if err != nil {
		return IntakeOutcome{}, err
	}
	out, err := g.CommitIntake(ctx, g.NewIntakeSession(16), b)
	if err != nil {
		return IntakeOutcome{}, err
	}
	return out[0], nil
}

// StartSignup stores an e-mail sign-up awaiting double opt-in: the row is sealed under
// a data key of its own (no subject and no consent exist yet) and found again by the
// SHA-256 of the token mailed to the address (tokenHash). It is audited as action
// signup without a subject. Errors: as Create for the request.
func (g *Gate) StartSignup(ctx context.Context, req Request, form string, row IntakeRow, tokenHash []byte, expires time.Time) error {
	if _, err := g.checkRequest(req); err != nil {
		return g.refuse(ctx, req, jaga.ActionSignup, nil, nil, err)
	}
	id, err := NewSubjectID()
	if err != nil {
		return err
	}
	dek, wrapped, err := g.keys.NewDEK(id)
	if err != nil {
		return err
	}
	pt, err := json.Marshal(&quarantined{Values: row.Values, Channel: row.Channel, CollectedAt: row.CollectedAt,
		Consents: row.Consents, Key: row.Key, Required: row.Required})
	if err != nil {
		return err
	}
	ct, err := dek.Seal(seal.SignupAD(id), pt)
	if err != nil {
		return err
	}
	p := &jaga.PendingSignup{ID: id, TokenHash: tokenHash, Form: form, WrappedDEK: wrapped, Sealed: ct, CreatedAt: g.now(), ExpiresAt: expires.UTC()}
	return g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		if err := tx.InsertPendingSignup(ctx, p); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionSignup, nil)
		ev.Count = 1
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
}

// ConfirmSignup follows a double opt-in link: the pending sign-up whose token hashes to
// tokenHash is opened and taken in (IntakeOne) with evidence doiRef on each consent,
// consents dated now (consent exists only from the confirmation on, R-7); its sealed
// copy is then destroyed. Errors: ENOTFOUND for an unknown, expired or used token.
func (g *Gate) ConfirmSignup(ctx context.Context, req Request, tokenHash []byte, doiRef string) (IntakeOutcome, error) {
	p, err := g.pendingSignup(ctx, tokenHash)
	if err != nil {
		return IntakeOutcome{}, err
	}
	now := g.now()
	dek, err := g.keys.OpenDEK(p.ID, p.WrappedDEK)
	if err != nil {
		return IntakeOutcome{}, fmt.Errorf("sign-up %s: open data key: %w", p.ID, err)
	}
	pt, err := dek.Open(seal.SignupAD(p.ID), p.Sealed)
	if err != nil {
		return IntakeOutcome{}, fmt.Errorf("sign-up %s: %w", p.ID, err)
	}
	var q quarantined
	if err := decodeOpened(pt, &q); err != nil {
		return IntakeOutcome{}, fmt.Errorf("sign-up %s: %w", p.ID, err)
	}
	row := IntakeRow{Key: []string{"signup", string(p.ID)}, File: "form:" + p.Form, Values: q.Values, Channel: q.Channel,
		CollectedAt: now, Required: q.Required}
	for _, c := range q.Consents {
		c.Evidence, c.At = doiRef, now
		row.Consents = append(row.Consents, c)
	}
	out, err := g.IntakeOne(ctx, req, row)
	if err != nil {
		return out, err
	}
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		if err := tx.ConfirmPendingSignup(ctx, p.ID, out.Subject); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionSignup, []jaga.SubjectID{out.Subject})
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return out, err
}

// SignupPending reports whether a sign-up awaits confirmation under tokenHash: nil if
// it is pending and not expired, ENOTFOUND for an unknown, used or expired token. It
// changes nothing and opens nothing (no key is used, no value leaves), so it is not
// audited; the confirmation page that a GET of the mailed link shows uses it, and only
// ConfirmSignup, on the person's POST, confirms (UU PDP Art 22-23).
func (g *Gate) SignupPending(ctx context.Context, tokenHash []byte) error {
	_, err := g.pendingSignup(ctx, tokenHash)
	return err
}

// pendingSignup returns the pending, unexpired sign-up under tokenHash; ENOTFOUND
// otherwise.
func (g *Gate) pendingSignup(ctx context.Context, tokenHash []byte) (*jaga.PendingSignup, error) {
	var p *jaga.PendingSignup
	if err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		p, err = tx.PendingSignupByToken(ctx, tokenHash)
		return err
	}); err != nil {
		return nil, err
	}
	if p.Confirmed != "" || g.now().After(p.ExpiresAt) {
		return nil, &jaga.Error{Code: jaga.ENOTFOUND, Message: "confirmation link unknown, used or expired"}
	}
	return p, nil
}

// PurgeExpiredSignups deletes the e-mail sign-ups never confirmed whose link has
// expired, sealed values and wrapped data key with them: without a confirmation no
// consent exists and nothing justifies keeping the address (UU PDP Arts 16(2)(g),
// 44(1)(a); R-41). One audit event (action signups_purged, Count) is written when any
// was deleted. Only Jaga's own jobs (a system actor) and the dpo may run it, under
// purpose legal_obligation. Errors: as Read for the request.
func (g *Gate) PurgeExpiredSignups(ctx context.Context, req Request) (int, error) {
	return g.purgeJob(ctx, req, jaga.ActionSignupsPurged, "expired sign-ups", nil,
		func(ctx context.Context, tx jaga.Tx) (int, error) { return tx.PurgeExpiredSignups(ctx, g.now()) })
}

// purgeJob runs a retention purge (what names it in refusals): only Jaga's own jobs
// (a system actor) and the dpo, under purpose legal_obligation; purge deletes in the
// committer's transaction and returns how many it deleted, and one audit event (action,
// fields, Count) is written when any was. A refusal is audited as the gate's others.
func (g *Gate) purgeJob(ctx context.Context, req Request, action, what string, fields []string, purge func(ctx context.Context, tx jaga.Tx) (int, error)) (int, error) {
	p, err := g.checkRequest(req)
	if err == nil && p.ID != jaga.PurposeLegalObligation {
		err = jaga.Refusal("purpose_not_allowed", "%s are purged under purpose legal_obligation", what)
	}
	if err == nil && req.Actor.Kind != jaga.ActorSystem && req.Actor.Role != jaga.RoleDPO {
		err = jaga.Refusal("role_not_allowed", "role %s does not purge %s", req.Actor.Role, what)
	}
	if err != nil {
		return 0, g.refuse(ctx, req, action, nil, fields, err)
	}
	n := 0
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		var err error
		if n, err = purge(ctx, tx); err != nil || n == 0 {
			return nil, err
		}
		ev := g.event(req, action, nil)
		ev.FieldsRequested = fields
		ev.Count, ev.Decision = n, string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return n, err
}
