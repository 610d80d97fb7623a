package auditlog

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"jaga/strictjson"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
)

// ExportLine is one line of an export (JSON Lines). Type "log" comes first with Origin
// and Key (the verifier key, to be checked against one obtained out of band); then
// "event" lines in sequence order with Seq, Record (the canonical encoding, base64 in
// JSON) and Event (the same decoded, for reading); a "checkpoint" line with Size and
// Note (the signed note text) follows the event it commits up to.
type ExportLine struct {
	Type   string           `json:"type"`
	Origin string           `json:"origin,omitempty"`
	Key    string           `json:"key,omitempty"`
	Seq    int64            `json:"seq,omitempty"`
	Record []byte           `json:"record,omitempty"`
	Event  *jaga.AuditEvent `json:"event,omitempty"`
	Size   int64            `json:"size,omitempty"`
	Note   string           `json:"note,omitempty"`
}

// Export writes the whole log of st as JSON Lines to w, from one snapshot, and returns
// the number of events. Bulk events list their subjects (IDs only).
func (l *Log) Export(ctx context.Context, st jaga.Store, w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	var n int64
	err := st.View(ctx, func(tx jaga.Tx) error {
		n = 0
		var cps []*jaga.AuditCheckpoint
		for after := int64(0); ; {
			page, err := tx.AuditCheckpoints(ctx, after, 1000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			cps = append(cps, page...)
			after = page[len(page)-1].Size
		}
		if err := enc.Encode(ExportLine{Type: "log", Origin: l.origin, Key: l.VerifierKey()}); err != nil {
			return err
		}
		// Bulk members are read page by page afterwards; the scan gives each record once.
		return forRecords(ctx, tx, func(r *jaga.AuditRecord) error {
			ev, err := Event(r)
			if err != nil {
				ev = nil // written as it is stored; verification reports it
			}
			if err := enc.Encode(ExportLine{Type: "event", Seq: r.Seq, Record: r.Data, Event: ev}); err != nil {
				return err
			}
			n++
			for len(cps) > 0 && cps[0].Size <= r.Seq {
				if err := enc.Encode(ExportLine{Type: "checkpoint", Size: cps[0].Size, Note: string(cps[0].Note)}); err != nil {
					return err
				}
				cps = cps[1:]
			}
			return nil
		})
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// forRecords calls fn with every record, members included, in pages of 1000.
func forRecords(ctx context.Context, tx jaga.Tx, fn func(*jaga.AuditRecord) error) error {
	for after := int64(0); ; {
		page, err := tx.AuditRecords(ctx, jaga.AuditFilter{AfterSeq: after, Limit: 1000})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
			after = r.Seq
		}
	}
}

// VerifyExport verifies an export read from r with the verifier key vkey (obtained out
// of band, not from the export): events must run 1, 2, 3, …; each checkpoint must be
// signed by vkey and its root must equal the tree recomputed from the events before it.
// An export has no stored hashes, so a changed event shows as the first checkpoint that
// fails (BadCheckpoint); a missing or moved line also as FirstBad. Each event's readable
// copy ("event") must equal its record decoded, as Go values (docs/audit-verify.md step
// 2): the first that differs, or whose record does not decode, is Mismatch, with the
// line number, seq and the names of the differing members (never a value). err is for a
// file that is not an export (with its line number).
func VerifyExport(r io.Reader, vkey string) (*Report, error) {
	rep := &Report{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var t Tree
	var hs []tlog.Hash
	var pending []wanted
	line := 0
	for sc.Scan() {
		line++
		var l struct {
			ExportLine
			Event json.RawMessage `json:"event"` // compared with the record, not trusted
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return rep, fmt.Errorf("line %d: %w", line, err)
		}
		// A member given twice ({"event":forged,…,"event":real}, names compared without
		// case as encoding/json matches them) would show a reader who keeps the first one
		// something the record check never saw.
		dupKey, dup := strictjson.DuplicateKey(sc.Bytes())
		if dup && l.Type != "event" {
			return rep, fmt.Errorf("line %d: member %q is given twice", line, jaga.SafeName(dupKey))
		}
		switch l.Type {
		case "log":
		case "event":
			expect := t.Size() + 1
			if l.Seq != expect {
				rep.bad(expect, "line %d: event %d where %d was expected (missing, inserted or reordered)", line, l.Seq, expect)
			}
			hs = t.Append(hs[:0], tlog.RecordHash(l.Record))
			rep.Size++
			diff, err := readableMismatch(l.Seq, l.Record, l.Event)
			if err != nil {
				rep.mismatch(l.Seq, "line %d (event %d): record does not decode: %v", line, l.Seq, err)
			} else if diff != "" {
				rep.mismatch(l.Seq, "line %d (event %d): event does not match its record (%s)", line, l.Seq, diff)
			} else if dup {
				rep.mismatch(l.Seq, "line %d (event %d): member %q is given twice", line, l.Seq, jaga.SafeName(dupKey))
			}
		case "checkpoint":
			c, err := OpenCheckpoint([]byte(l.Note), vkey)
			if err != nil {
				rep.badCheckpoint(l.Size, "line %d: %v", line, err)
				continue
			}
			if c.Size < t.Size() {
				rep.badCheckpoint(c.Size, "line %d: checkpoint of size %d after event %d (out of place)", line, c.Size, t.Size())
				continue
			}
			pending = append(pending, wanted{c.Size, c.Root, "checkpoint"})
		default:
			return rep, fmt.Errorf("line %d: unknown line type %q", line, l.Type)
		}
		for len(pending) > 0 && pending[0].size == t.Size() {
			if t.Root() == pending[0].root {
				rep.Checkpoints++
			} else {
				rep.badCheckpoint(pending[0].size, "root differs from the tree recomputed from the exported events")
			}
			pending = pending[1:]
		}
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("line %d: %w", line+1, err)
	}
	for _, p := range pending {
		rep.badCheckpoint(p.size, "commits to %d events but the export has %d", p.size, t.Size())
	}
	rep.Events = t.Size()
	return rep, nil
}
