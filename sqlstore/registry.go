package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"jaga"
)

// The purpose registry, notices, consent state and the other metadata of issue 3
// (migration 0002). Definitions and notice bodies are stored as JSON text: they are
// read whole and only their status and times are filtered on.

// encodeDetails returns the JSON of d ("{}" when empty).
func encodeDetails(d jaga.ConsentDetails) (string, error) {
	if d == (jaga.ConsentDetails{}) {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func decodeDetails(b []byte, d *jaga.ConsentDetails) error {
	if len(b) == 0 || bytes.Equal(b, []byte("{}")) {
		return nil
	}
	return json.Unmarshal(b, d)
}

// upsertCurrentTpl makes consent records the ones in force for their (purpose, subject)
// unless a later one in the order of jaga.CompareConsents (at, tie, id) is there
// already, many rows per statement. Both SQLite (3.24+) and PostgreSQL read it (tie
// compares byte by byte in both); PostgreSQL refuses a statement that touches a row
// twice, which updateCurrent rules out.
var upsertCurrentTpl = &rowsTemplate{
	prefix: "INSERT INTO current_consents (purpose, subject_id, consent_id, at, counts, expires_at, tie, guardian) VALUES ",
	row:    "(?,?,?,?,?,?,?,?)",
	suffix: ` ON CONFLICT (purpose, subject_id) DO UPDATE SET consent_id = excluded.consent_id, at = excluded.at, counts = excluded.counts,
	expires_at = excluded.expires_at, tie = excluded.tie, guardian = excluded.guardian
WHERE COALESCE(excluded.at, 0) > COALESCE(current_consents.at, 0)
   OR (COALESCE(excluded.at, 0) = COALESCE(current_consents.at, 0) AND (excluded.tie > current_consents.tie
       OR (excluded.tie = current_consents.tie AND excluded.consent_id > current_consents.consent_id)))`,
	width: 8, max: 256,
}

// updateCurrent maintains current_consents after consents were inserted (IDs set).
// Within the batch only the latest record per (subject, purpose) is written, so that no
// statement touches a row twice; the rows go in key order, so that each B-tree page of
// current_consents is written once per batch.
func (t *Tx) updateCurrent(ctx context.Context, consents []*jaga.Consent) error {
	type key struct {
		s jaga.SubjectID
		p string
	}
	latest := make(map[key]*jaga.Consent, len(consents))
	for _, c := range consents {
		k := key{c.Subject, c.Purpose}
		prev, ok := latest[k]
		if !ok || jaga.CompareConsents(c, prev) > 0 {
			latest[k] = c
		}
	}
	rows := make([]*jaga.Consent, 0, len(latest))
	for _, c := range latest {
		rows = append(rows, c)
	}
	slices.SortFunc(rows, func(a, b *jaga.Consent) int {
		return cmp.Or(strings.Compare(a.Purpose, b.Purpose), strings.Compare(string(a.Subject), string(b.Subject)))
	})
	if _, err := t.execRows(ctx, upsertCurrentTpl, len(rows), func(args []any, i int) []any {
		c := rows[i]
		counts := 0
		if c.Counts() {
			counts = 1
		}
		// The guardian who gave it, for the listing's child check (policy.StateOf, R-3).
		guardian := ""
		if c.GivenBy == jaga.GivenByGuardian {
			guardian = string(c.Guardian)
		}
		return append(args, c.Purpose, string(c.Subject), c.ID, TimeValue(c.At), counts, TimeValue(c.ExpiresAt), c.TieKey(), guardian)
	}); err != nil {
		return t.db.translate("update consent in force", err, "", "")
	}
	return nil
}

// eraseConsentState deletes an erased subject's consent state in force, guardianship
// and scheduled deletions; the consent records stay (metadata, proof).
func (t *Tx) eraseConsentState(ctx context.Context, sid string) error {
	if _, err := t.exec(ctx, `DELETE FROM current_consents WHERE subject_id = ? AND purpose IN (SELECT DISTINCT purpose FROM consents WHERE subject_id = ?)`, sid, sid); err != nil {
		return t.db.translate("erase consent state", err, "", "")
	}
	for _, q := range []string{`DELETE FROM guardianships WHERE subject_id = ?`, `DELETE FROM scheduled_deletions WHERE subject_id = ?`} {
		if _, err := t.exec(ctx, q, sid); err != nil {
			return t.db.translate("erase consent state", err, "", "")
		}
	}
	return nil
}

func (t *Tx) bumpRegistry(ctx context.Context) error {
	if _, err := t.exec(ctx, `UPDATE registry_version SET version = version + 1 WHERE id = 1`); err != nil {
		return t.db.translate("bump registry version", err, "", "")
	}
	return nil
}

// Purposes returns every registered purpose, by ID.
func (t *Tx) Purposes(ctx context.Context) ([]*jaga.Purpose, error) {
	rows, err := t.query(ctx, `SELECT definition FROM purposes ORDER BY id`)
	if err != nil {
		return nil, t.db.translate("read purposes", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.Purpose
	for rows.Next() {
		var def []byte
		if err := rows.Scan(&def); err != nil {
			return nil, t.internal("read purposes", err)
		}
		p := new(jaga.Purpose)
		if err := json.Unmarshal(def, p); err != nil {
			return nil, t.internal("decode purpose", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read purposes", err, "", "")
	}
	return out, nil
}

// PutPurpose inserts or replaces p and increases the registry version.
func (t *Tx) PutPurpose(ctx context.Context, p *jaga.Purpose) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p == nil || !jaga.ValidName(p.ID) || !p.Status.Valid() {
		return jaga.Errorf(jaga.EINVALID, "purpose needs a snake_case ID and a valid status")
	}
	def, err := json.Marshal(p)
	if err != nil {
		return t.internal("encode purpose", err)
	}
	if _, err := t.exec(ctx, `INSERT INTO purposes (id, status, definition, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, definition = excluded.definition, updated_at = excluded.updated_at`,
		p.ID, string(p.Status), string(def), TimeValue(t.now)); err != nil {
		return t.db.translate("store purpose", err, "", "")
	}
	return t.bumpRegistry(ctx)
}

// RegistryVersion returns the registry version.
func (t *Tx) RegistryVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := t.queryRow(ctx, `SELECT version FROM registry_version WHERE id = 1`, nil, &v); err != nil {
		return 0, t.db.translate("read registry version", err, "", "")
	}
	return v, nil
}

// Notices returns every notice version, oldest first.
func (t *Tx) Notices(ctx context.Context) ([]*jaga.Notice, error) {
	rows, err := t.query(ctx, `SELECT body FROM notices ORDER BY created_at, version`)
	if err != nil {
		return nil, t.db.translate("read notices", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.Notice
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, t.internal("read notices", err)
		}
		n := new(jaga.Notice)
		if err := json.Unmarshal(body, n); err != nil {
			return nil, t.internal("decode notice", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read notices", err, "", "")
	}
	return out, nil
}

// PutNotice inserts or replaces n and increases the registry version.
func (t *Tx) PutNotice(ctx context.Context, n *jaga.Notice) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if n == nil || n.Version == "" || (n.Status != jaga.NoticeDraft && n.Status != jaga.NoticeApproved) {
		return jaga.Errorf(jaga.EINVALID, "notice needs a version and a status draft or approved")
	}
	t.stamp(&n.CreatedAt)
	body, err := json.Marshal(n)
	if err != nil {
		return t.internal("encode notice", err)
	}
	if _, err := t.exec(ctx, `INSERT INTO notices (version, status, in_force_at, body, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (version) DO UPDATE SET status = excluded.status, in_force_at = excluded.in_force_at, body = excluded.body`,
		n.Version, string(n.Status), TimeValue(n.InForceAt), string(body), TimeValue(n.CreatedAt)); err != nil {
		return t.db.translate("store notice", err, "", "")
	}
	return t.bumpRegistry(ctx)
}

// ConsentAt returns the record in force for (subject, purpose) at at.
func (t *Tx) ConsentAt(ctx context.Context, subject jaga.SubjectID, purpose string, at time.Time) (*jaga.Consent, error) {
	s, err := t.stmt(ctx, t.db.bind(`SELECT `+consentColumns+` FROM consents WHERE subject_id = ? AND purpose = ? AND at <= ? ORDER BY at DESC, tie DESC, id DESC LIMIT 1`))
	if err != nil {
		return nil, t.db.translate("read consent", err, "", "")
	}
	c, err := scanConsent(s.QueryRowContext(ctx, string(subject), purpose, at.UnixMicro()))
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, t.db.translate("read consent", err, "", "")
	}
	return c, nil
}

// ListSubjects calls fn with each subject f selects. A consent listing is one range
// scan of current_consents' primary key (purpose, subject_id); restricted subjects are
// skipped through the small partial index subjects_restricted, read once, and children
// whose consent in force was not given by their guardian (policy.StateOf, R-3) through
// the small guardianships table joined once to their consents in force.
func (t *Tx) ListSubjects(ctx context.Context, f jaga.SubjectListFilter, fn func(jaga.SubjectID) error) error {
	var q string
	var args []any
	if f.Consent {
		now := f.Now.UnixMicro()
		// Neither subquery is correlated: each is computed once (a few rows), not per
		// listed subject.
		q = `SELECT c.subject_id FROM current_consents c WHERE c.purpose = ? AND c.subject_id > ? AND c.counts = 1 AND (c.expires_at IS NULL OR c.expires_at > ?)
 AND c.subject_id NOT IN (SELECT g.subject_id FROM guardianships g JOIN current_consents k ON k.purpose = ? AND k.subject_id = g.subject_id
  WHERE g.adult_at > ? AND k.guardian <> g.guardian_id)`
		args = []any{f.Purpose, string(f.After), now, f.Purpose, now}
		if !f.IncludeRestricted {
			q += ` AND c.subject_id NOT IN (SELECT r.id FROM subjects r WHERE r.restricted = TRUE)`
		}
		q += ` ORDER BY c.purpose, c.subject_id`
	} else {
		q = `SELECT s.id FROM subjects s WHERE s.id > ?`
		args = []any{string(f.After)}
		if !f.IncludeRestricted {
			q += ` AND s.restricted = FALSE`
		}
		q += ` ORDER BY s.id`
	}
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return t.db.translate("list subjects", err, "", "")
	}
	defer rows.Close()
	var raw sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return t.internal("list subjects", err)
		}
		if err := fn(jaga.SubjectID(raw)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return t.db.translate("list subjects", err, "", "")
	}
	return nil
}

// SetGuardianship records or replaces a child's guardian.
func (t *Tx) SetGuardianship(ctx context.Context, g *jaga.Guardianship) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	t.stamp(&g.CreatedAt)
	if _, err := t.exec(ctx, `INSERT INTO guardianships (subject_id, guardian_id, adult_at, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (subject_id) DO UPDATE SET guardian_id = excluded.guardian_id, adult_at = excluded.adult_at, created_at = excluded.created_at`,
		string(g.Subject), string(g.Guardian), TimeValue(g.AdultAt), TimeValue(g.CreatedAt)); err != nil {
		return t.db.translate("store guardianship", err, "", "")
	}
	return nil
}

// Guardianship returns the guardianship of subject, or nil.
func (t *Tx) Guardianship(ctx context.Context, subject jaga.SubjectID) (*jaga.Guardianship, error) {
	g := &jaga.Guardianship{Subject: subject}
	var guardian string
	err := t.queryRow(ctx, `SELECT guardian_id, adult_at, created_at FROM guardianships WHERE subject_id = ?`, []any{string(subject)},
		&guardian, Time{&g.AdultAt}, Time{&g.CreatedAt})
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, t.db.translate("read guardianship", err, "", "")
	}
	g.Guardian = jaga.SubjectID(guardian)
	return g, nil
}

// ScheduleDeletion stores d and sets its ID.
func (t *Tx) ScheduleDeletion(ctx context.Context, d *jaga.ScheduledDeletion) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	fields, err := json.Marshal(d.Fields)
	if err != nil {
		return t.internal("encode fields", err)
	}
	t.stamp(&d.CreatedAt)
	// One row: RETURNING (SQLite 3.35+, PostgreSQL) gives its ID unambiguously.
	if err := t.queryRow(ctx, `INSERT INTO scheduled_deletions (subject_id, purpose, fields, due_at, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		[]any{string(d.Subject), d.Purpose, string(fields), TimeValue(d.DueAt), TimeValue(d.CreatedAt)}, &d.ID); err != nil {
		return t.db.translate("schedule deletion", err, "", "")
	}
	return nil
}

// ScheduledDeletions returns the deletions scheduled for subject, oldest first.
func (t *Tx) ScheduledDeletions(ctx context.Context, subject jaga.SubjectID) ([]*jaga.ScheduledDeletion, error) {
	return t.scheduledDeletions(ctx, `WHERE subject_id = ? ORDER BY id`, string(subject))
}

// DueDeletions returns pending deletions due by at with IDs above after, by ID (the
// partial index scheduled_deletions_due holds only the pending ones).
func (t *Tx) DueDeletions(ctx context.Context, at time.Time, after int64, limit int) ([]*jaga.ScheduledDeletion, error) {
	if limit < 1 || limit > 1000 {
		return nil, jaga.Errorf(jaga.EINVALID, "limit must be 1-1000")
	}
	return t.scheduledDeletions(ctx, `WHERE done_at IS NULL AND due_at <= ? AND id > ? ORDER BY id LIMIT ?`, at.UnixMicro(), after, limit)
}

func (t *Tx) scheduledDeletions(ctx context.Context, where string, args ...any) ([]*jaga.ScheduledDeletion, error) {
	rows, err := t.query(ctx, `SELECT id, subject_id, purpose, fields, due_at, created_at, done_at, deleted FROM scheduled_deletions `+where, args...)
	if err != nil {
		return nil, t.db.translate("read scheduled deletions", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.ScheduledDeletion
	for rows.Next() {
		d := &jaga.ScheduledDeletion{}
		var subject string
		var fields, deleted []byte
		if err := rows.Scan(&d.ID, &subject, &d.Purpose, &fields, Time{&d.DueAt}, Time{&d.CreatedAt}, Time{&d.DoneAt}, &deleted); err != nil {
			return nil, t.internal("read scheduled deletions", err)
		}
		d.Subject = jaga.SubjectID(subject)
		if err := json.Unmarshal(fields, &d.Fields); err != nil {
			return nil, t.internal("decode scheduled deletion", err)
		}
		if len(deleted) > 0 {
			if err := json.Unmarshal(deleted, &d.Deleted); err != nil {
				return nil, t.internal("decode scheduled deletion", err)
			}
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read scheduled deletions", err, "", "")
	}
	return out, nil
}

// FinishDeletion marks a pending deletion done with the fields it deleted.
func (t *Tx) FinishDeletion(ctx context.Context, id int64, at time.Time, deleted []string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if deleted == nil {
		deleted = []string{}
	}
	b, err := json.Marshal(deleted)
	if err != nil {
		return t.internal("encode fields", err)
	}
	res, err := t.exec(ctx, `UPDATE scheduled_deletions SET done_at = ?, deleted = ? WHERE id = ? AND done_at IS NULL`, TimeValue(at), string(b), id)
	if err != nil {
		return t.db.translate("finish scheduled deletion", err, "", "")
	}
	if n, err := res.RowsAffected(); err != nil {
		return t.internal("finish scheduled deletion", err)
	} else if n == 0 {
		return jaga.Errorf(jaga.ENOTFOUND, "no pending scheduled deletion %d", id)
	}
	return nil
}
