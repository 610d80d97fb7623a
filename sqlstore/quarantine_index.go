package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"jaga"
)

// Blind indexes of open quarantined rows (migration 0011): erasing a subject discards
// the open quarantined rows that share one of its blind indexes, whether or not they
// carry a source ID (DESIGN.md invariant 4, UU PDP Art 8, R-20). Only open rows have
// index rows: they are deleted when a row is released or discarded.

// insertQuarantineIndexes stores the blind indexes of quarantined row id.
func (t *Tx) insertQuarantineIndexes(ctx context.Context, id jaga.SubjectID, ixs []jaga.BlindIndex) error {
	ixs = sortIndexes(slices.Clone(ixs))
	for _, ix := range ixs {
		if _, err := t.exec(ctx, `INSERT INTO quarantine_indexes (quarantine_id, field, value) VALUES (?,?,?)`, string(id), ix.Field, ix.Value); err != nil {
			return t.db.translate("insert quarantine indexes", err, "", "quarantine index exists")
		}
	}
	return nil
}

// deleteQuarantineIndexes deletes the blind indexes of quarantined row id.
func (t *Tx) deleteQuarantineIndexes(ctx context.Context, id jaga.SubjectID) error {
	_, err := t.exec(ctx, `DELETE FROM quarantine_indexes WHERE quarantine_id = ?`, string(id))
	return t.db.translate("delete quarantine indexes", err, "", "")
}

// quarantineSharingIndexes returns the open quarantined rows that share a blind index
// with subject (its own copy in subjects.indexes, which EraseSubject also reads: the
// e-mails and phones of rows merged into it included), sorted, without duplicates.
func (t *Tx) quarantineSharingIndexes(ctx context.Context, subject jaga.SubjectID) ([]jaga.SubjectID, error) {
	var blob []byte
	err := t.queryRow(ctx, `SELECT indexes FROM subjects WHERE id = ?`, []any{string(subject)}, &blob)
	if err == sql.ErrNoRows {
		return nil, nil // not (or no longer) a subject: EraseSubject says so
	} else if err != nil {
		return nil, t.db.translate("read subject indexes", err, "", "")
	}
	indexes, err := DecodeIndexes(blob)
	if err != nil {
		return nil, t.internal("read subject indexes", err)
	}
	var ids []jaga.SubjectID
	for _, ix := range indexes {
		found, err := t.subjectIDs(ctx, "find quarantined rows by index", `SELECT i.quarantine_id FROM quarantine_indexes i
			JOIN quarantine q ON q.id = i.quarantine_id WHERE i.field = ? AND i.value = ? AND q.status = 'open'`, ix.Field, ix.Value)
		if err != nil {
			return nil, err
		}
		ids = append(ids, found...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// UnindexedQuarantine implements jaga.Tx.
func (t *Tx) UnindexedQuarantine(ctx context.Context, after jaga.SubjectID, limit int) ([]jaga.SubjectID, error) {
	if limit <= 0 {
		limit = 100
	}
	return t.subjectIDs(ctx, "list unindexed quarantine", `SELECT id FROM quarantine WHERE status = 'open' AND indexed_at IS NULL AND id > ? ORDER BY id LIMIT ?`, string(after), limit)
}

// SetQuarantineIndexes implements jaga.Tx.
func (t *Tx) SetQuarantineIndexes(ctx context.Context, id jaga.SubjectID, indexes []jaga.BlindIndex) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkIndexes(indexes); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE quarantine SET indexed_at = ? WHERE id = ? AND status = 'open'`, TimeValue(t.now), string(id))
	if err := t.affectedOne("set quarantine indexes", res, err, "no open quarantined row with that id"); err != nil {
		return err
	}
	if err := t.deleteQuarantineIndexes(ctx, id); err != nil {
		return err
	}
	return t.insertQuarantineIndexes(ctx, id, indexes)
}
