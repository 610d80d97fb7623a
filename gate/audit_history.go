package gate

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/auditlog"
)

// AccessEntry is one use of a subject's data as the subject sees it (UU PDP Art 32,
// when, which staff role (never the name), what action, for which purpose, which
// fields, and the decision. With proofs it also carries the event's record, its
// inclusion proof against the history's checkpoint and, for a bulk event, the
// subject's position and proof in the event's subject tree.
type AccessEntry struct {
	Seq  int64
	Time time.Time
	Role jaga.Role
	// Job: the actor was one of Jaga's own jobs (jaga.IsJob), acting with Role's
	// rights; WhoLabel names it as such.
	Job          bool
	Action       string
	Purpose      string
	Fields       []string
	Decision     string
	Record       []byte
	Proof        tlog.RecordProof
	SubjectPos   int
	SubjectProof tlog.RecordProof
}

// AccessHistory is a page of a subject's access history; Checkpoint is the signed
// checkpoint the proofs lead to (with proofs only; events after it carry none).
type AccessHistory struct {
	Subject    jaga.SubjectID
	Entries    []AccessEntry
	NextAfter  int64
	Checkpoint *jaga.AuditCheckpoint
}

// AccessHistoryRequest asks for the events naming Subject after sequence number After,
// at most Limit (default 100, at most 1000), with proofs when Proofs is set.
type AccessHistoryRequest struct {
	Request
	Subject jaga.SubjectID
	After   int64
	Limit   int
	Proofs  bool
}

// AccessHistory returns the events that name a subject, found through the per-subject
// index without scanning the log. It answers a subject's access request (purpose dsr:
// the dpo, or later the subject in the portal) and is itself audited. Errors: as Read's
// request checks; EFORBIDDEN with reason purpose_not_allowed for another purpose.
func (g *Gate) AccessHistory(ctx context.Context, r AccessHistoryRequest) (*AccessHistory, error) {
	subjects := []jaga.SubjectID{r.Subject}
	p, err := g.checkRequest(r.Request)
	if err == nil && p.ID != jaga.PurposeDSR {
		err = jaga.Refusal("purpose_not_allowed", "the access history is read under purpose dsr")
	}
	if err == nil && r.Actor.Kind == jaga.ActorSubject && jaga.SubjectID(r.Actor.ID) != r.Subject {
		// A subject actor (the portal's signed-in customer) reads only its own history.
		err = jaga.Refusal("not_own_data", "a subject reads only their own history")
	}
	if err != nil {
		return nil, g.refuse(ctx, r.Request, jaga.ActionReadAudit, subjects, nil, err)
	}
	out := &AccessHistory{Subject: r.Subject, NextAfter: r.After}
	if r.Proofs {
		// Everything so far under one checkpoint, so that every entry gets a proof.
		if out.Checkpoint, err = g.audit.log.Checkpoint(ctx, g.store); err != nil {
			return nil, err
		}
	}
	err = g.readAudit(ctx, r.Request, subjects, func(tx jaga.Tx) (int, error) {
		out.Entries = out.Entries[:0]
		recs, err := auditlog.SubjectRecords(ctx, tx, r.Subject, r.After, r.Limit)
		if err != nil {
			return 0, err
		}
		for _, rec := range recs {
			ev, err := auditlog.Event(rec)
			if err != nil {
				return 0, jaga.Errorf(jaga.EINTERNAL, "%v", err)
			}
			e := AccessEntry{Seq: rec.Seq, Time: ev.Time, Role: ev.Role, Job: jaga.IsJob(ev.ActorID), Action: ev.Action, Purpose: ev.Purpose,
				Fields: ev.FieldsReturned, Decision: ev.Decision, SubjectPos: rec.Pos}
			if len(e.Fields) == 0 {
				e.Fields = ev.FieldsRequested
			}
			if r.Proofs && out.Checkpoint != nil && rec.Seq <= out.Checkpoint.Size {
				e.Record = rec.Data
				if e.Proof, err = g.audit.log.InclusionProof(ctx, tx, rec.Seq, out.Checkpoint.Size); err != nil {
					return 0, err
				}
				if ev.SubjectRoot != nil {
					if e.SubjectProof, err = auditlog.SubjectProof(auditlog.Members(rec), rec.Pos); err != nil {
						return 0, err
					}
				}
			}
			out.Entries = append(out.Entries, e)
			out.NextAfter = rec.Seq
		}
		return len(out.Entries), nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TailAudit streams the audit log to a SIEM (auditor, dpo): fn gets every event after
// sequence number after, in order, then each new one as it is committed, polling every
// interval (default 1s) until ctx ends. Opening the stream is audited once; the polls
// are not (they would feed the stream its own events).
func (g *Gate) TailAudit(ctx context.Context, req Request, after int64, interval time.Duration, fn func(*jaga.AuditEvent) error) error {
	if err := g.checkAuditReader(ctx, &req, nil); err != nil {
		return err
	}
	if err := g.readAudit(ctx, req, nil, func(jaga.Tx) (int, error) { return 0, nil }); err != nil {
		return err
	}
	return auditlog.Tail(ctx, g.store, after, interval, fn)
}
