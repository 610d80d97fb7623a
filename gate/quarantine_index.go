package gate

import (
	"context"
	"fmt"
	"strings"

	"jaga"
	"jaga/normalize"
)

// quarantineIndexes returns the blind indexes of a quarantined row's blind-indexed
// fields (email, phone, nik: jaga.Schema.Indexed), computed as a subject's are: the
// keyed HMAC of the value normalised by normalize.Value, or of an unverified phone as
// the row kept it (+62 and 7-13 digits, as a subject stores it). They let erasure find
// the row when it has no source ID (Tx.DiscardQuarantinedOf; invariant 4, UU PDP Art 8,
// A value that does not normalise gets no index, and nor does one the reader
// found wrong (a NIK that lost digits in a spreadsheet may look valid and be someone
// else's): such a row is found only by its source key, or discarded by hand.
func (g *Gate) quarantineIndexes(values, unverified map[string]string, problems []jaga.RowReason) []jaga.BlindIndex {
	var out []jaga.BlindIndex
	for _, f := range g.schema.Indexed() {
		if hasReason(problems, f.Name) {
			continue
		}
		var v string
		if raw := values[f.Name]; strings.TrimSpace(raw) != "" {
			n, err := normalize.Value(f.Name, f.Type, raw)
			if err != nil {
				continue
			}
			v = n
		} else if u := unverified[f.Name]; f.Type == jaga.TypePhone && plausibleE164(u) {
			v = u
		} else {
			continue
		}
		out = append(out, jaga.BlindIndex{Field: f.Name, Value: g.keys.BlindIndex(f.Name, v)})
	}
	return out
}

// indexQuarantine stores the blind indexes (quarantineIndexes) of open quarantined rows
// stored before the store kept them (migration 0011), so that erasing a subject, or
// re-applying the erasure journal to a restored backup, discards the ones that share
// its e-mail, phone or NIK (invariant 4, UU PDP Art 8, R-20). It works as keyQuarantine
// does and returns how many rows it indexed.
func (g *Gate) indexQuarantine(ctx context.Context) (int, error) {
	return g.quarantineJob(ctx, "blind indexes of quarantined rows (migration 0011)", jaga.Tx.UnindexedQuarantine,
		func(ctx context.Context, tx jaga.Tx, id jaga.SubjectID, q *quarantined) error {
			return tx.SetQuarantineIndexes(ctx, id, g.quarantineIndexes(q.Values, q.Unverified, q.Problems))
		})
}

// quarantineJob is Jaga's own start-up work on open quarantined rows: it lists them
// with list (after an ID, at most a page), opens each and calls fill with its values,
// in pages, each a gate transaction with one audit event (Jaga's own job, action
// quarantine, purpose legal_obligation, reason, the rows it opened, their count). A row
// released or discarded meanwhile is skipped, and so is one fill finds gone
// (ENOTFOUND). It returns how many rows it listed.
func (g *Gate) quarantineJob(ctx context.Context, reason string,
	list func(tx jaga.Tx, ctx context.Context, after jaga.SubjectID, limit int) ([]jaga.SubjectID, error),
	fill func(ctx context.Context, tx jaga.Tx, id jaga.SubjectID, q *quarantined) error) (int, error) {
	const page = 500
	req := Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeLegalObligation, Reason: reason}
	n := 0
	for after := jaga.SubjectID(""); ; {
		var ids []jaga.SubjectID
		if err := g.store.View(ctx, func(tx jaga.Tx) (err error) {
			ids, err = list(tx, ctx, after, page)
			return err
		}); err != nil {
			return n, err
		}
		if len(ids) == 0 {
			return n, nil
		}
		after = ids[len(ids)-1]
		err := g.execResolving(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
			if err := tx.LockResolution(ctx); err != nil { // as QuarantineFix
				return nil, err
			}
			ev := g.event(req, jaga.ActionQuarantine, nil)
			for _, id := range ids {
				_, q, _, err := g.openQuarantine(ctx, tx, id)
				switch code := jaga.ErrorCode(err); {
				case err == nil:
				case code == jaga.ENOTFOUND || code == jaga.ECONFLICT:
					continue // released or discarded meanwhile
				default:
					return nil, err
				}
				if err := fill(ctx, tx, id, q); err != nil && jaga.ErrorCode(err) != jaga.ENOTFOUND {
					return nil, err
				}
				ev.Subjects = append(ev.Subjects, id)
			}
			ev.Count, ev.Decision = len(ev.Subjects), string(jaga.Allow)
			return []*jaga.AuditEvent{ev}, nil
		})
		if err != nil {
			return n, fmt.Errorf("%s: %w", reason, err)
		}
		n += len(ids)
	}
}
