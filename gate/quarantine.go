package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"jaga"
	"jaga/seal"
)

// QuarantineItem is a quarantined row as staff see it: where it came from, why it was
// quarantined, its state, and (from QuarantineShow only) its raw values.
type QuarantineItem struct {
	ID       jaga.SubjectID        `json:"id"`
	File     string                `json:"file"`
	Line     int                   `json:"line"`
	Reasons  []jaga.RowReason      `json:"reasons"`
	Status   jaga.QuarantineStatus `json:"status"`
	Subject  jaga.SubjectID        `json:"subject,omitempty"`
	Values   map[string]string     `json:"values,omitempty"`
	Consents []ConsentInput        `json:"consents,omitempty"`
}

// QuarantineList lists quarantined rows (no values), audited as one event. Errors: as
// Read for the request; EINVALID (field status) for a status that is not "" nor one of
// jaga.QuarantineStatuses.
func (g *Gate) QuarantineList(ctx context.Context, req Request, f jaga.QuarantineFilter) ([]QuarantineItem, error) {
	if _, err := g.checkRequest(req); err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionQuarantine, nil, nil, err)
	}
	if f.Status != "" && !f.Status.Valid() {
		// A filter no row can match would answer an empty list, read as "nothing quarantined".
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "status", Message: "unknown quarantine status; want open, released or discarded (empty for all)"}
	}
	var rows []*jaga.QuarantinedRow
	err := g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		var err error
		if rows, err = tx.Quarantined(ctx, f); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionQuarantine, nil)
		ev.Count, ev.Decision = len(rows), string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]QuarantineItem, len(rows))
	for i, r := range rows {
		out[i] = QuarantineItem{ID: r.ID, File: r.File, Line: r.Line, Reasons: r.Reasons, Status: r.Status, Subject: r.Subject}
	}
	return out, nil
}

// openQuarantine reads and opens one quarantined row inside tx.
func (g *Gate) openQuarantine(ctx context.Context, tx jaga.Tx, id jaga.SubjectID) (*jaga.QuarantinedRow, *quarantined, *seal.DEK, error) {
	r, err := tx.QuarantinedRow(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Status != jaga.QuarantineOpen {
		return r, nil, nil, &jaga.Error{Code: jaga.ECONFLICT, Message: "quarantined row was already " + string(r.Status)}
	}
	return g.openQuarantineRow(r)
}

// keyQuarantine fills in the source key of open quarantined rows stored before the
// store kept it (migration 0010): the keyed hash of the row's own key, sealed in the
// row, so that erasing the subject made from that source record discards them too
// (Tx.DiscardQuarantinedOf; invariant 4, UU PDP Art 8, R-20). A row without a key gets
// an empty one and is not read again. It works in pages, each a gate transaction with
// one audit event (Jaga's own job, action quarantine, the rows it opened), and returns
// how many rows it keyed.
func (g *Gate) keyQuarantine(ctx context.Context) (int, error) {
	return g.quarantineJob(ctx, "source keys of quarantined rows (migration 0010)", jaga.Tx.UnkeyedQuarantine,
		func(ctx context.Context, tx jaga.Tx, id jaga.SubjectID, q *quarantined) error {
			var key []byte
			if len(q.Key) > 0 {
				key = g.keys.ImportKey(q.Key...)
			}
			return tx.SetQuarantineSource(ctx, id, key)
		})
}

// openQuarantineRow unseals a quarantined row.
func (g *Gate) openQuarantineRow(r *jaga.QuarantinedRow) (*jaga.QuarantinedRow, *quarantined, *seal.DEK, error) {
	dek, err := g.keys.OpenDEK(r.ID, r.WrappedDEK)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("quarantine %s: open data key: %w", r.ID, err)
	}
	pt, err := dek.Open(seal.QuarantineAD(r.ID), r.Sealed)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("quarantine %s: %w", r.ID, err)
	}
	var q quarantined
	if err := json.Unmarshal(pt, &q); err != nil {
		// Not err itself: json's message may quote part of the decrypted row.
		return nil, nil, nil, fmt.Errorf("quarantine %s: the sealed row is not a quarantined row", r.ID)
	}
	return r, &q, dek, nil
}

// QuarantineShow returns one open quarantined row with its raw values: plaintext leaves
// the gate, so the read is audited (action quarantine, the row's ID as subject) in the
// same transaction first. Errors: as Read; ENOTFOUND; ECONFLICT for a row no longer open.
func (g *Gate) QuarantineShow(ctx context.Context, req Request, id jaga.SubjectID) (*QuarantineItem, error) {
	p, err := g.checkRequest(req)
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionQuarantine, []jaga.SubjectID{id}, nil, err)
	}
	var item *QuarantineItem
	var refusal error
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		item, refusal = nil, nil
		r, q, _, err := g.openQuarantine(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionQuarantine, []jaga.SubjectID{id})
		// The row is shown raw and whole (a value that failed validation cannot be
		// masked meaningfully): every field it holds must be allow for the role.
		if name, d := g.wholeRowDenied(req.Actor.Role, p, q); name != "" {
			refusal = jaga.Refusal("role_not_allowed", "the quarantine desk shows rows whole: role %s may not read %s in full for purpose %s (%s)", req.Actor.Role, name, p.ID, d)
			ev.Decision = "deny:role_not_allowed"
			return []*jaga.AuditEvent{ev}, nil
		}
		item = &QuarantineItem{ID: r.ID, File: r.File, Line: r.Line, Reasons: r.Reasons, Status: r.Status, Values: q.Values, Consents: q.Consents}
		for k, v := range q.Unverified {
			item.Values[k] = v
		}
		ev.FieldsReturned = keys(q.Values)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err == nil && refusal != nil {
		return nil, refusal
	}
	return item, err
}

// wholeRowDenied returns the first field (by name) of q's values that the policy does
// not allow role in full for purpose p, with its decision, or "" when it allows all.
// A name the schema does not know is reported as denied.
func (g *Gate) wholeRowDenied(role jaga.Role, p *jaga.Purpose, q *quarantined) (string, jaga.Decision) {
	names := keys(q.Values)
	for k := range q.Unverified {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := g.schema.Field(name)
		if !ok {
			return name, jaga.Deny("unknown_field")
		}
		if d := g.policy.Decide(role, p, f); d != jaga.Allow {
			return name, d
		}
	}
	return "", jaga.Allow
}

// QuarantineFix replaces raw values of an open quarantined row (an empty value removes
// the field) and re-validates it: the reasons stored are the ones that remain. It
// returns them (none: the row can be released). Errors: as QuarantineShow.
func (g *Gate) QuarantineFix(ctx context.Context, req Request, id jaga.SubjectID, set map[string]string) ([]jaga.RowReason, error) {
	p, err := g.checkRequest(req)
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionQuarantine, []jaga.SubjectID{id}, nil, err)
	}
	var remain []jaga.RowReason
	err = g.execResolving(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		// Under the resolution lock, before the row is read: an erasure on another node
		// then either discarded it already (ECONFLICT here, not a row written back open)
		// or sees the fixed values' blind indexes (serial.go).
		if err := tx.LockResolution(ctx); err != nil {
			return nil, err
		}
		r, q, dek, err := g.openQuarantine(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if q.Values == nil {
			q.Values = map[string]string{}
		}
		for k, v := range set {
			if _, ok := g.schema.Field(k); !ok {
				return nil, jaga.FieldError(k, "unknown field")
			}
			delete(q.Unverified, k)
			q.Problems = slices.DeleteFunc(q.Problems, func(r jaga.RowReason) bool { return r.Field == k })
			if v == "" {
				delete(q.Values, k)
			} else {
				q.Values[k] = v
			}
		}
		row := q.row(r)
		pr, err := g.prepRow(p, &row)
		if err != nil {
			return nil, err
		}
		remain = pr.reasons
		pt, err := json.Marshal(q)
		if err != nil {
			return nil, err
		}
		if r.Sealed, err = dek.Seal(seal.QuarantineAD(r.ID), pt); err != nil {
			return nil, err
		}
		r.Reasons = orNone(remain)
		if err := tx.UpdateQuarantine(ctx, r); err != nil {
			return nil, err
		}
		// The fixed values are the ones erasure must find (invariant 4).
		if err := tx.SetQuarantineIndexes(ctx, id, g.quarantineIndexes(q.Values, q.Unverified, q.Problems)); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionQuarantine, []jaga.SubjectID{id})
		ev.FieldsRequested = keys(set)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return remain, err
}

func orNone(rs []jaga.RowReason) []jaga.RowReason {
	if rs == nil {
		return []jaga.RowReason{}
	}
	return rs
}

// row rebuilds the intake row a quarantined row was made from (its own reader problems
// are gone: staff fixed or confirmed the values).
func (q *quarantined) row(r *jaga.QuarantinedRow) IntakeRow {
	return IntakeRow{Key: q.Key, File: r.File, Line: r.Line, Values: q.Values, Channel: q.Channel, CollectedAt: q.CollectedAt,
		Consents: q.Consents, Required: q.Required, Unverified: q.Unverified, Review: q.Review, Problems: q.Problems, releasing: r.ID}
}

// QuarantineRelease takes a fixed quarantined row in (identity resolution as on
// import: it may create a subject or merge into one), then destroys its sealed copy.
// Errors: EUNPROCESSABLE naming the first remaining reason when the row still fails
// validation; as QuarantineShow.
func (g *Gate) QuarantineRelease(ctx context.Context, req Request, id jaga.SubjectID) (IntakeOutcome, error) {
	// Decide before decrypting: the actor and purpose first.
	if _, err := g.checkRequest(req); err != nil {
		return IntakeOutcome{}, g.refuse(ctx, req, jaga.ActionQuarantine, []jaga.SubjectID{id}, nil, err)
	}
	var row IntakeRow
	if err := g.store.View(ctx, func(tx jaga.Tx) error {
		r, q, _, err := g.openQuarantine(ctx, tx, id)
		if err != nil {
			return err
		}
		row = q.row(r)
		return nil
	}); err != nil {
		return IntakeOutcome{}, err
	}
	b, err := g.PrepareIntake(ctx, req, []IntakeRow{row})
	if err != nil {
		return IntakeOutcome{}, err
	}
	if rs := b.rows[0].reasons; len(rs) > 0 {
		return IntakeOutcome{Status: IntakeQuarantined, Reasons: rs}, jaga.FieldError(rs[0].Field, "row still fails validation: %s (fix it first)", rs[0].Reason)
	}
	out, err := g.CommitIntake(ctx, g.NewIntakeSession(16), b)
	if err != nil {
		return IntakeOutcome{}, err
	}
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		r, err := tx.QuarantinedRow(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.Status != jaga.QuarantineOpen {
			// Discarded meanwhile (by hand, or with an erasure): that stands.
			return nil, &jaga.Error{Code: jaga.ECONFLICT, Message: "quarantined row was " + string(r.Status) + " while it was being released"}
		}
		r.Status, r.Subject, r.WrappedDEK, r.Sealed = jaga.QuarantineReleased, out[0].Subject, nil, nil
		if err := tx.UpdateQuarantine(ctx, r); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionQuarantine, []jaga.SubjectID{id, out[0].Subject})
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return out[0], err
}

// QuarantineDiscard destroys an open quarantined row's data key and values
// (crypto-shredding); its file, line and reasons stay, so that a re-import does not
// quarantine it again. Errors: as QuarantineShow.
func (g *Gate) QuarantineDiscard(ctx context.Context, req Request, id jaga.SubjectID) error {
	if _, err := g.checkRequest(req); err != nil {
		return g.refuse(ctx, req, jaga.ActionQuarantine, []jaga.SubjectID{id}, nil, err)
	}
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		r, err := tx.QuarantinedRow(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.Status != jaga.QuarantineOpen {
			return nil, &jaga.Error{Code: jaga.ECONFLICT, Message: "quarantined row was already " + string(r.Status)}
		}
		r.Status, r.WrappedDEK, r.Sealed = jaga.QuarantineDiscarded, nil, nil
		if err := tx.UpdateQuarantine(ctx, r); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionQuarantine, []jaga.SubjectID{id})
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return err
	}
	return g.store.Compact(ctx)
}
