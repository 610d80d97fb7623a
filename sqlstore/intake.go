package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"jaga"
)

// Store methods of intake (issue 4): blind-index look-ups in bulk, quarantine, merge
// records, review flags and pending double opt-in sign-ups.

var selectIndexesTpl = &rowsTemplate{
	prefix: "SELECT value, subject_id FROM blind_indexes WHERE field = ? AND value IN (",
	row:    "?", suffix: ") ORDER BY subject_id", width: 1, max: 512,
}

// FindByIndexes returns the live subjects having each value as blind index for field,
// oldest first, keyed by string(value); values nobody has are absent.
func (t *Tx) FindByIndexes(ctx context.Context, field string, values [][]byte) (map[string][]jaga.SubjectID, error) {
	out := make(map[string][]jaga.SubjectID)
	err := t.lookupKeys(ctx, "find by indexes", selectIndexesTpl, []any{field}, values, func(v []byte, id string) {
		out[string(v)] = append(out[string(v)], jaga.SubjectID(id))
	})
	return out, err
}

// InsertImportKeys maps import keys to subjects (rows merged into existing subjects),
// each with the version of its row when contents has one.
func (t *Tx) InsertImportKeys(ctx context.Context, keys [][]byte, subjects []jaga.SubjectID, contents [][]byte) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(keys) != len(subjects) || (contents != nil && len(contents) != len(keys)) {
		return jaga.Errorf(jaga.EINVALID, "import keys, subjects and contents differ in number")
	}
	if _, err := t.execRows(ctx, insertImportKeysTpl, len(keys), func(args []any, i int) []any {
		var c []byte
		if contents != nil {
			c = contents[i]
		}
		return append(args, keys[i], string(subjects[i]), nilIfEmpty(c))
	}); err != nil {
		return t.db.translate("insert import keys", err, "", "import key exists")
	}
	return nil
}

// DeleteImportKey removes one import key.
func (t *Tx) DeleteImportKey(ctx context.Context, key []byte) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM import_keys WHERE key = ?`, key)
	return t.db.translate("delete import key", err, "", "")
}

// InsertQuarantine stores quarantined rows.
func (t *Tx) InsertQuarantine(ctx context.Context, rows []*jaga.QuarantinedRow) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, r := range rows {
		if !r.ID.Valid() || len(r.RowKey) == 0 {
			return jaga.Errorf(jaga.EINVALID, "quarantined row needs an id and a row key")
		}
		reasons, err := json.Marshal(r.Reasons)
		if err != nil {
			return t.internal("insert quarantine", err)
		}
		t.stamp(&r.CreatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
		if r.Status == "" {
			r.Status = jaga.QuarantineOpen
		}
		if err := checkIndexes(r.Indexes); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO quarantine (id, row_key, source_key, file, line, reasons, wrapped_dek, sealed, status, subject_id, created_at, updated_at, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			string(r.ID), r.RowKey, nonNil(r.SourceKey), r.File, r.Line, string(reasons), nonNil(r.WrappedDEK), nonNil(r.Sealed), string(r.Status), string(r.Subject),
			TimeValue(r.CreatedAt), TimeValue(r.UpdatedAt), TimeValue(t.now)); err != nil {
			return t.db.translate("insert quarantine", err, "", "row already quarantined")
		}
		if r.Status == jaga.QuarantineOpen {
			if err := t.insertQuarantineIndexes(ctx, r.ID, r.Indexes); err != nil {
				return err
			}
		}
	}
	return nil
}

var selectQuarantineKeysTpl = &rowsTemplate{
	prefix: "SELECT row_key, id FROM quarantine WHERE row_key IN (",
	row:    "?", suffix: ")", width: 1, max: 512,
}

// QuarantineKeys returns the quarantine IDs of the given row keys that are quarantined.
func (t *Tx) QuarantineKeys(ctx context.Context, keys [][]byte) (map[string]jaga.SubjectID, error) {
	out := make(map[string]jaga.SubjectID)
	err := t.lookupKeys(ctx, "read quarantine keys", selectQuarantineKeysTpl, nil, keys, func(key []byte, id string) {
		out[string(key)] = jaga.SubjectID(id)
	})
	return out, err
}

const quarantineColumns = `id, row_key, file, line, reasons, status, subject_id, created_at, updated_at`

func scanQuarantine(sc interface{ Scan(...any) error }, extra ...any) (*jaga.QuarantinedRow, error) {
	var (
		r                           jaga.QuarantinedRow
		id, reasons, status, subjID string
	)
	dest := append([]any{&id, &r.RowKey, &r.File, &r.Line, &reasons, &status, &subjID, Time{&r.CreatedAt}, Time{&r.UpdatedAt}}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	r.ID, r.Status, r.Subject = jaga.SubjectID(id), jaga.QuarantineStatus(status), jaga.SubjectID(subjID)
	if err := json.Unmarshal([]byte(reasons), &r.Reasons); err != nil {
		return nil, err
	}
	return &r, nil
}

// Quarantined lists quarantined rows without their sealed values.
func (t *Tx) Quarantined(ctx context.Context, f jaga.QuarantineFilter) ([]*jaga.QuarantinedRow, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `SELECT ` + quarantineColumns + ` FROM quarantine WHERE id > ?`
	args := []any{string(f.After)}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.db.translate("list quarantine", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.QuarantinedRow
	for rows.Next() {
		r, err := scanQuarantine(rows)
		if err != nil {
			return nil, t.internal("list quarantine", err)
		}
		out = append(out, r)
	}
	return out, t.db.translate("list quarantine", rows.Err(), "", "")
}

// QuarantinedRow returns one quarantined row with its sealed values.
func (t *Tx) QuarantinedRow(ctx context.Context, id jaga.SubjectID) (*jaga.QuarantinedRow, error) {
	s, err := t.stmt(ctx, t.db.bind(`SELECT `+quarantineColumns+`, wrapped_dek, sealed FROM quarantine WHERE id = ?`))
	if err != nil {
		return nil, t.db.translate("read quarantine", err, "", "")
	}
	var dek, sealed []byte
	r, err := scanQuarantine(s.QueryRowContext(ctx, string(id)), &dek, &sealed)
	if err == sql.ErrNoRows {
		return nil, &jaga.Error{Code: jaga.ENOTFOUND, Message: "quarantined row not found"}
	} else if err != nil {
		return nil, t.db.translate("read quarantine", err, "quarantined row not found", "")
	}
	r.WrappedDEK, r.Sealed = dek, sealed
	return r, nil
}

// DiscardQuarantinedOf implements jaga.Tx. The subject's source keys are its own
// import key and every key import_keys maps to it (rows merged into it; an unmerge
// moves a row's key to the subject it split off) plus the row keys of its merges not
// undone. Its blind indexes are the ones it holds in subjects.indexes (migration 0011).
func (t *Tx) DiscardQuarantinedOf(ctx context.Context, subject jaga.SubjectID) ([]jaga.SubjectID, error) {
	if err := t.mustWrite(); err != nil {
		return nil, err
	}
	byIndex, err := t.quarantineSharingIndexes(ctx, subject)
	if err != nil {
		return nil, err
	}
	bySource, err := t.subjectIDs(ctx, "find quarantined rows of subject", `SELECT id FROM quarantine WHERE status = 'open' AND source_key IN (
		SELECT import_key FROM subjects WHERE id = ? AND import_key IS NOT NULL
		UNION SELECT key FROM import_keys WHERE subject_id = ?
		UNION SELECT row_key FROM merges WHERE subject_id = ? AND undone_at IS NULL) ORDER BY id`,
		string(subject), string(subject), string(subject))
	if err != nil {
		return nil, err
	}
	ids := append(bySource, byIndex...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		res, err := t.exec(ctx, `UPDATE quarantine SET status = 'discarded', wrapped_dek = ?, sealed = ?, updated_at = ? WHERE id = ?`,
			[]byte{}, []byte{}, TimeValue(t.now), string(id))
		if err := t.affectedOne("discard quarantined row", res, err, "quarantined row not found"); err != nil {
			return nil, err
		}
		if err := t.deleteQuarantineIndexes(ctx, id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// UnkeyedQuarantine implements jaga.Tx.
func (t *Tx) UnkeyedQuarantine(ctx context.Context, after jaga.SubjectID, limit int) ([]jaga.SubjectID, error) {
	if limit <= 0 {
		limit = 100
	}
	return t.subjectIDs(ctx, "list unkeyed quarantine", `SELECT id FROM quarantine WHERE status = 'open' AND source_key IS NULL AND id > ? ORDER BY id LIMIT ?`, string(after), limit)
}

// SetQuarantineSource implements jaga.Tx.
func (t *Tx) SetQuarantineSource(ctx context.Context, id jaga.SubjectID, sourceKey []byte) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE quarantine SET source_key = ? WHERE id = ? AND status = 'open' AND source_key IS NULL`, nonNil(sourceKey), string(id))
	return t.affectedOne("set quarantine source key", res, err, "no open quarantined row without a source key")
}

// UpdateQuarantine replaces a row's reasons, sealed values, wrapped key, status and
// subject.
func (t *Tx) UpdateQuarantine(ctx context.Context, r *jaga.QuarantinedRow) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	reasons, err := json.Marshal(r.Reasons)
	if err != nil {
		return t.internal("update quarantine", err)
	}
	r.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE quarantine SET reasons = ?, wrapped_dek = ?, sealed = ?, status = ?, subject_id = ?, updated_at = ? WHERE id = ?`,
		string(reasons), nonNil(r.WrappedDEK), nonNil(r.Sealed), string(r.Status), string(r.Subject), TimeValue(r.UpdatedAt), string(r.ID))
	if err := t.affectedOne("update quarantine", res, err, "quarantined row not found"); err != nil {
		return err
	}
	if r.Status != jaga.QuarantineOpen {
		// Released or discarded: its values are gone, and so are their blind indexes.
		return t.deleteQuarantineIndexes(ctx, r.ID)
	}
	return nil
}

// InsertMerges stores merge records and sets their IDs.
func (t *Tx) InsertMerges(ctx context.Context, merges []*jaga.MergeRecord) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(merges) == 0 {
		return nil
	}
	ids, err := t.db.dialect.NextIDs(ctx, t.tx, "merges", len(merges))
	if err != nil {
		return t.db.translate("reserve merge ids", err, "", "")
	}
	fields := make([]string, len(merges))
	consents := make([]string, len(merges))
	for i, m := range merges {
		f, _ := json.Marshal(orEmpty(m.Fields))
		c, _ := json.Marshal(orEmpty(m.Consents))
		fields[i], consents[i] = string(f), string(c)
		t.stamp(&m.CreatedAt)
	}
	if _, err := t.execRows(ctx, insertMergesTpl, len(merges), func(args []any, i int) []any {
		m := merges[i]
		return append(args, ids[i], string(m.Subject), m.RowKey, m.File, m.Line, TimeValue(m.At), fields[i], consents[i], nonNil(m.Sealed),
			TimeValue(m.CreatedAt), TimeValue(m.UndoneAt), string(m.UndoneInto))
	}); err != nil {
		return t.db.translate("insert merges", err, "", "merge exists")
	}
	for i, m := range merges {
		m.ID = ids[i]
	}
	return nil
}

var insertMergesTpl = &rowsTemplate{
	prefix: "INSERT INTO merges (id, subject_id, row_key, file, line, at, fields, consents, sealed, created_at, undone_at, undone_into) VALUES ",
	row:    "(?,?,?,?,?,?,?,?,?,?,?,?)", width: 12, max: 256,
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Merges returns a subject's merge records, oldest first.
func (t *Tx) Merges(ctx context.Context, subject jaga.SubjectID) ([]*jaga.MergeRecord, error) {
	rows, err := t.query(ctx, `SELECT id, subject_id, row_key, file, line, at, fields, consents, sealed, created_at, undone_at, undone_into FROM merges WHERE subject_id = ? ORDER BY id`, string(subject))
	if err != nil {
		return nil, t.db.translate("read merges", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.MergeRecord
	for rows.Next() {
		var (
			m                      jaga.MergeRecord
			subj, fields, cs, into string
		)
		if err := rows.Scan(&m.ID, &subj, &m.RowKey, &m.File, &m.Line, Time{&m.At}, &fields, &cs, &m.Sealed, Time{&m.CreatedAt}, Time{&m.UndoneAt}, &into); err != nil {
			return nil, t.internal("read merges", err)
		}
		m.Subject, m.UndoneInto = jaga.SubjectID(subj), jaga.SubjectID(into)
		if err := json.Unmarshal([]byte(fields), &m.Fields); err != nil {
			return nil, t.internal("read merges", err)
		}
		if err := json.Unmarshal([]byte(cs), &m.Consents); err != nil {
			return nil, t.internal("read merges", err)
		}
		out = append(out, &m)
	}
	return out, t.db.translate("read merges", rows.Err(), "", "")
}

// UndoMerge marks a merge undone into another subject and destroys its sealed copy
// (the values now live in that subject).
func (t *Tx) UndoMerge(ctx context.Context, id int64, into jaga.SubjectID, at time.Time) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if at.IsZero() {
		at = t.now
	}
	res, err := t.exec(ctx, `UPDATE merges SET undone_at = ?, undone_into = ?, sealed = ? WHERE id = ? AND undone_at IS NULL`, TimeValue(at), string(into), []byte{}, id)
	return t.affectedOne("undo merge", res, err, "merge not found or already undone")
}

// MoveConsents moves consent records to another subject.
func (t *Tx) MoveConsents(ctx context.Context, ids []int64, to jaga.SubjectID) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := t.exec(ctx, `UPDATE consents SET subject_id = ? WHERE id = ?`, string(to), id); err != nil {
			return t.db.translate("move consent", err, "", "")
		}
	}
	return nil
}

// InsertReviewFlags stores review flags and sets their IDs.
func (t *Tx) InsertReviewFlags(ctx context.Context, flags []*jaga.ReviewFlag) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(flags) == 0 {
		return nil
	}
	ids, err := t.db.dialect.NextIDs(ctx, t.tx, "review_flags", len(flags))
	if err != nil {
		return t.db.translate("reserve review flag ids", err, "", "")
	}
	for i, f := range flags {
		t.stamp(&f.CreatedAt)
		if _, err := t.exec(ctx, `INSERT INTO review_flags (id, subject_id, reason, other_subject, file, line, created_at, resolved_at, resolved_by, resolution, note) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
			ids[i], string(f.Subject), f.Reason, string(f.Other), f.File, f.Line, TimeValue(f.CreatedAt), TimeValue(f.ResolvedAt),
			f.ResolvedBy, string(f.Resolution), f.Note); err != nil {
			return t.db.translate("insert review flag", err, "", "")
		}
		f.ID = ids[i]
	}
	return nil
}

// ReviewFlags returns open review flags, of one subject when subject is not "" (at most
// limit, default 1000).
func (t *Tx) ReviewFlags(ctx context.Context, subject jaga.SubjectID, limit int) ([]*jaga.ReviewFlag, error) {
	if limit <= 0 {
		limit = 1000
	}
	return t.ListReviewFlags(ctx, jaga.ReviewFlagFilter{Subject: subject, Limit: limit})
}

// InsertPendingSignup stores a sign-up awaiting double opt-in.
func (t *Tx) InsertPendingSignup(ctx context.Context, p *jaga.PendingSignup) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	t.stamp(&p.CreatedAt)
	_, err := t.exec(ctx, `INSERT INTO pending_signups (id, token_hash, form, wrapped_dek, sealed, created_at, expires_at, confirmed) VALUES (?,?,?,?,?,?,?,?)`,
		string(p.ID), p.TokenHash, p.Form, nonNil(p.WrappedDEK), nonNil(p.Sealed), TimeValue(p.CreatedAt), TimeValue(p.ExpiresAt), string(p.Confirmed))
	return t.db.translate("insert pending sign-up", err, "", "sign-up exists")
}

// PurgeExpiredSignups implements jaga.Tx: with secure_delete on (SQLite) the deleted
// rows' bytes, the wrapped data key included, are zeroed in the file.
func (t *Tx) PurgeExpiredSignups(ctx context.Context, at time.Time) (int, error) {
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, `DELETE FROM pending_signups WHERE confirmed = '' AND expires_at < ?`, TimeValue(at))
	if err != nil {
		return 0, t.db.translate("purge expired sign-ups", err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.internal("purge expired sign-ups", err)
	}
	return int(n), nil
}

// PendingSignupByToken returns the sign-up whose token hash is h.
func (t *Tx) PendingSignupByToken(ctx context.Context, h []byte) (*jaga.PendingSignup, error) {
	var (
		p           jaga.PendingSignup
		id, confirm string
	)
	err := t.queryRow(ctx, `SELECT id, token_hash, form, wrapped_dek, sealed, created_at, expires_at, confirmed FROM pending_signups WHERE token_hash = ?`, []any{h},
		&id, &p.TokenHash, &p.Form, &p.WrappedDEK, &p.Sealed, Time{&p.CreatedAt}, Time{&p.ExpiresAt}, &confirm)
	if err != nil {
		return nil, t.db.translate("read pending sign-up", err, "sign-up not found", "")
	}
	p.ID, p.Confirmed = jaga.SubjectID(id), jaga.SubjectID(confirm)
	return &p, nil
}

// ConfirmPendingSignup records the subject a sign-up became and empties its sealed copy.
func (t *Tx) ConfirmPendingSignup(ctx context.Context, id, subject jaga.SubjectID) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE pending_signups SET confirmed = ?, wrapped_dek = ?, sealed = ? WHERE id = ? AND confirmed = ''`, string(subject), []byte{}, []byte{}, string(id))
	return t.affectedOne("confirm sign-up", res, err, "sign-up not found or already confirmed")
}
