package sqlstore

import (
	"context"
	"database/sql"

	"jaga"
)

// Store methods of the review desk: listing review flags with their resolution, reading
// one, and resolving one (migration 0009).

const reviewFlagColumns = `id, subject_id, reason, other_subject, file, line, created_at, resolved_at, resolved_by, resolution, note`

func scanReviewFlag(sc interface{ Scan(...any) error }) (*jaga.ReviewFlag, error) {
	var (
		f                       jaga.ReviewFlag
		subj, other, resolution string
	)
	if err := sc.Scan(&f.ID, &subj, &f.Reason, &other, &f.File, &f.Line, Time{&f.CreatedAt}, Time{&f.ResolvedAt},
		&f.ResolvedBy, &resolution, &f.Note); err != nil {
		return nil, err
	}
	f.Subject, f.Other, f.Resolution = jaga.SubjectID(subj), jaga.SubjectID(other), jaga.ReviewResolution(resolution)
	return &f, nil
}

// ListReviewFlags returns the review flags f selects, by ID.
func (t *Tx) ListReviewFlags(ctx context.Context, f jaga.ReviewFlagFilter) ([]*jaga.ReviewFlag, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	q := `SELECT ` + reviewFlagColumns + ` FROM review_flags WHERE id > ?`
	args := []any{f.After}
	switch f.State {
	case "", jaga.ReviewFlagsOpen:
		q += ` AND resolved_at IS NULL`
	case jaga.ReviewFlagsResolved:
		q += ` AND resolved_at IS NOT NULL`
	case jaga.ReviewFlagsAll:
	default:
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "state", Message: "state must be open, resolved or all"}
	}
	if f.Subject != "" {
		q += ` AND subject_id = ?`
		args = append(args, string(f.Subject))
	}
	if f.Reason != "" {
		q += ` AND reason = ?`
		args = append(args, f.Reason)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.db.translate("read review flags", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.ReviewFlag
	for rows.Next() {
		fl, err := scanReviewFlag(rows)
		if err != nil {
			return nil, t.internal("read review flags", err)
		}
		out = append(out, fl)
	}
	return out, t.db.translate("read review flags", rows.Err(), "", "")
}

// ReviewFlag returns one review flag.
func (t *Tx) ReviewFlag(ctx context.Context, id int64) (*jaga.ReviewFlag, error) {
	s, err := t.stmt(ctx, t.db.bind(`SELECT `+reviewFlagColumns+` FROM review_flags WHERE id = ?`))
	if err != nil {
		return nil, t.db.translate("read review flag", err, "", "")
	}
	f, err := scanReviewFlag(s.QueryRowContext(ctx, id))
	if err == sql.ErrNoRows {
		return nil, &jaga.Error{Code: jaga.ENOTFOUND, Message: "review flag not found"}
	} else if err != nil {
		return nil, t.db.translate("read review flag", err, "review flag not found", "")
	}
	return f, nil
}

// ResolveReviewFlag closes an open flag. The UPDATE matches open flags only, so that
// two staff resolving the same flag at once cannot both succeed: the second finds it
// resolved (ECONFLICT).
func (t *Tx) ResolveReviewFlag(ctx context.Context, id int64, r jaga.ReviewFlagResolution) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if !r.Resolution.Valid() {
		return jaga.FieldError("resolution", "resolution must be one of %s", jaga.ReviewResolutionNames())
	}
	t.stamp(&r.At)
	res, err := t.exec(ctx, `UPDATE review_flags SET resolved_at = ?, resolved_by = ?, resolution = ?, note = ? WHERE id = ? AND resolved_at IS NULL`,
		TimeValue(r.At), r.By, string(r.Resolution), r.Note, id)
	err = t.affectedOne("resolve review flag", res, err, "review flag not found")
	if jaga.ErrorCode(err) != jaga.ENOTFOUND {
		return err
	}
	if _, rerr := t.ReviewFlag(ctx, id); rerr != nil {
		return rerr
	}
	return &jaga.Error{Code: jaga.ECONFLICT, Message: "review flag is resolved already"}
}
