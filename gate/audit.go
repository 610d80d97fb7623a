package gate

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/auditlog"
	"jaga/policy"
)

// auditState is the gate's audit log and its checkpoint loop.
type auditState struct {
	log    *auditlog.Log
	cancel context.CancelFunc
	done   chan struct{}
}

// startAudit builds the audit log over the controller's audit key and starts the loop
// that signs a checkpoint every Interval and copies it to the witnesses.
func (g *Gate) startAudit(cfg auditlog.Config) error {
	if cfg.Signer == nil {
		cfg.Signer = g.keys.AuditSigner()
	}
	if cfg.Logger == nil {
		cfg.Logger = g.log
	}
	l, err := auditlog.New(cfg)
	if err != nil {
		return fmt.Errorf("gate: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.audit = auditState{log: l, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(g.audit.done)
		l.Run(ctx, g.store)
	}()
	return nil
}

// stopAudit ends the checkpoint loop and signs and witnesses a last checkpoint
// (shutdown), so that no event stays uncommitted to a checkpoint.
func (g *Gate) stopAudit() error {
	g.audit.cancel()
	<-g.audit.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.audit.log.CheckpointAndWitness(ctx, g.store); err != nil {
		return fmt.Errorf("gate: final audit checkpoint: %w", err)
	}
	return nil
}

// appendAudit appends the events of one grouped transaction to the Merkle log in tx:
// one store call, tree hashes computed once for the batch (auditlog.Log.Append).
func (g *Gate) appendAudit(ctx context.Context, tx jaga.Tx, events []*jaga.AuditEvent) error {
	if len(events) == 0 || !auditEnabled {
		return nil
	}
	return g.audit.log.Append(ctx, tx, events)
}

// AuditLogOf returns the gate's audit log (for the verifier key, verification and
// export, which read no personal data).
func (g *Gate) AuditLogOf() *auditlog.Log { return g.audit.log }

// auditEvents returns the events matching f, decoded: the store selects by subject and
// sequence; actor and action are filtered here, reading at most 100 pages.
func auditEvents(ctx context.Context, tx jaga.Tx, f jaga.AuditFilter) ([]*jaga.AuditEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var out []*jaga.AuditEvent
	q := f
	q.Limit = 1000
	for pages := 0; pages < 100 && len(out) < limit; pages++ {
		var recs []*jaga.AuditRecord
		var err error
		if q.Subject != "" {
			recs, err = auditlog.SubjectRecords(ctx, tx, q.Subject, q.AfterSeq, q.Limit)
		} else {
			recs, err = tx.AuditRecords(ctx, q)
		}
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			q.AfterSeq = r.Seq
			if len(out) == limit {
				break
			}
			ev, err := auditlog.Event(r)
			if err != nil {
				return nil, jaga.Errorf(jaga.EINTERNAL, "%v", err)
			}
			if (f.ActorID == "" || ev.ActorID == f.ActorID) && (f.Action == "" || ev.Action == f.Action) {
				out = append(out, ev)
			}
		}
		if len(recs) < q.Limit {
			break
		}
	}
	return out, nil
}

// checkAuditReader lets the auditor and dpo roles read the audit log under purpose
// security (the default); anything else is refused and the refusal audited.
func (g *Gate) checkAuditReader(ctx context.Context, req *Request, subjects []jaga.SubjectID) error {
	if req.Purpose == "" {
		req.Purpose = jaga.PurposeSecurity
	}
	if req.Actor == nil {
		return jaga.Errorf(jaga.EUNAUTHORIZED, "no actor")
	}
	var err error
	switch {
	case !g.knownPurpose(req.Purpose):
		err = &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Purpose", Message: "unknown purpose"}
	case checkReason(req.Reason) != nil:
		err = checkReason(req.Reason)
	case req.Purpose != jaga.PurposeSecurity:
		err = jaga.Refusal("purpose_not_allowed", "the audit log is read under purpose security")
	case !g.purposeActive(req.Purpose):
		err = jaga.Refusal(policy.ReasonPurposeNotActive, "purpose security is not active: record its balancing test and activate it to read the audit log (R-5)")
	case req.Actor.Role != jaga.RoleAuditor && req.Actor.Role != jaga.RoleDPO:
		err = jaga.Refusal("role_not_allowed", "only auditor and dpo read the audit log")
	}
	if err != nil {
		return g.refuse(ctx, *req, jaga.ActionReadAudit, subjects, nil, err)
	}
	return nil
}

// readAudit runs fn in a grouped transaction that also appends the read_audit event
// of the call (with count set from fn's result).
func (g *Gate) readAudit(ctx context.Context, req Request, subjects []jaga.SubjectID, fn func(tx jaga.Tx) (int, error)) error {
	return g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		n, err := fn(tx)
		if err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionReadAudit, subjects)
		ev.Count = n
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
}

// AuditCheckpoints returns up to limit checkpoints after size `after` (auditor, dpo).
func (g *Gate) AuditCheckpoints(ctx context.Context, req Request, after int64, limit int) ([]*jaga.AuditCheckpoint, error) {
	if err := g.checkAuditReader(ctx, &req, nil); err != nil {
		return nil, err
	}
	var out []*jaga.AuditCheckpoint
	err := g.readAudit(ctx, req, nil, func(tx jaga.Tx) (int, error) {
		var err error
		out, err = tx.AuditCheckpoints(ctx, after, min(max(limit, 1), 1000))
		return len(out), err
	})
	return out, err
}

// InclusionProof proves event seq in the tree of a stored checkpoint of size `size`
// (0: the latest checkpoint). It returns the checkpoint, the event's record and the
// proof (auditor, dpo). Errors: ENOTFOUND for an unknown event or checkpoint,
// EUNPROCESSABLE for an event after the checkpoint.
func (g *Gate) InclusionProof(ctx context.Context, req Request, seq, size int64) (*jaga.AuditCheckpoint, *jaga.AuditRecord, tlog.RecordProof, error) {
	if err := g.checkAuditReader(ctx, &req, nil); err != nil {
		return nil, nil, nil, err
	}
	var cp *jaga.AuditCheckpoint
	var rec *jaga.AuditRecord
	var proof tlog.RecordProof
	err := g.readAudit(ctx, req, nil, func(tx jaga.Tx) (int, error) {
		var err error
		if cp, err = checkpointOf(ctx, tx, size); err != nil {
			return 0, err
		}
		recs, err := tx.AuditRecords(ctx, jaga.AuditFilter{AfterSeq: seq - 1, Limit: 1})
		if err != nil {
			return 0, err
		}
		if len(recs) == 0 || recs[0].Seq != seq {
			return 0, jaga.Errorf(jaga.ENOTFOUND, "audit event %d not found", seq)
		}
		rec = recs[0]
		proof, err = g.audit.log.InclusionProof(ctx, tx, seq, cp.Size)
		return 1, err
	})
	return cp, rec, proof, err
}

// ConsistencyProof proves that the stored checkpoint of size from is a prefix of the
// one of size to (auditor, dpo). Errors: ENOTFOUND for an unknown checkpoint.
func (g *Gate) ConsistencyProof(ctx context.Context, req Request, from, to int64) (old, cur *jaga.AuditCheckpoint, proof tlog.TreeProof, err error) {
	if err := g.checkAuditReader(ctx, &req, nil); err != nil {
		return nil, nil, nil, err
	}
	err = g.readAudit(ctx, req, nil, func(tx jaga.Tx) (int, error) {
		if to > 0 && from > to { // to 0 is the latest checkpoint
			// Said before either size is looked up: the order is the mistake.
			return 0, filterError("from", "from must not be after to")
		}
		var err error
		if old, err = checkpointOf(ctx, tx, from); err != nil {
			return 0, err
		}
		if cur, err = checkpointOf(ctx, tx, to); err != nil {
			return 0, err
		}
		if old.Size > cur.Size {
			return 0, filterError("from", "from must not be after to")
		}
		proof, err = g.audit.log.ConsistencyProof(ctx, tx, old.Size, cur.Size)
		return 2, err
	})
	return old, cur, proof, err
}

// checkpointOf returns the stored checkpoint of the given size, the latest for 0.
func checkpointOf(ctx context.Context, tx jaga.Tx, size int64) (*jaga.AuditCheckpoint, error) {
	if size == 0 {
		cp, err := tx.LatestAuditCheckpoint(ctx)
		if err == nil && cp == nil {
			err = jaga.Errorf(jaga.ENOTFOUND, "no audit checkpoint yet")
		}
		return cp, err
	}
	cps, err := tx.AuditCheckpoints(ctx, size-1, 1)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 || cps[0].Size != size {
		return nil, jaga.Errorf(jaga.ENOTFOUND, "no audit checkpoint of size %d", size)
	}
	return cps[0], nil
}

// purposeActive reports whether id is an active purpose of the registry.
func (g *Gate) purposeActive(id string) bool {
	p, ok := g.Purpose(id)
	return ok && p.Status == jaga.PurposeActive
}

// knownPurpose reports whether id is a purpose of the registry.
func (g *Gate) knownPurpose(id string) bool {
	_, ok := g.Purpose(id)
	return ok
}
