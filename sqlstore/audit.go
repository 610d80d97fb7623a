package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"slices"

	"jaga"
)

var (
	insertAuditLogTpl = &rowsTemplate{
		prefix: "INSERT INTO audit_log (seq, data, hashes, members) VALUES ",
		row:    "(?,?,?,?)", width: 4, max: 256,
	}
	insertAuditIndexTpl = &rowsTemplate{
		prefix: "INSERT INTO audit_subject_index (epoch, subject, seq, pos) VALUES ",
		row:    "(?,?,?,?)", suffix: " ON CONFLICT DO NOTHING", width: 4, max: 512,
	}
	selectAuditHashesTpl = &rowsTemplate{
		prefix: "SELECT seq, hashes FROM audit_log WHERE seq IN (",
		row:    "?", suffix: ")", width: 1, max: 64,
	}
)

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

// AppendAudit implements jaga.Tx. The head row's UPDATE … RETURNING is the lock: on
// PostgreSQL a row lock held to commit, on SQLite the database write lock.
func (t *Tx) AppendAudit(ctx context.Context, records []*jaga.AuditRecord, seal func(head jaga.AuditHead) error) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(records) == 0 {
		return nil
	}
	var h jaga.AuditHead
	if err := t.queryRow(ctx, `UPDATE audit_head SET size = size + ? WHERE id = 1 RETURNING size, checkpoint_size, indexed_size`,
		[]any{int64(len(records))}, &h.Size, &h.CheckpointSize, &h.IndexedSize); err != nil {
		return t.db.translate("lock audit head", err, "", "")
	}
	h.Size -= int64(len(records))
	if err := seal(h); err != nil {
		return err
	}
	for i, r := range records {
		if r == nil || r.Seq != h.Size+int64(i)+1 || len(r.Data) == 0 || len(r.Hashes) == 0 || len(r.Hashes)%32 != 0 {
			return jaga.Errorf(jaga.EINVALID, "audit record %d: sequence number, data or hashes not set", i)
		}
	}
	if _, err := t.execRows(ctx, insertAuditLogTpl, len(records), func(args []any, i int) []any {
		r := records[i]
		var members any
		if r.Members != nil {
			members = r.Members
		}
		return append(args, r.Seq, r.Data, r.Hashes, members)
	}); err != nil {
		return t.db.translate("append audit", err, "", "audit sequence number exists")
	}
	return nil
}

// IndexAudit implements jaga.Tx. Rows are inserted sorted by (epoch, subject, seq), so
// each index page is written once per call.
func (t *Tx) IndexAudit(ctx context.Context, upTo int64, entries []jaga.AuditIndexEntry) error {
	if err := t.mustWrite(); err != nil {
		return err
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
	if _, err := t.exec(ctx, `UPDATE audit_head SET indexed_size = ? WHERE id = 1 AND indexed_size < ? AND size >= ?`, upTo, upTo, upTo); err != nil {
		return t.db.translate("index audit", err, "", "")
	}
	return nil
}

// AuditHead implements jaga.Tx.
func (t *Tx) AuditHead(ctx context.Context) (jaga.AuditHead, error) {
	var h jaga.AuditHead
	if err := t.queryRow(ctx, `SELECT size, checkpoint_size, indexed_size FROM audit_head WHERE id = 1`, nil, &h.Size, &h.CheckpointSize, &h.IndexedSize); err != nil {
		return h, t.db.translate("read audit head", err, "", "")
	}
	return h, nil
}

// AuditHashes implements jaga.Tx.
func (t *Tx) AuditHashes(ctx context.Context, seqs []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(seqs))
	for i := 0; i < len(seqs); {
		k := t.db.chunk(selectAuditHashesTpl, len(seqs)-i)
		args := make([]any, k)
		for j := range k {
			args[j] = seqs[i+j]
		}
		rows, err := t.query(ctx, t.db.text(selectAuditHashesTpl, k), args...)
		if err != nil {
			return nil, t.db.translate("read audit hashes", err, "", "")
		}
		for rows.Next() {
			var seq int64
			var h []byte
			if err := rows.Scan(&seq, &h); err != nil {
				rows.Close()
				return nil, internal("read audit hashes", err)
			}
			out[seq] = h
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, t.db.translate("read audit hashes", err, "", "")
		}
		i += k
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
		return t.auditRecords(ctx, nil, `SELECT seq, data, hashes, members, 0 FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, f.AfterSeq, int64(limit))
	}
	k, err := subjectKey(f.Subject)
	if err != nil {
		return nil, err
	}
	h, err := t.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	var out []*jaga.AuditRecord
	for epoch := max(f.AfterSeq, 0) / jaga.AuditIndexEpoch; epoch <= (h.IndexedSize-1)/jaga.AuditIndexEpoch && len(out) < limit; epoch++ {
		if out, err = t.auditRecords(ctx, out, `SELECT l.seq, l.data, l.hashes, l.members, i.pos FROM audit_subject_index i JOIN audit_log l ON l.seq = i.seq
			WHERE i.epoch = ? AND i.subject = ? AND i.seq > ? ORDER BY i.seq LIMIT ?`, epoch, k, f.AfterSeq, int64(limit-len(out))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tx) auditRecords(ctx context.Context, out []*jaga.AuditRecord, q string, args ...any) ([]*jaga.AuditRecord, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.db.translate("read audit", err, "", "")
	}
	defer rows.Close()
	for rows.Next() {
		r := &jaga.AuditRecord{}
		var pos int64
		if err := rows.Scan(&r.Seq, &r.Data, &r.Hashes, &r.Members, &pos); err != nil {
			return nil, internal("read audit", err)
		}
		r.Pos = int(pos)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read audit", err, "", "")
	}
	return out, nil
}

// Audit filter limits (jaga.AuditFilter).
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// ScanAudit implements jaga.Tx.
func (t *Tx) ScanAudit(ctx context.Context, after int64, fn func(*jaga.AuditRecord) error) error {
	rows, err := t.query(ctx, `SELECT seq, data, hashes FROM audit_log WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return t.db.translate("read audit", err, "", "")
	}
	defer rows.Close()
	var r jaga.AuditRecord
	var data, hashes sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&r.Seq, &data, &hashes); err != nil {
			return internal("read audit", err)
		}
		r.Data, r.Hashes = data, hashes
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return t.db.translate("read audit", err, "", "")
	}
	return nil
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
			return nil, internal("read audit checkpoints", err)
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
