package auditlog

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
)

// Report is the outcome of Verify or VerifyExport. Indexes are event sequence numbers
// (1-based; leaf index + 1).
type Report struct {
	// Events is how many events were recomputed; Size how many the log claims.
	Events, Size int64
	// From is the size of the trusted checkpoint verification started from (0: all).
	From int64
	// Checkpoints is how many checkpoints matched the recomputed tree.
	Checkpoints int
	// FirstBad is the first event that is missing, changed, inserted or out of place
	// (0 if none was pinpointed), and BadReason says why.
	FirstBad  int64
	BadReason string
	// BadCheckpoint is the size of the first checkpoint that fails (bad signature, root
	// that differs from the recomputed tree, or more events than the log has), 0 if
	// none; CheckpointReason says why.
	BadCheckpoint    int64
	CheckpointReason string
	// Mismatch is the first event of an export whose readable copy ("event") differs
	// from its record, or whose record does not decode (0 if none); MismatchReason says
	// where (line, seq, member names) and Mismatches counts such events. VerifyExport only.
	Mismatch       int64
	MismatchReason string
	Mismatches     int
}

// OK reports whether nothing failed.
func (r *Report) OK() bool { return r.FirstBad == 0 && r.BadCheckpoint == 0 && r.Mismatches == 0 }

func (r *Report) mismatch(seq int64, reason string, args ...any) {
	r.Mismatches++
	if r.Mismatches == 1 {
		r.Mismatch, r.MismatchReason = seq, fmt.Sprintf(reason, args...)
	}
}

// plural returns word, with an "s" unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func (r *Report) bad(seq int64, reason string, args ...any) {
	if r.FirstBad == 0 || seq < r.FirstBad {
		r.FirstBad, r.BadReason = seq, fmt.Sprintf(reason, args...)
	}
}

func (r *Report) badCheckpoint(size int64, reason string, args ...any) {
	if r.BadCheckpoint == 0 || size < r.BadCheckpoint {
		r.BadCheckpoint, r.CheckpointReason = size, fmt.Sprintf(reason, args...)
	}
}

// VerifyOptions are the optional inputs of Verify.
type VerifyOptions struct {
	// From is a trusted signed checkpoint to start from: its tree is rebuilt from the
	// stored hashes and must have its root; events after it are recomputed.
	From []byte
	// Witnessed are checkpoints held outside the database (a witness file): each must be
	// a prefix of the stored log, so a database rolled back below one is reported.
	Witnessed [][]byte
}

// wanted is a checkpoint to compare with the recomputed tree when it reaches Size.
type wanted struct {
	size   int64
	root   tlog.Hash
	source string
}

// Verify recomputes the Merkle tree from the events stored in st and checks it against
// every stored checkpoint (signature by vkey, root), the tree hashes stored with each
// event, the log's head and the witnessed checkpoints. A changed, deleted, inserted or
// reordered event shows as FirstBad (from the stored hashes, or a gap in the sequence);
// the first failing checkpoint as BadCheckpoint. err is only for storage failures.
func Verify(ctx context.Context, st jaga.Store, vkey string, opts VerifyOptions) (*Report, error) {
	rep := &Report{}
	err := st.View(ctx, func(tx jaga.Tx) error {
		*rep = Report{}
		head, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		rep.Size = head.Size
		var want []wanted
		for after := int64(0); ; {
			cps, err := tx.AuditCheckpoints(ctx, after, 1000)
			if err != nil {
				return err
			}
			if len(cps) == 0 {
				break
			}
			for _, cp := range cps {
				after = cp.Size
				c, err := OpenCheckpoint(cp.Note, vkey)
				if err != nil {
					rep.badCheckpoint(cp.Size, "%v", err)
					continue
				}
				if c.Size != cp.Size {
					rep.badCheckpoint(cp.Size, "stored under size %d but signed for size %d", cp.Size, c.Size)
					continue
				}
				want = append(want, wanted{c.Size, c.Root, "checkpoint"})
			}
		}
		for _, w := range opts.Witnessed {
			c, err := OpenCheckpoint(w, vkey)
			if err != nil {
				return jaga.Errorf(jaga.EINVALID, "witnessed checkpoint: %v", err)
			}
			want = append(want, wanted{c.Size, c.Root, "witnessed checkpoint"})
		}
		var t Tree
		if opts.From != nil {
			c, err := OpenCheckpoint(opts.From, vkey)
			if err != nil {
				return jaga.Errorf(jaga.EINVALID, "--from checkpoint: %v", err)
			}
			rep.From = c.Size
			if c.Size > head.Size {
				rep.badCheckpoint(c.Size, "the log has %d events, fewer than the trusted checkpoint's %d (rolled back or truncated)", head.Size, c.Size)
				return nil
			}
			if err := t.load(c.Size, storeReader{ctx, tx}); err != nil {
				rep.bad(c.Size, "stored tree hashes at the trusted checkpoint unreadable: %v", err)
				return nil
			}
			if t.Root() != c.Root {
				rep.badCheckpoint(c.Size, "stored tree at the trusted checkpoint differs from it: an event up to %d changed", c.Size)
				return nil
			}
		}
		slices.SortStableFunc(want, func(a, b wanted) int { return int(a.size - b.size) })
		i := 0
		for i < len(want) && want[i].size <= t.Size() {
			i++ // before the trusted start
		}
		hs := make([]tlog.Hash, 0, 64)
		err = tx.ScanAudit(ctx, t.Size(), func(r *jaga.AuditRecord) error {
			expect := t.Size() + 1
			if r.Seq != expect {
				rep.bad(expect, "event %d missing (the next stored is %d)", expect, r.Seq)
			}
			hs = t.Append(hs[:0], tlog.RecordHash(r.Data))
			if !storedMatch(r.Hashes, hs) {
				rep.bad(expect, "event %d does not match the tree hashes stored with it (changed, inserted or moved)", expect)
			}
			for i < len(want) && want[i].size == t.Size() {
				if t.Root() == want[i].root {
					if want[i].source == "checkpoint" {
						rep.Checkpoints++
					}
				} else {
					rep.badCheckpoint(want[i].size, "%s root differs from the tree recomputed from the stored events", want[i].source)
				}
				i++
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.Events = t.Size() - rep.From
		for ; i < len(want); i++ {
			rep.badCheckpoint(want[i].size, "%s commits to %d events but the log has %d (rolled back or truncated)", want[i].source, want[i].size, t.Size())
			rep.bad(t.Size()+1, "events %d to %d missing (a %s commits to them)", t.Size()+1, want[i].size, want[i].source)
		}
		return nil
	})
	return rep, err
}

func storedMatch(stored []byte, hs []tlog.Hash) bool {
	if len(stored) != len(hs)*tlog.HashSize {
		return false
	}
	for j, h := range hs {
		if !bytes.Equal(stored[j*tlog.HashSize:(j+1)*tlog.HashSize], h[:]) {
			return false
		}
	}
	return true
}
