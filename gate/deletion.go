package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"jaga"
)

// ActionScheduledDeletion is the audit action of one scheduled deletion carried out,
// and of each run of RunDeletions (Count: deletions done).
const ActionScheduledDeletion = "scheduled_deletion"

// DeletionLock is the store job lock (jaga.Store.TryLock) a run of RunDeletions holds,
// so that of several nodes sharing one database one runs the deletions at a time.
const DeletionLock = "scheduled_deletions"

// DeletionReport counts one run of RunDeletions. Due is the number of scheduled
// deletions whose time had come; Done those carried out (their fields deleted, or kept
// by a basis in force now: Kept counts such fields); Held those left pending because a
// legal hold keeps the data (tried again on the next run, deleted once the hold ends);
// Fields the fields deleted (a subject's purchases count as one). In a dry run nothing
// changes and Done and Fields count what would have been done.
type DeletionReport struct {
	Due    int  `json:"due"`
	Done   int  `json:"done"`
	Held   int  `json:"held"`
	Fields int  `json:"fields_deleted"`
	Kept   int  `json:"fields_kept"`
	DryRun bool `json:"dry_run"`
}

// deletionBatch is how many due deletions one page reads.
const deletionBatch = 100

// RunDeletions carries out the deletions scheduled after withdrawals whose due time has
// come (UU PDP Art 43(1)(b), R-11): for each, in one transaction with its own audit
// event, it removes from the subject the fields no lawful basis keeps at that time —
// sealed values and blind indexes, attributes re-sealed without them, the purchases for
// jaga.FieldPurchases — and marks the deletion done with the fields it deleted. A field
// an active purpose keeps now (a contract, or a consent given again since) stays; while
// a legal hold is in force on the subject the deletion stays pending. An erased
// subject's deletion is done with nothing left to delete. After a run that deleted
// anything the store is compacted (invariant 4: no old copy stays in the WAL). No value
// is opened for the caller or logged; attributes are opened only to be sealed again.
//
// req must name purpose legal_obligation and a role the policy lets use it (the dpo,
// or the system's deletion actor). The run holds DeletionLock; while another holder has
// it RunDeletions returns ECONFLICT at once. It stops when ctx ends, returning the counts
// so far with ctx.Err(). One audit event records a run that found deletions due (or
// failed, or was dry). A dry run writes nothing but that event. Errors: as Read for the request; ECONFLICT.
func (g *Gate) RunDeletions(ctx context.Context, req Request, dryRun bool) (DeletionReport, error) {
	rep := DeletionReport{DryRun: dryRun}
	p, err := g.checkRequest(req)
	if err == nil && p.ID != jaga.PurposeLegalObligation {
		err = jaga.Refusal("purpose_not_allowed", "scheduled deletions run under purpose legal_obligation")
	}
	if err != nil {
		return rep, g.refuse(ctx, req, ActionScheduledDeletion, nil, nil, err)
	}
	if !dryRun {
		release, ok, err := g.store.TryLock(ctx, DeletionLock)
		if err != nil {
			return rep, err
		}
		if !ok {
			return rep, jaga.Errorf(jaga.ECONFLICT, "another node is running the scheduled deletions")
		}
		defer release()
	}
	now := g.now()
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return rep, g.finishRun(ctx, req, &rep, err)
		}
		var page []*jaga.ScheduledDeletion
		if err := g.store.View(ctx, func(tx jaga.Tx) (err error) {
			page, err = tx.DueDeletions(ctx, now, after, deletionBatch)
			return err
		}); err != nil {
			return rep, g.finishRun(ctx, req, &rep, err)
		}
		if len(page) == 0 {
			break
		}
		for _, d := range page {
			after = d.ID
			rep.Due++
			if err := g.runDeletion(ctx, req, d, dryRun, &rep); err != nil {
				return rep, g.finishRun(ctx, req, &rep, err)
			}
		}
	}
	if rep.Fields > 0 && !dryRun {
		if err := g.store.Compact(ctx); err != nil {
			return rep, g.finishRun(ctx, req, &rep, fmt.Errorf("compact after scheduled deletions: %w", err))
		}
	}
	return rep, g.finishRun(ctx, req, &rep, nil)
}

// finishRun writes the run's audit event (its count the deletions done) and returns
// runErr, or the audit failure. A run that found nothing due and failed in nothing
// leaves no event (jaga serve looks every few minutes).
func (g *Gate) finishRun(ctx context.Context, req Request, rep *DeletionReport, runErr error) error {
	if rep.Due == 0 && !rep.DryRun && runErr == nil {
		return nil
	}
	r := req
	r.Reason = fmt.Sprintf("deletion run: due %d, done %d, held %d, fields deleted %d", rep.Due, rep.Done, rep.Held, rep.Fields)
	if rep.DryRun {
		r.Reason = "dry " + r.Reason
	}
	if err := g.RecordEvent(context.WithoutCancel(ctx), r, ActionScheduledDeletion, rep.Done); err != nil && runErr == nil {
		return err
	}
	return runErr
}

// runDeletion handles one due deletion in one transaction (a dry run: a read only).
func (g *Gate) runDeletion(ctx context.Context, req Request, d *jaga.ScheduledDeletion, dryRun bool, rep *DeletionReport) error {
	var del, kept []string
	var attrs map[string]string
	held := false
	// decide reads what is to be deleted now: the scheduled fields no basis keeps that
	// the subject still holds.
	decide := func(ctx context.Context, tx jaga.Tx) (*jaga.SealedSubject, error) {
		del, kept, attrs, held = nil, nil, nil, false
		s, err := tx.Subject(ctx, d.Subject)
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		r, err := g.retention(ctx, tx, s.ID, g.now())
		if err != nil {
			return nil, err
		}
		purchases := false
		for _, name := range d.Fields {
			by, purposeKeeps := r.keptBy(g.schema, name)
			switch {
			case purposeKeeps:
				kept = append(kept, name)
			case len(by) > 0:
				held = true
			case name == jaga.FieldPurchases:
				purchases = true
			default:
				del = append(del, name)
			}
		}
		if held {
			return s, nil
		}
		if del, attrs, err = g.present(s, del); err != nil {
			return nil, err
		}
		if purchases {
			if ps, err := tx.Purchases(ctx, s.ID); err != nil {
				return nil, err
			} else if len(ps) > 0 {
				del = append(del, jaga.FieldPurchases)
			}
		}
		return s, nil
	}
	count := func() {
		if held {
			rep.Held++
			return
		}
		rep.Done++
		rep.Fields += len(del)
		rep.Kept += len(kept)
	}
	if dryRun {
		err := g.store.View(ctx, func(tx jaga.Tx) error { _, err := decide(ctx, tx); return err })
		if err == nil {
			count()
		}
		return err
	}
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		s, err := decide(ctx, tx)
		if err != nil || held {
			return nil, err
		}
		ev := g.event(req, ActionScheduledDeletion, []jaga.SubjectID{d.Subject})
		ev.Decision = string(jaga.Allow)
		ev.FieldsRequested = slices.Clone(d.Fields)
		if s == nil {
			ev.Reason = fmt.Sprintf("scheduled deletion %d: subject erased, nothing left", d.ID)
		} else {
			if err := g.deleteFields(ctx, tx, s, del, attrs); err != nil {
				return nil, err
			}
			ev.Reason = fmt.Sprintf("scheduled deletion %d after withdrawal of %s: deleted [%s], kept by another basis [%s] (R-11)",
				d.ID, d.Purpose, strings.Join(del, " "), strings.Join(kept, " "))
		}
		if err := tx.FinishDeletion(ctx, d.ID, g.now(), del); err != nil {
			return nil, err
		}
		ev.Count = len(del)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err == nil {
		count()
	}
	return err
}

// deleteFields removes fields (schema names s holds, or jaga.FieldPurchases) from
// subject s in tx: identity fields' sealed values and blind indexes; attributes by
// sealing attrs (s's opened attributes) again without them, or removing the object when
// none is left; the purchases.
func (g *Gate) deleteFields(ctx context.Context, tx jaga.Tx, s *jaga.SealedSubject, names []string, attrs map[string]string) error {
	patch := jaga.SubjectPatch{UpdatedAt: g.now()}
	attrsChanged := false
	for _, name := range names {
		if name == jaga.FieldPurchases {
			if _, err := tx.DeletePurchases(ctx, s.ID); err != nil {
				return err
			}
			continue
		}
		f, _ := g.schema.Field(name)
		if f.Kind == jaga.KindAttribute {
			delete(attrs, name)
			attrsChanged = true
			continue
		}
		patch.Remove = append(patch.Remove, name)
		if f.Indexed {
			patch.IndexFields = append(patch.IndexFields, name)
		}
	}
	if attrsChanged {
		if len(attrs) == 0 {
			patch.Remove = append(patch.Remove, AttributesField)
		} else {
			dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
			if err != nil {
				return fmt.Errorf("subject %s: open data key: %w", s.ID, err)
			}
			patch.Set = map[string][]byte{}
			if err := sealAttributes(dek, s.ID, attrs, patch.Set); err != nil {
				return err
			}
		}
	}
	if len(patch.Remove) == 0 && len(patch.Set) == 0 {
		return nil
	}
	return tx.UpdateSubject(ctx, s.ID, patch)
}
