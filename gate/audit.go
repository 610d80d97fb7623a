package gate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"jaga"
)

// appendAudit chains events after the last stored event and appends them in tx. Reading
// the last event inside the write transaction keeps the chain linear even when several
// processes write to one vault.
func (g *Gate) appendAudit(ctx context.Context, tx jaga.Tx, events []*jaga.AuditEvent) error {
	if len(events) == 0 || !auditEnabled {
		return nil
	}
	last, err := tx.LastAudit(ctx)
	if err != nil {
		return fmt.Errorf("last audit event: %w", err)
	}
	seq, prev := int64(0), make([]byte, sha256.Size)
	if last != nil {
		seq, prev = last.Seq, last.Hash
	}
	for _, ev := range events {
		seq++
		ev.Seq = seq
		ev.Time = ev.Time.UTC().Truncate(time.Microsecond)
		ev.PrevHash = prev
		ev.Hash = EventHash(ev)
		prev = ev.Hash
	}
	return tx.AppendAudit(ctx, events)
}

// EventHash returns SHA-256(PrevHash ‖ canonical JSON of the event without Hash): the
// hash that chains ev to the event before it. Times are in UTC at microsecond precision.
func EventHash(ev *jaga.AuditEvent) []byte {
	c := *ev
	c.Hash = nil
	c.Time = c.Time.UTC().Truncate(time.Microsecond)
	b, err := json.Marshal(&c)
	if err != nil {
		panic(err) // an AuditEvent of plain values always marshals
	}
	h := sha256.New()
	h.Write(ev.PrevHash)
	h.Write(b)
	return h.Sum(nil)
}

// VerifyResult is the outcome of VerifyAudit: how many events were checked and, when the
// chain is broken, the sequence number of the first bad event and why.
type VerifyResult struct {
	Events int64
	BadSeq int64
	Reason string
}

// VerifyAudit recomputes the hash chain over every stored event. A changed, deleted,
// inserted or reordered event shows as BadSeq with a reason; err is for storage failures.
func VerifyAudit(ctx context.Context, st jaga.Store) (VerifyResult, error) {
	var res VerifyResult
	prev := make([]byte, sha256.Size)
	var after int64
	for {
		var page []*jaga.AuditEvent
		err := st.View(ctx, func(tx jaga.Tx) error {
			var err error
			page, err = tx.AuditEvents(ctx, jaga.AuditFilter{AfterSeq: after, Limit: 1000})
			return err
		})
		if err != nil {
			return res, err
		}
		if len(page) == 0 {
			return res, nil
		}
		for _, ev := range page {
			switch {
			case ev.Seq != after+1:
				res.BadSeq, res.Reason = after+1, fmt.Sprintf("event %d missing (next stored is %d)", after+1, ev.Seq)
			case !bytes.Equal(ev.PrevHash, prev):
				res.BadSeq, res.Reason = ev.Seq, "previous-hash link broken"
			case !bytes.Equal(EventHash(ev), ev.Hash):
				res.BadSeq, res.Reason = ev.Seq, "event content does not match its hash"
			}
			if res.BadSeq != 0 {
				return res, nil
			}
			res.Events++
			prev, after = ev.Hash, ev.Seq
		}
	}
}
