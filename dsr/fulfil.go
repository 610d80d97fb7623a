package dsr

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jaga"
	"jaga/gate"
)

// RefusalCodes are the reasons a request may be refused, each with the request types it
// applies to: UU PDP Art 15(1) exempts the rights of Arts 8, 9, 10(1), 11 and 13(1)-(2)
// (erase, withdraw, object, restrict, port) for defence, law enforcement, state
// administration, financial-sector supervision and statistics or research;
// Art 33 refuses access that endangers safety or health, discloses another person's
// data or conflicts with national defence or security.
var RefusalCodes = map[string][]jaga.DSRType{
	"art15_defence":               art15Types,
	"art15_law_enforcement":       art15Types,
	"art15_state_administration":  art15Types,
	"art15_financial_supervision": art15Types,
	"art15_statistics_research":   art15Types,
	"art33_safety_health":         {jaga.DSRAccess},
	"art33_other_person":          {jaga.DSRAccess},
	"art33_national_security":     {jaga.DSRAccess},
}

var art15Types = []jaga.DSRType{jaga.DSRErase, jaga.DSRWithdraw, jaga.DSRObject, jaga.DSRRestrict, jaga.DSRPort}

// load reads request id and checks it is open.
func (d *Desk) load(ctx context.Context, id string) (*jaga.DSR, error) {
	r, err := d.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !r.Status.Open() {
		return nil, jaga.Errorf(jaga.ECONFLICT, "request is %s", r.Status)
	}
	return r, nil
}

// step saves r and writes its audit event (action dsr_step, the note as reason).
func (d *Desk) step(ctx context.Context, actor *jaga.Actor, r *jaga.DSR, note string, extra func(ctx context.Context, tx jaga.Tx) error) error {
	return d.cfg.Vault.Step(ctx, request(actor, r.ID), r.Subject, gate.ActionDSRStep, note, func(ctx context.Context, tx jaga.Tx) error {
		if extra != nil {
			if err := extra(ctx, tx); err != nil {
				return err
			}
		}
		return tx.UpdateDSR(ctx, r)
	})
}

// Refuse proposes refusing request id with a reason code of RefusalCodes that applies
// to its type; the refusal takes effect when a DPO approves it (Approve; ).
// Errors: EUNPROCESSABLE (field refusal_code), ENOTFOUND, ECONFLICT for a closed request.
func (d *Desk) Refuse(ctx context.Context, actor *jaga.Actor, id, code string) (*jaga.DSR, error) {
	r, err := d.load(ctx, id)
	if err != nil {
		return nil, err
	}
	types, ok := RefusalCodes[code]
	if !ok {
		return nil, jaga.FieldError("refusal_code", "unknown reason code; codes are from UU PDP Art 15(1) and Art 33")
	}
	if !slices.Contains(types, r.Type) {
		return nil, jaga.FieldError("refusal_code", "%s does not apply to a %s request", code, r.Type)
	}
	r.RefusalCode, r.Status, r.Handler = code, jaga.DSRAwaitingApproval, actor.ID
	if err := d.step(ctx, actor, r, "refusal proposed "+code+", awaiting dpo approval", nil); err != nil {
		return nil, err
	}
	return r, nil
}

// Approve approves what request id waits for: a proposed refusal (only an actor with
// role dpo; the refusal takes effect and the customer is told, R-24) or, for a
// correction of identity fields, the second approval (an actor other than the one who
// fulfilled it, R-34), after which the correction is applied. Errors: EFORBIDDEN
// (reason dpo_required or same_approver), ECONFLICT if nothing waits for approval.
func (d *Desk) Approve(ctx context.Context, actor *jaga.Actor, id string) (*jaga.DSR, error) {
	r, err := d.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != jaga.DSRAwaitingApproval {
		return nil, jaga.Errorf(jaga.ECONFLICT, "request is not awaiting approval")
	}
	if r.RefusalCode != "" {
		if actor.Role != jaga.RoleDPO {
			return nil, jaga.Refusal("dpo_required", "a refusal needs the approval of the DPO")
		}
		r.Approver, r.Status, r.ClosedAt = actor.ID, jaga.DSRRefused, d.now()
		r.Outcome = "refused under " + r.RefusalCode
		if err := d.step(ctx, actor, r, "refusal approved "+r.RefusalCode, nil); err != nil {
			return nil, err
		}
		return r, d.notify(ctx, actor, r)
	}
	if actor.ID == r.Handler {
		return nil, jaga.Refusal("same_approver", "the second approver of an identity correction must be another person (R-34)")
	}
	r.Approver = actor.ID
	return r, d.rectify(ctx, actor, r)
}

// Fulfil carries out request id through the gate and closes it (except a correction of
// identity fields, which then awaits a second approver): access and port mark the
// export ready (Export); rectify applies the new values; erase crypto-shreds unless a
// legal hold or the retention floor keeps the data, which is then restricted and the
// outcome says why; withdraw and object record the consent as withdrawn; restrict sets
// the restriction flag. The customer is sent a completion notice and the request's key
// destroyed. Errors: as the gate; ECONFLICT for a closed request.
func (d *Desk) Fulfil(ctx context.Context, actor *jaga.Actor, id string) (*jaga.DSR, error) {
	r, err := d.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !r.Status.Open() {
		if r.NoticeSentAt.IsZero() && len(r.SealedKey) > 0 {
			return r, d.notify(ctx, actor, r) // a notice that failed before: send it again
		}
		return nil, jaga.Errorf(jaga.ECONFLICT, "request is %s", r.Status)
	}
	if r.Status == jaga.DSRAwaitingApproval {
		return nil, jaga.Errorf(jaga.ECONFLICT, "request is awaiting approval")
	}
	r.Handler = actor.ID
	now := d.now()
	switch r.Type {
	case jaga.DSRAccess, jaga.DSRPort:
		return r, d.close(ctx, actor, r, "export with processing history made available to the subject (R-16, R-23)", nil)
	case jaga.DSRRectify:
		if slices.ContainsFunc(strings.Split(r.Detail["fields"], ","), func(f string) bool { return slices.Contains(IdentityFields, f) }) {
			r.Status = jaga.DSRAwaitingApproval
			return r, d.step(ctx, actor, r, "identity correction awaiting a second approver (R-34)", nil)
		}
		return r, d.rectify(ctx, actor, r)
	case jaga.DSRWithdraw, jaga.DSRObject:
		purpose := r.Detail["purpose"]
		res, err := d.cfg.Vault.RecordConsent(ctx, gate.ConsentRequest{Request: request(actor, r.ID), Subject: r.Subject, Channel: jaga.ChannelAPI,
			Consent: gate.ConsentInput{Purpose: purpose, Status: jaga.ConsentWithdrawn, Evidence: "DSR-" + string(r.Type), At: r.ReceivedAt,
				Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}})
		if err != nil {
			return nil, err
		}
		outcome := "consent for " + purpose + " withdrawn"
		if r.Type == jaga.DSRObject {
			outcome = "objection recorded: no automated decisions or profiling for " + purpose + " (R-22)"
		}
		return r, d.close(ctx, actor, r, outcome+withdrawalOutcome(res.Withdrawal), nil)
	case jaga.DSRRestrict:
		return r, d.close(ctx, actor, r, "processing restricted to legal_obligation and dsr (R-21)", func(ctx context.Context, tx jaga.Tx) error {
			return tx.SetRestricted(ctx, r.Subject, true)
		})
	case jaga.DSRErase:
		var holds []*jaga.LegalHold
		if err := d.cfg.Vault.View(ctx, func(tx jaga.Tx) (err error) { holds, err = tx.LegalHolds(ctx, r.Subject, now); return err }); err != nil {
			return nil, err
		}
		restrict := func(ctx context.Context, tx jaga.Tx) error { return tx.SetRestricted(ctx, r.Subject, true) }
		if len(holds) > 0 {
			var kept []string
			for _, h := range holds {
				kept = append(kept, h.Basis+" "+h.Ref)
			}
			return r, d.close(ctx, actor, r, "kept under legal hold ("+strings.Join(kept, "; ")+"), lawful basis legal_obligation; restricted; service_provision ended (R-19)", restrict)
		}
		if d.cfg.RetentionFloor > 0 {
			r.ScheduledAt = now.Add(d.cfg.RetentionFloor)
			r.Status = jaga.DSRScheduled
			outcome := "inside the retention floor (R-42): restricted now, deletion scheduled for " + r.ScheduledAt.Format(time.DateOnly) + "; service_provision ended"
			return r, d.close(ctx, actor, r, outcome, restrict)
		}
		return r, d.erase(ctx, actor, r, "erased (crypto-shredded: data key destroyed, indexes and purchases deleted); service_provision ended (R-19)")
	}
	return nil, jaga.Errorf(jaga.EINTERNAL, "unknown request type")
}

// erase opens the notice address first (it is gone after the erasure), erases through
// the gate, closes the request and sends the notice.
func (d *Desk) erase(ctx context.Context, actor *jaga.Actor, r *jaga.DSR, outcome string) error {
	to, err := d.contact(ctx, actor, r)
	if err != nil {
		return err
	}
	if err := d.cfg.Vault.Erase(ctx, request(actor, r.ID), r.Subject); err != nil && jaga.ErrorCode(err) != jaga.ENOTFOUND {
		return err
	}
	// The erasure closed the subject's other open requests (status closed): their
	// customers hear so, as of any closed request.
	if err := d.NotifyClosed(ctx, actor, r.Subject); err != nil {
		return err
	}
	if r.Status == jaga.DSRScheduled {
		outcome = "scheduled deletion done: " + outcome
	}
	r.Status, r.Outcome, r.ClosedAt = jaga.DSRFulfilled, outcome, d.now()
	if err := d.step(ctx, actor, r, "fulfilled erase", nil); err != nil {
		return err
	}
	return d.send(ctx, actor, r, to)
}

// NotifyClosed sends the completion notice of each of subject's requests that an
// erasure closed without action (status closed, gate.Erase) and whose notice is not yet
// sent, and so destroys each one's key and sealed address. A failed delivery
// keeps the key; Fulfil of that request sends again.
func (d *Desk) NotifyClosed(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID) error {
	rs, err := d.List(ctx, jaga.DSRFilter{Subject: subject, Status: jaga.DSRClosed, Limit: 1000})
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.NoticeSentAt.IsZero() && len(r.SealedKey) > 0 {
			if err := d.notify(ctx, actor, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// rectify has the gate apply a correction's sealed values (gate.Rectify: the values
// never reach the desk, and a field the actor's role may not read or may not otherwise
// change is written all the same, audited with its decision) and closes the request.
func (d *Desk) rectify(ctx context.Context, actor *jaga.Actor, r *jaga.DSR) error {
	if err := d.cfg.Vault.Rectify(ctx, request(actor, r.ID), r.Subject); err != nil {
		return err
	}
	return d.close(ctx, actor, r, "corrected fields "+r.Detail["fields"]+" (previous values superseded; the audit log keeps who, when and which fields)", nil)
}

// close marks r fulfilled (or keeps Scheduled) with outcome, running extra in the same
// transaction, and sends the notice.
func (d *Desk) close(ctx context.Context, actor *jaga.Actor, r *jaga.DSR, outcome string, extra func(ctx context.Context, tx jaga.Tx) error) error {
	if r.Status != jaga.DSRScheduled {
		r.Status = jaga.DSRFulfilled
	}
	r.Outcome, r.ClosedAt = outcome, d.now()
	if err := d.step(ctx, actor, r, "fulfilled "+string(r.Type), extra); err != nil {
		return err
	}
	return d.notify(ctx, actor, r)
}

func (d *Desk) contact(ctx context.Context, actor *jaga.Actor, r *jaga.DSR) (Contact, error) {
	vals, err := d.cfg.Vault.OpenRequestData(ctx, request(actor, r.ID), r.Subject, r.Sealed, r.SealedKey)
	if err != nil {
		return Contact{}, err
	}
	return Contact{Email: jaga.Redact(vals["@email"]), Phone: jaga.Redact(vals["@phone"])}, nil
}

// notify opens the sealed address and sends the notice.
func (d *Desk) notify(ctx context.Context, actor *jaga.Actor, r *jaga.DSR) error {
	to, err := d.contact(ctx, actor, r)
	if err != nil {
		return err
	}
	return d.send(ctx, actor, r, to)
}

// send delivers the completion notice and then destroys the request's key
// and sealed data, so that the address (the last copy, after an erasure) is gone. A
// failed delivery keeps the key so that Fulfil can send again.
func (d *Desk) send(ctx context.Context, actor *jaga.Actor, r *jaga.DSR, to Contact) error {
	if d.cfg.Notifier == nil {
		// Nowhere to send: the address is not kept for a notice that cannot go.
		r.Sealed, r.SealedKey = nil, nil
		return d.step(ctx, actor, r, "no notifier configured, notice not sent; request key destroyed", nil)
	}
	n := Notice{RequestID: r.ID, Type: r.Type, Status: r.Status, Outcome: r.Outcome, At: r.ClosedAt}
	if err := d.cfg.Notifier.Notify(ctx, to, n); err != nil {
		return fmt.Errorf("request %s: completion notice: %w", r.ID, err)
	}
	r.NoticeSentAt, r.Sealed, r.SealedKey = d.now(), nil, nil
	return d.step(ctx, actor, r, "notice sent; request key destroyed", nil)
}

// RunScheduled carries out the erasures scheduled at the end of the retention floor
// whose time has come, unless a legal hold placed since keeps the data. It
// returns how many it erased.
func (d *Desk) RunScheduled(ctx context.Context, actor *jaga.Actor) (int, error) {
	rs, err := d.List(ctx, jaga.DSRFilter{Status: jaga.DSRScheduled, Limit: 1000})
	if err != nil {
		return 0, err
	}
	n := 0
	now := d.now()
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if r.ScheduledAt.After(now) {
			continue
		}
		var holds []*jaga.LegalHold
		if err := d.cfg.Vault.View(ctx, func(tx jaga.Tx) (err error) { holds, err = tx.LegalHolds(ctx, r.Subject, now); return err }); err != nil {
			return n, err
		}
		if len(holds) > 0 {
			continue
		}
		if len(r.SealedKey) == 0 {
			// The notice of the restriction was sent and the key destroyed: erase
			// without a second notice.
			if err := d.cfg.Vault.Erase(ctx, request(actor, r.ID), r.Subject); err != nil && jaga.ErrorCode(err) != jaga.ENOTFOUND {
				return n, err
			}
			if err := d.NotifyClosed(ctx, actor, r.Subject); err != nil {
				return n, err
			}
			r.Status, r.Outcome, r.ClosedAt = jaga.DSRFulfilled, "scheduled deletion done: erased (crypto-shredded)", now
			if err := d.step(ctx, actor, r, "scheduled erasure done", nil); err != nil {
				return n, err
			}
		} else if err := d.erase(ctx, actor, r, "erased (crypto-shredded)"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// PlaceHold records a legal hold on subject: basis is a snake_case name of the
// obligation, ref a case or ticket reference without personal data, until zero for
// open-ended. It is audited as a request-desk step under legal_obligation.
func (d *Desk) PlaceHold(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID, basis, ref string, until time.Time) (*jaga.LegalHold, error) {
	if !jaga.ValidName(basis) {
		return nil, jaga.FieldError("basis", "basis must be a snake_case name")
	}
	if len(ref) > 100 || jaga.LooksPersonal(ref) {
		return nil, jaga.FieldError("ref", "ref must be a case or ticket reference of at most 100 bytes without personal data")
	}
	h := &jaga.LegalHold{Subject: subject, Basis: basis, Ref: ref, PlacedBy: actor.ID, PlacedAt: d.now(), Until: until}
	err := d.cfg.Vault.Step(ctx, gate.Request{Actor: actor, Purpose: jaga.PurposeLegalObligation}, subject, "legal_hold", "hold "+basis,
		func(ctx context.Context, tx jaga.Tx) error { return tx.InsertLegalHold(ctx, h) })
	return h, err
}

// withdrawalOutcome says what a withdrawal left: the purposes (and their lawful bases,
// or the legal hold) that keep some of the subject's data, and when the rest is deleted
//
func withdrawalOutcome(w *gate.Withdrawal) string {
	if w == nil {
		return ""
	}
	var kept []string
	for _, by := range w.Kept {
		for _, k := range by {
			e := k.Purpose + " (" + string(k.Basis) + ")"
			if k.Hold != "" {
				e = k.Purpose + " (legal hold " + k.Hold + " " + k.HoldRef + ")"
			}
			if !slices.Contains(kept, e) {
				kept = append(kept, e)
			}
		}
	}
	slices.Sort(kept)
	out := ""
	if len(kept) > 0 {
		out += "; kept under another basis: " + strings.Join(kept, ", ")
	}
	if w.Scheduled != nil {
		out += "; data held only under this consent (" + strings.Join(w.Scheduled.Fields, ", ") + ") deleted by " + w.Scheduled.DueAt.UTC().Format(time.RFC3339)
	}
	return out
}
