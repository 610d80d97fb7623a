package auditlog

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
)

// Config configures a Log. Signer is required.
type Config struct {
	// Signer is the controller's Ed25519 audit key (seal: Keyring.AuditSigner).
	Signer KeySigner
	// Origin names the log in its checkpoints and the key; default DefaultOrigin.
	Origin string
	// Every is how many events at most go without a checkpoint (default 1000): an append
	// that brings the log that far past its last checkpoint signs one in the same
	// transaction.
	Every int64
	// Interval is how often the background loop (Run) signs a checkpoint when events
	// came since the last one, and copies the latest checkpoint to the witnesses;
	// default 10s.
	Interval time.Duration
	// IndexEvery is how many events the per-subject index may lag behind the log before
	// an append indexes them (default 4096): indexing thousands at once writes each page
	// of the index's current epoch once instead of one page per event. Look-ups read the
	// unindexed events from the log.
	IndexEvery int64
	// Witnesses receive every new checkpoint (a file, an HTTP endpoint), so that a
	// rollback of the whole database is detectable against a copy held elsewhere.
	Witnesses []Witness
	// Logger gets witness failures (no values ever reach it).
	Logger *slog.Logger
}

// Log appends to, checkpoints and proves the audit log of one store. It is safe for
// concurrent use; it keeps no state another node needs (the tree lives in the store).
type Log struct {
	signer    *NoteSigner
	origin    string
	every     int64
	index     int64
	interval  time.Duration
	witnesses []Witness
	log       *slog.Logger

	mu        sync.Mutex
	witnessed int64 // size of the last checkpoint handed to every witness
}

// New checks cfg and returns a Log.
func New(cfg Config) (*Log, error) {
	if cfg.Signer == nil {
		return nil, fmt.Errorf("auditlog: a signer is required")
	}
	if cfg.Origin == "" {
		cfg.Origin = DefaultOrigin(cfg.Signer.PublicKey())
	}
	if cfg.Every <= 0 {
		cfg.Every = 1000
	}
	if cfg.IndexEvery <= 0 {
		cfg.IndexEvery = 4096
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := NewNoteSigner(cfg.Origin, cfg.Signer)
	if err != nil {
		return nil, err
	}
	return &Log{signer: s, origin: cfg.Origin, every: cfg.Every, index: cfg.IndexEvery, interval: cfg.Interval, witnesses: cfg.Witnesses, log: cfg.Logger}, nil
}

// Origin returns the log's origin line.
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the checkpoint verifier key in note format.
func (l *Log) VerifierKey() string { return l.signer.VerifierKey() }

// StoredIndex returns the stored-hash index of leaf n's own hash (tlog.StoredHashIndex).
func StoredIndex(n int64) int64 { return tlog.StoredHashIndex(0, n) }

// Record encodes ev as the store keeps it: the encoding and, for a bulk event, the
// members in tree order. Hashes and Seq are set by Append.
func Record(ev *jaga.AuditEvent) (*jaga.AuditRecord, error) {
	data, err := Encode(ev)
	if err != nil {
		return nil, err
	}
	r := &jaga.AuditRecord{Data: data}
	if ev.SubjectRoot != nil {
		r.Members = make([]byte, 0, 16*len(ev.Subjects))
		for _, s := range ev.Subjects {
			k, err := SubjectKey(s)
			if err != nil {
				return nil, err
			}
			r.Members = append(r.Members, k[:]...)
		}
	}
	return r, nil
}

// Append encodes events and appends them in tx through one AppendAudit call: under the
// store's lock it reads the tree's right edge at the current size, hashes the whole
// batch once, and — when the log is Every events past its last checkpoint — signs and
// stores a checkpoint in the same transaction; when the subject index lags IndexEvery
// events behind, or the batch holds a bulk event, it indexes them too. It sets each
// event's Seq.
func (l *Log) Append(ctx context.Context, tx jaga.Tx, events []*jaga.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	recs := make([]*jaga.AuditRecord, len(events))
	bulk := false
	for i, ev := range events {
		ev.Time = ev.Time.UTC().Truncate(time.Microsecond)
		r, err := Record(ev)
		if err != nil {
			return fmt.Errorf("audit event %d: %w", i, err)
		}
		recs[i] = r
		bulk = bulk || r.Members != nil
	}
	var root tlog.Hash
	var head jaga.AuditHead
	err := tx.AppendAudit(ctx, recs, func(h jaga.AuditHead) ([]byte, error) {
		head = h
		var t Tree
		if err := t.loadEdge(h.Size, h.Edge); err != nil {
			return nil, err
		}
		var hs []tlog.Hash
		for i, r := range recs {
			hs = t.Append(hs[:0], tlog.RecordHash(r.Data))
			r.Seq = h.Size + int64(i) + 1
			r.Hashes = make([]byte, 0, len(hs)*tlog.HashSize)
			for _, h := range hs {
				r.Hashes = append(r.Hashes, h[:]...)
			}
			events[i].Seq = r.Seq
		}
		root = t.Root()
		return t.EdgeBytes(), nil
	})
	if err != nil {
		return err
	}
	size := head.Size + int64(len(recs))
	if size-head.CheckpointSize >= l.every {
		if err := l.insertCheckpoint(ctx, tx, Checkpoint{Origin: l.origin, Size: size, Root: root}); err != nil {
			return err
		}
	}
	// A bulk event (thousands of subjects, sorted) is indexed at once: its entries are
	// many but land on consecutive pages, and its subjects' histories need no long scan.
	if bulk || size-head.IndexedSize >= l.index {
		return indexTo(ctx, tx, head.IndexedSize, size)
	}
	return nil
}

// indexTo adds the per-subject index entries of events (from, to] in one call.
func indexTo(ctx context.Context, tx jaga.Tx, from, to int64) error {
	var entries []jaga.AuditIndexEntry
	for after := from; after < to; {
		page, err := tx.AuditRecords(ctx, jaga.AuditFilter{AfterSeq: after, Limit: 1000})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if r.Seq > to {
				break
			}
			subs, err := recordSubjects(r)
			if err != nil {
				return fmt.Errorf("index audit event %d: %w", r.Seq, err)
			}
			seen := make(map[jaga.SubjectID]bool, len(subs))
			for pos, s := range subs {
				if !seen[s] {
					seen[s] = true
					entries = append(entries, jaga.AuditIndexEntry{Subject: s, Seq: r.Seq, Pos: pos})
				}
			}
			after = r.Seq
		}
	}
	return tx.IndexAudit(ctx, to, entries)
}

// recordSubjects returns the subjects a record names, in position order.
func recordSubjects(r *jaga.AuditRecord) ([]jaga.SubjectID, error) {
	subs, bulk, err := inlineSubjects(r.Data)
	if bulk {
		return Members(r), err
	}
	return subs, err
}

// SubjectRecords returns up to limit records naming subject after sequence number
// after: those the per-subject index lists, then the not yet indexed ones read from the
// log (at most IndexEvery and a batch). Pos is the subject's position in each.
func SubjectRecords(ctx context.Context, tx jaga.Tx, subject jaga.SubjectID, after int64, limit int) ([]*jaga.AuditRecord, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	head, err := tx.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	out, err := tx.AuditRecords(ctx, jaga.AuditFilter{Subject: subject, AfterSeq: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	for tail := max(after, head.IndexedSize); len(out) < limit; {
		page, err := tx.AuditRecords(ctx, jaga.AuditFilter{AfterSeq: tail, Limit: 1000})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			tail = r.Seq
			subs, err := recordSubjects(r)
			if err != nil {
				return nil, fmt.Errorf("audit event %d: %w", r.Seq, err)
			}
			if pos := slices.Index(subs, subject); pos >= 0 && len(out) < limit {
				r.Pos = pos
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func (l *Log) insertCheckpoint(ctx context.Context, tx jaga.Tx, c Checkpoint) error {
	msg, err := SignCheckpoint(c, l.signer)
	if err != nil {
		return fmt.Errorf("sign checkpoint: %w", err)
	}
	return tx.InsertAuditCheckpoint(ctx, &jaga.AuditCheckpoint{Size: c.Size, Note: msg})
}

// Checkpoint signs and stores a checkpoint of the log's current size in its own
// transaction, unless one of that size exists (or the log is empty), and returns the
// latest checkpoint (nil for an empty log).
func (l *Log) Checkpoint(ctx context.Context, st jaga.Store) (*jaga.AuditCheckpoint, error) {
	var latest *jaga.AuditCheckpoint
	err := st.Update(ctx, func(tx jaga.Tx) error {
		head, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if head.Size > head.CheckpointSize {
			var t Tree
			if err := t.loadEdge(head.Size, head.Edge); err != nil {
				return err
			}
			if err := l.insertCheckpoint(ctx, tx, Checkpoint{Origin: l.origin, Size: head.Size, Root: t.Root()}); err != nil {
				return err
			}
		}
		latest, err = tx.LatestAuditCheckpoint(ctx)
		return err
	})
	return latest, err
}

// Run signs a checkpoint every Interval when events came, and hands each new latest
// checkpoint to the witnesses, until ctx ends (the gate signs the last one on Close).
// Failures are logged and retried next tick.
func (l *Log) Run(ctx context.Context, st jaga.Store) {
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := l.CheckpointAndWitness(ctx, st); err != nil && ctx.Err() == nil {
				l.log.Warn("audit checkpoint", "err", err)
			}
		}
	}
}

// CheckpointAndWitness runs Checkpoint and gives a checkpoint newer than the last one
// witnessed to every witness.
func (l *Log) CheckpointAndWitness(ctx context.Context, st jaga.Store) error {
	cp, err := l.Checkpoint(ctx, st)
	if err != nil || cp == nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if cp.Size <= l.witnessed {
		return nil
	}
	var errs []error
	for _, w := range l.witnesses {
		if err := w.Witness(ctx, cp.Note); err != nil {
			errs = append(errs, fmt.Errorf("witness %s: %w", w, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	l.witnessed = cp.Size
	return nil
}

// reader is a tlog.HashReader over the stored hashes of the log in tx.
func (l *Log) reader(ctx context.Context, tx jaga.Tx) tlog.HashReader {
	return storeReader{ctx: ctx, tx: tx}
}

type storeReader struct {
	ctx context.Context
	tx  jaga.Tx
}

// ReadHashes reads the stored hashes at the given stored-hash indexes from the
// records that hold them (tlog.HashReader).
func (r storeReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	seqs := make([]int64, 0, len(indexes))
	for _, i := range indexes {
		leaf, _ := recordOf(i)
		seqs = append(seqs, leaf+1)
	}
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	got, err := r.tx.AuditHashes(r.ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for j, i := range indexes {
		leaf, off := recordOf(i)
		hs := got[leaf+1]
		if len(hs) < (off+1)*tlog.HashSize {
			return nil, fmt.Errorf("auditlog: stored hashes of event %d missing or short", leaf+1)
		}
		copy(out[j][:], hs[off*tlog.HashSize:])
	}
	return out, nil
}

// InclusionProof proves event seq (leaf seq-1) in the tree of size `size`, from the
// stored hashes.
func (l *Log) InclusionProof(ctx context.Context, tx jaga.Tx, seq, size int64) (tlog.RecordProof, error) {
	if seq < 1 || seq > size {
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "seq", Message: fmt.Sprintf("event %d is not in a tree of size %d", seq, size)}
	}
	return tlog.ProveRecord(size, seq-1, l.reader(ctx, tx))
}

// ConsistencyProof proves that the tree of size from is a prefix of the tree of size to.
func (l *Log) ConsistencyProof(ctx context.Context, tx jaga.Tx, from, to int64) (tlog.TreeProof, error) {
	if from < 1 || from > to {
		return nil, jaga.FieldError("from", "from must be between 1 and to")
	}
	return tlog.ProveTree(to, from, l.reader(ctx, tx))
}

// TreeHash returns the root of the stored tree of size n (n at most the log's size).
func (l *Log) TreeHash(ctx context.Context, tx jaga.Tx, n int64) (tlog.Hash, error) {
	var t Tree
	err := t.load(n, l.reader(ctx, tx))
	return t.Root(), err
}

// Members returns the subject IDs of a bulk record in tree order.
func Members(r *jaga.AuditRecord) []jaga.SubjectID {
	out := make([]jaga.SubjectID, 0, len(r.Members)/16)
	for i := 0; i+16 <= len(r.Members); i += 16 {
		out = append(out, jaga.SubjectID(jaga.SubjectIDPrefix+fmt.Sprintf("%x", r.Members[i:i+16])))
	}
	return out
}

// Event decodes a stored record into an event with its Seq; a bulk event gets its
// Subjects from the members.
func Event(r *jaga.AuditRecord) (*jaga.AuditEvent, error) {
	ev, err := Decode(r.Data)
	if err != nil {
		return nil, fmt.Errorf("audit event %d: %w", r.Seq, err)
	}
	ev.Seq = r.Seq
	if ev.SubjectRoot != nil && len(r.Members) > 0 {
		ev.Subjects = Members(r)
	}
	return ev, nil
}

// Tail calls fn with every event after sequence number after, in order, then with each
// new one, polling every interval (default 1s) until ctx ends (nil is returned then) or
// fn fails.
func Tail(ctx context.Context, st jaga.Store, after int64, interval time.Duration, fn func(*jaga.AuditEvent) error) error {
	if interval <= 0 {
		interval = time.Second
	}
	for {
		var page []*jaga.AuditRecord
		err := st.View(ctx, func(tx jaga.Tx) error {
			var err error
			page, err = tx.AuditRecords(ctx, jaga.AuditFilter{AfterSeq: after, Limit: 1000})
			return err
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		for _, r := range page {
			ev, err := Event(r)
			if err != nil {
				return err
			}
			if err := fn(ev); err != nil {
				return err
			}
			after = r.Seq
		}
		if len(page) == 1000 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}
