package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"jaga"
)

// This file holds the store methods of the request desk (package dsr) and the privacy
// portal's sign-in challenges (package portal); see migration 0005_dsr.

const dsrColumns = `id, subject_id, type, channel, status, statutory, received_at, due_at, handler, approver, refusal_code, detail, outcome, scheduled_at, closed_at, notice_sent_at, sealed, sealed_key, updated_at`

func detailValue(d map[string]string) (any, error) {
	return jsonValue(d, len(d) == 0)
}

// InsertDSR stores a new request; ECONFLICT if its ID exists. A zero UpdatedAt is set
// to the transaction's time.
func (t *Tx) InsertDSR(ctx context.Context, r *jaga.DSR) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if r == nil || r.ID == "" || !r.Subject.Valid() || r.ReceivedAt.IsZero() || r.DueAt.IsZero() {
		return jaga.Errorf(jaga.EINVALID, "a request needs an ID, a valid subject, a receipt and a due time")
	}
	t.stamp(&r.UpdatedAt)
	detail, err := detailValue(r.Detail)
	if err != nil {
		return t.internal("insert request", err)
	}
	_, err = t.exec(ctx, `INSERT INTO dsr_requests (`+dsrColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.ID, string(r.Subject), string(r.Type), string(r.Channel), string(r.Status), r.Statutory,
		TimeValue(r.ReceivedAt), TimeValue(r.DueAt), r.Handler, r.Approver, r.RefusalCode, detail, r.Outcome,
		TimeValue(r.ScheduledAt), TimeValue(r.ClosedAt), TimeValue(r.NoticeSentAt), nilIfEmpty(r.Sealed), nilIfEmpty(r.SealedKey),
		TimeValue(r.UpdatedAt))
	return t.db.translate("insert request", err, "", "request exists")
}

func scanDSR(sc interface{ Scan(...any) error }) (*jaga.DSR, error) {
	var (
		r                             jaga.DSR
		subject, typ, channel, status string
		detail                        sql.NullString
	)
	if err := sc.Scan(&r.ID, &subject, &typ, &channel, &status, &r.Statutory, Time{&r.ReceivedAt}, Time{&r.DueAt},
		&r.Handler, &r.Approver, &r.RefusalCode, &detail, &r.Outcome, Time{&r.ScheduledAt}, Time{&r.ClosedAt},
		Time{&r.NoticeSentAt}, &r.Sealed, &r.SealedKey, Time{&r.UpdatedAt}); err != nil {
		return nil, err
	}
	r.Subject, r.Type, r.Channel, r.Status = jaga.SubjectID(subject), jaga.DSRType(typ), jaga.DSRChannel(channel), jaga.DSRStatus(status)
	if detail.Valid && detail.String != "" {
		if err := json.Unmarshal([]byte(detail.String), &r.Detail); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// DSR returns one request; ENOTFOUND if there is none.
func (t *Tx) DSR(ctx context.Context, id string) (*jaga.DSR, error) {
	s, err := t.stmt(ctx, t.db.bind(`SELECT `+dsrColumns+` FROM dsr_requests WHERE id = ?`))
	if err != nil {
		return nil, t.db.translate("read request", err, "", "")
	}
	r, err := scanDSR(s.QueryRowContext(ctx, id))
	if err != nil {
		return nil, t.db.translate("read request", err, "request not found", "")
	}
	return r, nil
}

// UpdateDSR replaces the mutable columns of request r.ID and stamps UpdatedAt with the
// transaction's time; ENOTFOUND if it does not exist.
func (t *Tx) UpdateDSR(ctx context.Context, r *jaga.DSR) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	r.UpdatedAt = t.now
	detail, err := detailValue(r.Detail)
	if err != nil {
		return t.internal("update request", err)
	}
	res, err := t.exec(ctx, `UPDATE dsr_requests SET status = ?, handler = ?, approver = ?, refusal_code = ?, detail = ?, outcome = ?,
		due_at = ?, scheduled_at = ?, closed_at = ?, notice_sent_at = ?, sealed = ?, sealed_key = ?, updated_at = ? WHERE id = ?`,
		string(r.Status), r.Handler, r.Approver, r.RefusalCode, detail, r.Outcome, TimeValue(r.DueAt), TimeValue(r.ScheduledAt),
		TimeValue(r.ClosedAt), TimeValue(r.NoticeSentAt), nilIfEmpty(r.Sealed), nilIfEmpty(r.SealedKey), TimeValue(r.UpdatedAt), r.ID)
	return t.affectedOne("update request", res, err, "request not found")
}

// DSRs returns requests matching f by due time, then ID.
func (t *Tx) DSRs(ctx context.Context, f jaga.DSRFilter) ([]*jaga.DSR, error) {
	q := `SELECT ` + dsrColumns + ` FROM dsr_requests WHERE 1 = 1`
	var args []any
	if f.Subject != "" {
		q += ` AND subject_id = ?`
		args = append(args, string(f.Subject))
	}
	if f.Type != "" {
		q += ` AND type = ?`
		args = append(args, string(f.Type))
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Open {
		q += ` AND status IN (?, ?)`
		args = append(args, string(jaga.DSRReceived), string(jaga.DSRAwaitingApproval))
	}
	if !f.DueBefore.IsZero() {
		q += ` AND due_at < ?`
		args = append(args, TimeValue(f.DueBefore))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q += ` ORDER BY due_at, id LIMIT ?`
	args = append(args, limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.db.translate("list requests", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.DSR
	for rows.Next() {
		r, err := scanDSR(rows)
		if err != nil {
			return nil, t.internal("list requests", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("list requests", err, "", "")
	}
	return out, nil
}

// InsertLegalHold stores a hold and sets its ID.
func (t *Tx) InsertLegalHold(ctx context.Context, h *jaga.LegalHold) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if h == nil || !h.Subject.Valid() || !jaga.ValidName(h.Basis) {
		return jaga.Errorf(jaga.EINVALID, "a legal hold needs a valid subject and a snake_case basis")
	}
	t.stamp(&h.PlacedAt)
	ids, err := t.db.dialect.NextIDs(ctx, t.tx, "legal_holds", 1)
	if err != nil {
		return t.db.translate("reserve legal hold id", err, "", "")
	}
	_, err = t.exec(ctx, `INSERT INTO legal_holds (id, subject_id, basis, ref, placed_by, placed_at, until) VALUES (?,?,?,?,?,?,?)`,
		ids[0], string(h.Subject), h.Basis, h.Ref, h.PlacedBy, TimeValue(h.PlacedAt), TimeValue(h.Until))
	if err != nil {
		return t.db.translate("insert legal hold", err, "", "legal hold exists")
	}
	h.ID = ids[0]
	return nil
}

// LegalHolds returns the holds on subject in force at at, oldest first.
func (t *Tx) LegalHolds(ctx context.Context, subject jaga.SubjectID, at time.Time) ([]*jaga.LegalHold, error) {
	rows, err := t.query(ctx, `SELECT id, subject_id, basis, ref, placed_by, placed_at, until FROM legal_holds
		WHERE subject_id = ? AND (until IS NULL OR until > ?) ORDER BY id`, string(subject), TimeValue(at))
	if err != nil {
		return nil, t.db.translate("read legal holds", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.LegalHold
	for rows.Next() {
		var h jaga.LegalHold
		var sub string
		if err := rows.Scan(&h.ID, &sub, &h.Basis, &h.Ref, &h.PlacedBy, Time{&h.PlacedAt}, Time{&h.Until}); err != nil {
			return nil, t.internal("read legal holds", err)
		}
		h.Subject = jaga.SubjectID(sub)
		out = append(out, &h)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read legal holds", err, "", "")
	}
	return out, nil
}

// InsertLoginCode stores a sign-in challenge; ECONFLICT if its ID exists.
func (t *Tx) InsertLoginCode(ctx context.Context, c *jaga.LoginCode) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if c == nil || c.ID == "" || len(c.CodeMAC) == 0 || c.ExpiresAt.IsZero() {
		return jaga.Errorf(jaga.EINVALID, "a sign-in challenge needs an ID, a code MAC and an expiry")
	}
	t.stamp(&c.CreatedAt)
	_, err := t.exec(ctx, `INSERT INTO login_codes (id, subject_id, code_mac, created_at, expires_at, attempts, used) VALUES (?,?,?,?,?,?,?)`,
		c.ID, string(c.Subject), c.CodeMAC, TimeValue(c.CreatedAt), TimeValue(c.ExpiresAt), c.Attempts, c.Used)
	return t.db.translate("insert sign-in challenge", err, "", "sign-in challenge exists")
}

// LoginCode returns one challenge; ENOTFOUND if there is none.
func (t *Tx) LoginCode(ctx context.Context, id string) (*jaga.LoginCode, error) {
	var c jaga.LoginCode
	var sub string
	err := t.queryRow(ctx, `SELECT id, subject_id, code_mac, created_at, expires_at, attempts, used FROM login_codes WHERE id = ?`,
		[]any{id}, &c.ID, &sub, &c.CodeMAC, Time{&c.CreatedAt}, Time{&c.ExpiresAt}, &c.Attempts, &c.Used)
	if err != nil {
		return nil, t.db.translate("read sign-in challenge", err, "sign-in challenge not found", "")
	}
	c.Subject = jaga.SubjectID(sub)
	return &c, nil
}

// UpdateLoginCode sets a challenge's attempts and used flag; ENOTFOUND if it does not exist.
func (t *Tx) UpdateLoginCode(ctx context.Context, id string, attempts int, used bool) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE login_codes SET attempts = ?, used = ? WHERE id = ?`, attempts, used, id)
	return t.affectedOne("update sign-in challenge", res, err, "sign-in challenge not found")
}
