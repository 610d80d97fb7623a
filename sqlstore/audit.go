package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"slices"

	"jaga"
)

var (
	insertAuditIndexTpl = &rowsTemplate{
		prefix: "INSERT INTO audit_subject_index (epoch, subject, seq, pos) VALUES ",
		row:    "(?,?,?,?)", suffix: " ON CONFLICT DO NOTHING", width: 4, max: 512,
	}
	insertAuditMembersTpl = &rowsTemplate{
		prefix: "INSERT INTO audit_members (seq, members) VALUES ",
		row:    "(?,?)", width: 2, max: 64,
	}
)

// storedHashCount is how many hashes the log stores with leaf i: the leaf's own and one
// per subtree it completes (tlog.StoredHashes).
func storedHashCount(i int64) int { return 1 + bits.TrailingZeros64(^uint64(i)) }

// subjectKey is the 16-byte index key of a subject ID (its 32 hex digits).
func subjectKey(id jaga.SubjectID) ([]byte, error) {
	if !id.Valid() {
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "subject", Message: "audit index entry needs a subject ID"}
	}
	return hex.DecodeString(string(id)[len(jaga.SubjectIDPrefix):])
}

type auditIndexRow struct {
	epoch   int64
	subject []byte
	seq     int64
	pos     int
}

// AppendAudit implements jaga.Tx. It takes the dialect's audit lock (SQLite: the
// write transaction already holds it), reads the head and the last row, and writes the
// batch as one audit_log row with the tree's new edge (and one audit_members row per
// bulk event): one page of the log per batch, no other page.
func (t *Tx) AppendAudit(ctx context.Context, records []*jaga.AuditRecord, seal func(head jaga.AuditHead) ([]byte, error)) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(records) == 0 {
		return nil
	}
	if err := t.LockAudit(ctx); err != nil {
		return err
	}
	h, err := t.AuditHead(ctx)
	if err != nil {
		return err
	}
	edge, err := seal(h)
	if err != nil {
		return err
	}
	size := 0
	for _, r := range records {
		size += len(r.Data) + binary.MaxVarintLen32 + len(r.Hashes)
	}
	buf := make([]byte, 0, size)
	var members []*jaga.AuditRecord
	for i, r := range records {
		if r == nil || r.Seq != h.Size+int64(i)+1 || len(r.Data) == 0 || len(r.Hashes) != storedHashCount(r.Seq-1)*hashSize {
			return jaga.Errorf(jaga.EINVALID, "audit record %d: sequence number, data or hashes not set", i)
		}
		buf = binary.AppendUvarint(buf, uint64(len(r.Data)))
		buf = append(buf, r.Data...)
		if r.Members != nil {
			members = append(members, r)
		}
	}
	data := buf[:len(buf):len(buf)]
	for _, r := range records {
		buf = append(buf, r.Hashes...)
	}
	hashes := buf[len(data):]
	if _, err := t.exec(ctx, `INSERT INTO audit_log (first_seq, n, data, hashes, edge) VALUES (?, ?, ?, ?, ?)`,
		records[0].Seq, int64(len(records)), data, hashes, nonNil(edge)); err != nil {
		return t.db.translate("append audit", err, "", "audit sequence number exists")
	}
	if len(members) > 0 {
		if _, err := t.execRows(ctx, insertAuditMembersTpl, len(members), func(args []any, i int) []any {
			return append(args, members[i].Seq, members[i].Members)
		}); err != nil {
			return t.db.translate("append audit members", err, "", "")
		}
	}
	return nil
}

const hashSize = 32

// splitBatch calls fn with each event of an audit_log row, in order. A row whose
// framing was damaged (by hand, in the database) still yields what it holds: an
// unreadable rest becomes one last event, hashes that run short leave events with
// fewer; verification then names them. fn returns false to stop.
func splitBatch(first int64, data, hashes []byte, fn func(seq int64, data, hashes []byte) bool) {
	for seq := first; len(data) > 0; seq++ {
		n, k := binary.Uvarint(data)
		var d []byte
		if k <= 0 || n > uint64(len(data)-k) {
			d, data = data, nil
		} else {
			d, data = data[k:k+int(n)], data[k+int(n):]
		}
		c := min(storedHashCount(seq-1)*hashSize, len(hashes))
		h := hashes[:c]
		hashes = hashes[c:]
		if len(data) == 0 && len(hashes) > 0 {
			h = append(h[:len(h):len(h)], hashes...) // surplus hashes stay visible
		}
		if !fn(seq, d, h) {
			return
		}
	}
}

// IndexAudit implements jaga.Tx. Rows are inserted sorted by (epoch, subject, seq), so
// each index page is written once per call.
func (t *Tx) IndexAudit(ctx context.Context, upTo int64, entries []jaga.AuditIndexEntry) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if h, err := t.AuditHead(ctx); err != nil {
		return err
	} else if upTo > h.Size {
		return jaga.Errorf(jaga.EINVALID, "audit index up to %d beyond the log's %d events", upTo, h.Size)
	}
	rows := make([]auditIndexRow, 0, len(entries))
	for _, e := range entries {
		k, err := subjectKey(e.Subject)
		if err != nil {
			return err
		}
		if e.Seq < 1 || e.Seq > upTo {
			return jaga.Errorf(jaga.EINVALID, "audit index entry for event %d beyond %d", e.Seq, upTo)
		}
		rows = append(rows, auditIndexRow{(e.Seq - 1) / jaga.AuditIndexEpoch, k, e.Seq, e.Pos})
	}
	slices.SortFunc(rows, func(a, b auditIndexRow) int {
		return cmp.Or(cmp.Compare(a.epoch, b.epoch), bytes.Compare(a.subject, b.subject), cmp.Compare(a.seq, b.seq))
	})
	if _, err := t.execRows(ctx, insertAuditIndexTpl, len(rows), func(args []any, i int) []any {
		return append(args, rows[i].epoch, rows[i].subject, rows[i].seq, int64(rows[i].pos))
	}); err != nil {
		return t.db.translate("index audit", err, "", "")
	}
	if _, err := t.exec(ctx, `UPDATE audit_head SET indexed_size = ? WHERE id = 1 AND indexed_size < ?`, upTo, upTo); err != nil {
		return t.db.translate("index audit", err, "", "")
	}
	return nil
}

// AuditHead implements jaga.Tx: the size and edge come from the last audit_log row.
func (t *Tx) AuditHead(ctx context.Context) (jaga.AuditHead, error) {
	var h jaga.AuditHead
	var first, n sql.NullInt64
	if err := t.queryRow(ctx, `SELECT h.checkpoint_size, h.indexed_size, l.first_seq, l.n, l.edge FROM audit_head h
		LEFT JOIN (SELECT first_seq, n, edge FROM audit_log ORDER BY first_seq DESC LIMIT 1) l ON 1 = 1 WHERE h.id = 1`,
		nil, &h.CheckpointSize, &h.IndexedSize, &first, &n, &h.Edge); err != nil {
		return h, t.db.translate("read audit head", err, "", "")
	}
	if first.Valid {
		h.Size = first.Int64 + n.Int64 - 1
	}
	return h, nil
}

// AuditHashes implements jaga.Tx: one look-up of the containing row per distinct batch.
func (t *Tx) AuditHashes(ctx context.Context, seqs []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(seqs))
	want := make(map[int64]bool, len(seqs))
	for _, s := range seqs {
		want[s] = true
	}
	for _, s := range seqs {
		if _, ok := out[s]; ok {
			continue
		}
		var first int64
		var data, hashes []byte
		err := t.queryRow(ctx, `SELECT first_seq, data, hashes FROM audit_log WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`, []any{s}, &first, &data, &hashes)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return nil, t.db.translate("read audit hashes", err, "", "")
		}
		splitBatch(first, data, hashes, func(seq int64, _, h []byte) bool {
			if want[seq] {
				out[seq] = h
			}
			return true
		})
	}
	return out, nil
}

// AuditRecords implements jaga.Tx. A subject's records are found with one index seek
// per epoch, from the epoch of f.AfterSeq to the last indexed one.
func (t *Tx) AuditRecords(ctx context.Context, f jaga.AuditFilter) ([]*jaga.AuditRecord, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	} else if limit > maxAuditLimit {
		limit = maxAuditLimit
	}
	if f.Subject == "" {
		var out []*jaga.AuditRecord
		err := t.scanAudit(ctx, f.AfterSeq, func(seq int64, data, hashes []byte) bool {
			out = append(out, &jaga.AuditRecord{Seq: seq, Data: slices.Clone(data), Hashes: slices.Clone(hashes)})
			return len(out) < limit
		})
		if err != nil {
			return nil, err
		}
		return out, t.addMembers(ctx, out)
	}
	k, err := subjectKey(f.Subject)
	if err != nil {
		return nil, err
	}
	h, err := t.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	var hits []jaga.AuditIndexEntry
	for epoch := max(f.AfterSeq, 0) / jaga.AuditIndexEpoch; epoch <= (h.IndexedSize-1)/jaga.AuditIndexEpoch && len(hits) < limit; epoch++ {
		rows, err := t.query(ctx, `SELECT seq, pos FROM audit_subject_index WHERE epoch = ? AND subject = ? AND seq > ? ORDER BY seq LIMIT ?`,
			epoch, k, f.AfterSeq, int64(limit-len(hits)))
		if err != nil {
			return nil, t.db.translate("read audit index", err, "", "")
		}
		for rows.Next() {
			var e jaga.AuditIndexEntry
			var pos int64
			if err := rows.Scan(&e.Seq, &pos); err != nil {
				rows.Close()
				return nil, t.internal("read audit index", err)
			}
			e.Pos = int(pos)
			hits = append(hits, e)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, t.db.translate("read audit index", err, "", "")
		}
	}
	out := make([]*jaga.AuditRecord, 0, len(hits))
	for _, e := range hits {
		r := &jaga.AuditRecord{Seq: e.Seq, Pos: e.Pos}
		var first int64
		var data, hashes []byte
		err := t.queryRow(ctx, `SELECT first_seq, data, hashes FROM audit_log WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`, []any{e.Seq}, &first, &data, &hashes)
		if err != nil && err != sql.ErrNoRows {
			return nil, t.db.translate("read audit", err, "", "")
		}
		splitBatch(first, data, hashes, func(seq int64, d, h []byte) bool {
			if seq == e.Seq {
				r.Data, r.Hashes = d, h
			}
			return seq < e.Seq
		})
		if r.Data != nil {
			out = append(out, r)
		}
	}
	return out, t.addMembers(ctx, out)
}

// addMembers sets the Members of the bulk events among recs.
func (t *Tx) addMembers(ctx context.Context, recs []*jaga.AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	bySeq := make(map[int64]*jaga.AuditRecord, len(recs))
	lo, hi := recs[0].Seq, recs[0].Seq
	for _, r := range recs {
		bySeq[r.Seq] = r
		lo, hi = min(lo, r.Seq), max(hi, r.Seq)
	}
	rows, err := t.query(ctx, `SELECT seq, members FROM audit_members WHERE seq >= ? AND seq <= ?`, lo, hi)
	if err != nil {
		return t.db.translate("read audit members", err, "", "")
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var m []byte
		if err := rows.Scan(&seq, &m); err != nil {
			return t.internal("read audit members", err)
		}
		if r := bySeq[seq]; r != nil {
			r.Members = m
		}
	}
	if err := rows.Err(); err != nil {
		return t.db.translate("read audit members", err, "", "")
	}
	return nil
}

// scanAudit calls fn with each event after seq `after` in order, from the row holding
// after+1 on, until fn returns false. The slices fn gets are valid during the call.
func (t *Tx) scanAudit(ctx context.Context, after int64, fn func(seq int64, data, hashes []byte) bool) error {
	var start int64
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(first_seq), 0) FROM audit_log WHERE first_seq <= ?`, []any{after + 1}, &start)
	if err != nil {
		return t.db.translate("read audit", err, "", "")
	}
	rows, err := t.query(ctx, `SELECT first_seq, data, hashes FROM audit_log WHERE first_seq >= ? ORDER BY first_seq`, start)
	if err != nil {
		return t.db.translate("read audit", err, "", "")
	}
	defer rows.Close()
	var data, hashes sql.RawBytes
	more := true
	for more && rows.Next() {
		var first int64
		if err := rows.Scan(&first, &data, &hashes); err != nil {
			return t.internal("read audit", err)
		}
		splitBatch(first, data, hashes, func(seq int64, d, h []byte) bool {
			if seq <= after {
				return true
			}
			more = fn(seq, d, h)
			return more
		})
	}
	if err := rows.Err(); err != nil {
		return t.db.translate("read audit", err, "", "")
	}
	return nil
}

// Audit filter limits (jaga.AuditFilter).
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// ScanAudit implements jaga.Tx.
func (t *Tx) ScanAudit(ctx context.Context, after int64, fn func(*jaga.AuditRecord) error) error {
	var r jaga.AuditRecord
	var ferr error
	err := t.scanAudit(ctx, after, func(seq int64, data, hashes []byte) bool {
		r.Seq, r.Data, r.Hashes = seq, data, hashes
		ferr = fn(&r)
		return ferr == nil
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// InsertAuditCheckpoint implements jaga.Tx.
func (t *Tx) InsertAuditCheckpoint(ctx context.Context, cp *jaga.AuditCheckpoint) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if cp == nil || cp.Size <= 0 || len(cp.Note) == 0 {
		return jaga.Errorf(jaga.EINVALID, "audit checkpoint needs a size and a note")
	}
	t.stamp(&cp.Time)
	if _, err := t.exec(ctx, `INSERT INTO audit_checkpoints (size, time, note) VALUES (?, ?, ?)`, cp.Size, TimeValue(cp.Time), cp.Note); err != nil {
		return t.db.translate("insert audit checkpoint", err, "", "audit checkpoint of this size exists")
	}
	if _, err := t.exec(ctx, `UPDATE audit_head SET checkpoint_size = ? WHERE id = 1 AND checkpoint_size < ?`, cp.Size, cp.Size); err != nil {
		return t.db.translate("update audit head", err, "", "")
	}
	return nil
}

const checkpointColumns = `size, time, note`

func (t *Tx) checkpoints(ctx context.Context, q string, args ...any) ([]*jaga.AuditCheckpoint, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.db.translate("read audit checkpoints", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.AuditCheckpoint
	for rows.Next() {
		cp := &jaga.AuditCheckpoint{}
		if err := rows.Scan(&cp.Size, Time{&cp.Time}, &cp.Note); err != nil {
			return nil, t.internal("read audit checkpoints", err)
		}
		out = append(out, cp)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read audit checkpoints", err, "", "")
	}
	return out, nil
}

// AuditCheckpoints implements jaga.Tx.
func (t *Tx) AuditCheckpoints(ctx context.Context, after int64, limit int) ([]*jaga.AuditCheckpoint, error) {
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	return t.checkpoints(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints WHERE size > ? ORDER BY size LIMIT ?`, after, int64(limit))
}

// LatestAuditCheckpoint implements jaga.Tx.
func (t *Tx) LatestAuditCheckpoint(ctx context.Context) (*jaga.AuditCheckpoint, error) {
	cps, err := t.checkpoints(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY size DESC LIMIT 1`)
	if err != nil || len(cps) == 0 {
		return nil, err
	}
	return cps[0], nil
}
