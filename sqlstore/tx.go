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

var _ jaga.Tx = (*Tx)(nil)

// Tx is one transaction of a DB; it implements jaga.Tx. It is not safe for concurrent
// use, like the *sql.Tx under it. Rows whose CreatedAt, UpdatedAt or RecordedAt is zero
// are stamped with the time the transaction began (from Config.Clock), and the stamp
// is written back into the caller's struct.
type Tx struct {
	db       *DB
	tx       *sql.Tx
	cache    *stmtCache
	writable bool
	now      time.Time

	auditLocked bool // Dialect.LockAudit ran in this transaction
	// resolutionLocked: Dialect.LockResolution ran in this transaction.
	resolutionLocked bool

	stmts  map[string]*sql.Stmt // statements bound to this transaction
	missed []string             // statements to add to cache once the connection is free
	args   []any                // reused argument buffer of multi-row statements
}

// Now returns the time the transaction began, in UTC, truncated to the microsecond.
func (t *Tx) Now() time.Time { return t.now }

// SQL returns the underlying *sql.Tx, for a dialect's own statements.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// stmt returns q prepared on this transaction's connection, from the pool's cache when
// it is there.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := t.stmts[q]; ok {
		return s, nil
	}
	var s *sql.Stmt
	if ps := t.cache.get(q); ps != nil {
		s = t.tx.StmtContext(ctx, ps)
	} else {
		var err error
		if s, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		t.missed = append(t.missed, q)
	}
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt, 8)
	}
	t.stmts[q] = s
	return s, nil
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, t.db.bind(q))
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(ctx, t.db.bind(q))
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	s, err := t.stmt(ctx, t.db.bind(q))
	if err != nil {
		return err
	}
	return s.QueryRowContext(ctx, args...).Scan(dest...)
}

// execRows runs tpl over n rows in chunks; fill appends the values of row i to args.
// It returns the total of rows affected.
func (t *Tx) execRows(ctx context.Context, tpl *rowsTemplate, n int, fill func(args []any, i int) []any) (int64, error) {
	var total int64
	for i := 0; i < n; {
		k := t.db.chunk(tpl, n-i)
		s, err := t.stmt(ctx, t.db.text(tpl, k))
		if err != nil {
			return total, err
		}
		args := t.args[:0]
		for j := i; j < i+k; j++ {
			args = fill(args, j)
		}
		res, err := s.ExecContext(ctx, args...)
		clear(args) // drop references to the caller's ciphertext
		t.args = args[:0]
		if err != nil {
			return total, err
		}
		if a, err := res.RowsAffected(); err == nil {
			total += a
		}
		i += k
	}
	return total, nil
}

func (t *Tx) mustWrite() error {
	if !t.writable {
		return jaga.Errorf(jaga.EINTERNAL, "write in a read-only transaction")
	}
	return nil
}

func (t *Tx) stamp(p *time.Time) {
	if p.IsZero() {
		*p = t.now
	}
}

// Statement templates of the multi-row statements. Chunk sizes stay well inside
// SQLite's 32766 bind parameters; beyond ~256 rows a larger statement gains nothing.
var (
	insertSubjectsTpl = &rowsTemplate{
		prefix: "INSERT INTO subjects (id, wrapped_dek, sealed, indexes, import_key, channel, collected_at, created_at, updated_at, restricted) VALUES ",
		row:    "(?,?,?,?,?,?,?,?,?,?)", width: 10, max: 256,
	}
	insertIndexesTpl = &rowsTemplate{
		prefix: "INSERT INTO blind_indexes (field, value, subject_id) VALUES ",
		row:    "(?,?,?)", width: 3, max: 512,
	}
	insertImportKeysTpl = &rowsTemplate{
		prefix: "INSERT INTO import_keys (key, subject_id, content) VALUES ",
		row:    "(?,?,?)", width: 3, max: 512,
	}
	selectImportKeysTpl = &rowsTemplate{
		prefix: "SELECT key, subject_id FROM import_keys WHERE key IN (",
		row:    "?", suffix: ")", width: 1, max: 512,
	}
	selectImportContentsTpl = &rowsTemplate{
		prefix: "SELECT key, content FROM import_keys WHERE content IS NOT NULL AND key IN (",
		row:    "?", suffix: ")", width: 1, max: 512,
	}
	insertPurchasesTpl = &rowsTemplate{
		prefix: "INSERT INTO purchases (subject_id, sealed, source_key, created_at) VALUES ",
		row:    "(?,?,?,?)", suffix: " ON CONFLICT (source_key) DO NOTHING", width: 4, max: 256,
	}
	insertConsentsTpl = &rowsTemplate{
		prefix: "INSERT INTO consents (id, subject_id, purpose, status, flag, notice_version, channel, evidence, at, recorded_at, details, expires_at, tie) VALUES ",
		row:    "(?,?,?,?,?,?,?,?,?,?,?,?,?)", width: 13, max: 256,
	}
)

// BlindIndexSize is the length of every stored blind index value: HMAC-SHA256 truncated
// to 16 bytes (DESIGN.md crypto scheme). The store refuses other lengths, so that no
// other value (a plaintext, say) can be stored as an index.
const BlindIndexSize = 16

func checkIndexes(ixs []jaga.BlindIndex) error {
	for _, ix := range ixs {
		if ix.Field == "" || len(ix.Value) != BlindIndexSize {
			return &jaga.Error{Code: jaga.EINVALID, Field: "indexes", Message: "blind index needs a field and a 16-byte value"}
		}
	}
	return nil
}

type indexRow struct {
	field   string
	value   []byte
	subject string
}

type importKeyRow struct {
	key     []byte
	subject string
	content []byte
}

// InsertSubjects stores new subjects with their blind indexes and import keys, in
// multi-row statements. Zero CreatedAt and UpdatedAt are set to the transaction's time.
// A nil subject, an invalid ID, an empty wrapped DEK or a blind index that is not
// BlindIndexSize bytes is EINVALID; an existing ID or import key (also one of an erased
// subject) is ECONFLICT. A blind index listed twice for one subject is stored once.
func (t *Tx) InsertSubjects(ctx context.Context, subjects []*jaga.SealedSubject) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	nIdx, nKeys, size := 0, 0, 0
	for _, s := range subjects {
		if s == nil {
			return jaga.Errorf(jaga.EINVALID, "nil subject")
		}
		if !s.ID.Valid() {
			return &jaga.Error{Code: jaga.EINVALID, Field: "id", Message: "subject id must be sub_ followed by 32 hex digits"}
		}
		if len(s.WrappedDEK) == 0 {
			return &jaga.Error{Code: jaga.EINVALID, Field: "wrapped_dek", Message: "subject has no wrapped data key"}
		}
		if err := checkIndexes(s.Indexes); err != nil {
			return err
		}
		nIdx += len(s.Indexes)
		if len(s.ImportKey) > 0 {
			nKeys++
		}
		size += 16 + len(s.Indexes)*(BlindIndexSize+16)
		for k, v := range s.Sealed {
			size += len(k) + len(v) + 4
		}
	}
	if len(subjects) == 0 {
		return nil
	}

	// One buffer holds every sealed and index encoding of the batch.
	buf := make([]byte, 0, size)
	sealed := make([][]byte, len(subjects))
	indexes := make([][]byte, len(subjects))
	rows := make([]indexRow, 0, nIdx)
	var own []jaga.BlindIndex
	for i, s := range subjects {
		t.stamp(&s.CreatedAt)
		if s.UpdatedAt.IsZero() {
			s.UpdatedAt = s.CreatedAt
		}
		start := len(buf)
		buf = AppendSealed(buf, s.Sealed)
		sealed[i] = buf[start:len(buf):len(buf)]
		own = sortIndexes(append(own[:0], s.Indexes...))
		start = len(buf)
		buf = AppendIndexes(buf, own)
		indexes[i] = buf[start:len(buf):len(buf)]
		for _, ix := range own {
			rows = append(rows, indexRow{ix.Field, ix.Value, string(s.ID)})
		}
	}
	if _, err := t.execRows(ctx, insertSubjectsTpl, len(subjects), func(args []any, i int) []any {
		s := subjects[i]
		return append(args, string(s.ID), s.WrappedDEK, sealed[i], indexes[i], nilIfEmpty(s.ImportKey), string(s.Channel),
			TimeValue(s.CollectedAt), TimeValue(s.CreatedAt), TimeValue(s.UpdatedAt), s.Restricted)
	}); err != nil {
		return t.db.translate("insert subjects", err, "", "subject exists")
	}
	if err := t.insertIndexes(ctx, rows); err != nil {
		return err
	}

	if nKeys > 0 {
		rows := make([]importKeyRow, 0, nKeys)
		for _, s := range subjects {
			if len(s.ImportKey) > 0 {
				rows = append(rows, importKeyRow{s.ImportKey, string(s.ID), s.ImportContent})
			}
		}
		// Sorted rows touch each B-tree page once per batch instead of at random.
		slices.SortFunc(rows, func(a, b importKeyRow) int { return bytes.Compare(a.key, b.key) })
		if _, err := t.execRows(ctx, insertImportKeysTpl, len(rows), func(args []any, i int) []any {
			return append(args, rows[i].key, rows[i].subject, nilIfEmpty(rows[i].content))
		}); err != nil {
			return t.db.translate("insert import keys", err, "", "import key exists")
		}
	}
	return nil
}

// sortIndexes sorts ixs by field, then value, and drops exact repeats.
func sortIndexes(ixs []jaga.BlindIndex) []jaga.BlindIndex {
	slices.SortFunc(ixs, func(a, b jaga.BlindIndex) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), bytes.Compare(a.Value, b.Value))
	})
	return slices.CompactFunc(ixs, func(a, b jaga.BlindIndex) bool {
		return a.Field == b.Field && bytes.Equal(a.Value, b.Value)
	})
}

// insertIndexes inserts rows of blind_indexes sorted by (field, value, subject), so
// that rows on one B-tree page are written together.
func (t *Tx) insertIndexes(ctx context.Context, rows []indexRow) error {
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b indexRow) int {
		return cmp.Or(strings.Compare(a.field, b.field), bytes.Compare(a.value, b.value), strings.Compare(a.subject, b.subject))
	})
	if _, err := t.execRows(ctx, insertIndexesTpl, len(rows), func(args []any, i int) []any {
		return append(args, rows[i].field, rows[i].value, rows[i].subject)
	}); err != nil {
		return t.db.translate("insert blind indexes", err, "", "blind index exists")
	}
	return nil
}

// Subject returns one live subject with its sealed values, blind indexes (sorted by
// field, then value) and import key, from its one row; ENOTFOUND if it does not exist
// or was erased.
func (t *Tx) Subject(ctx context.Context, id jaga.SubjectID) (*jaga.SealedSubject, error) {
	// One statement: the row carries its own copy of its blind indexes and import key
	// (written with it by InsertSubjects and UpdateSubject), so the gate's reads, which
	// run inside its grouped write transaction, cost one look-up.
	s, err := scanSubject(t.stmtRow(ctx, `SELECT `+subjectColumns+` FROM subjects WHERE id = ?`, string(id)))
	if err != nil {
		return nil, t.db.translate("read subject", err, "subject not found", "")
	}
	return s, nil
}

// subjectColumns are the columns scanSubject reads, in its order.
const subjectColumns = `id, wrapped_dek, sealed, indexes, import_key, channel, collected_at, created_at, updated_at, restricted`

// stmtRow runs q as a one-row query on a cached statement; a failure to prepare comes
// back from Scan.
func (t *Tx) stmtRow(ctx context.Context, q string, args ...any) rowScanner {
	st, err := t.stmt(ctx, t.db.bind(q))
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

// scanSubject reads one row of subjectColumns. Errors from Scan (sql.ErrNoRows among
// them) come back unwrapped for the caller to translate; a damaged encoding is EINTERNAL.
func scanSubject(sc rowScanner) (*jaga.SealedSubject, error) {
	s := &jaga.SealedSubject{}
	var (
		id, channel     string
		sealed, indexes []byte
	)
	if err := sc.Scan(&id, &s.WrappedDEK, &sealed, &indexes, &s.ImportKey, &channel, Time{&s.CollectedAt}, Time{&s.CreatedAt}, Time{&s.UpdatedAt}, &s.Restricted); err != nil {
		return nil, err
	}
	s.ID, s.Channel = jaga.SubjectID(id), jaga.Channel(channel)
	var err error
	if s.Sealed, err = DecodeSealed(sealed); err != nil {
		return nil, internal("read subject", err)
	}
	if s.Indexes, err = DecodeIndexes(indexes); err != nil {
		return nil, internal("read subject indexes", err)
	}
	if len(s.Indexes) == 0 {
		s.Indexes = nil
	}
	if len(s.ImportKey) == 0 {
		s.ImportKey = nil
	}
	slices.SortFunc(s.Indexes, func(a, b jaga.BlindIndex) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), bytes.Compare(a.Value, b.Value))
	})
	return s, nil
}

// findSubjectsSQL is FindSubjects' statement, built once: it runs on every look-up.
var findSubjectsSQL = `SELECT ` + prefixColumns("s.", subjectColumns) + ` FROM blind_indexes b JOIN subjects s ON s.id = b.subject_id
WHERE b.field = ? AND b.value = ? ORDER BY b.subject_id`

// FindSubjects returns the live subjects whose blind index for field equals value,
// oldest first, read in one statement (a look-up is FindByIndex and Subject for each).
func (t *Tx) FindSubjects(ctx context.Context, field string, value []byte) ([]*jaga.SealedSubject, error) {
	rows, err := t.query(ctx, findSubjectsSQL, field, value)
	if err != nil {
		return nil, t.db.translate("find subjects", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.SealedSubject
	for rows.Next() {
		s, err := scanSubject(rows)
		if err != nil {
			return nil, t.db.translate("find subjects", err, "", "")
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("find subjects", err, "", "")
	}
	return out, nil
}

// FindByIndex returns the IDs of live subjects whose blind index for field equals
// value, oldest first: in ID order, which is creation order because IDs are UUIDv7.
// Erasure deletes a subject's indexes, so erased subjects are never found.
func (t *Tx) FindByIndex(ctx context.Context, field string, value []byte) ([]jaga.SubjectID, error) {
	return t.subjectIDs(ctx, "find by index", `SELECT subject_id FROM blind_indexes WHERE field = ? AND value = ? ORDER BY subject_id`, field, value)
}

// subjectIDs runs q, whose one column is a subject (or quarantine) ID, and returns the
// IDs in the order q gives them; op names the work in errors.
func (t *Tx) subjectIDs(ctx context.Context, op, q string, args ...any) ([]jaga.SubjectID, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.db.translate(op, err, "", "")
	}
	defer rows.Close()
	var ids []jaga.SubjectID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, t.internal(op, err)
		}
		ids = append(ids, jaga.SubjectID(id))
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate(op, err, "", "")
	}
	return ids, nil
}

// ImportKeys returns, for each known key, the subject it created, erased subjects
// included, keyed by string(key). Unknown keys are absent.
func (t *Tx) ImportKeys(ctx context.Context, keys [][]byte) (map[string]jaga.SubjectID, error) {
	out := make(map[string]jaga.SubjectID)
	err := t.lookupKeys(ctx, "read import keys", selectImportKeysTpl, nil, keys, func(key []byte, id string) {
		out[string(key)] = jaga.SubjectID(id)
	})
	return out, err
}

// ImportKeyContents returns the content hash stored with each known key that has one,
// keyed by string(key).
func (t *Tx) ImportKeyContents(ctx context.Context, keys [][]byte) (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := t.lookupKeys(ctx, "read import key contents", selectImportContentsTpl, nil, keys, func(key []byte, content string) {
		out[string(key)] = []byte(content)
	})
	return out, err
}

// lookupKeys runs tpl, a SELECT of (key, id) rows whose WHERE ends in "IN (?, …)", over
// keys in chunks the dialect allows, with lead bound before each chunk's keys, and
// calls add for every row. what names the step in errors.
func (t *Tx) lookupKeys(ctx context.Context, what string, tpl *rowsTemplate, lead []any, keys [][]byte, add func(key []byte, id string)) error {
	return t.queryKeys(ctx, what, tpl, lead, keys, func(scan func(...any) error) error {
		var (
			key []byte
			id  string
		)
		if err := scan(&key, &id); err != nil {
			return err
		}
		add(key, id)
		return nil
	})
}

// queryKeys runs tpl, a SELECT whose WHERE ends in "IN (?, …)", over keys in chunks the
// dialect allows, with lead bound before each chunk's keys, and calls row with each
// result row's Scan. what names the step in errors.
func (t *Tx) queryKeys(ctx context.Context, what string, tpl *rowsTemplate, lead []any, keys [][]byte, row func(scan func(...any) error) error) error {
	for i := 0; i < len(keys); {
		k := t.db.chunk(tpl, len(keys)-i)
		s, err := t.stmt(ctx, t.db.text(tpl, k))
		if err != nil {
			return t.db.translate(what, err, "", "")
		}
		args := append(t.args[:0], lead...)
		for _, key := range keys[i : i+k] {
			args = append(args, key)
		}
		rows, err := s.QueryContext(ctx, args...)
		clear(args)
		t.args = args[:0]
		if err != nil {
			return t.db.translate(what, err, "", "")
		}
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				rows.Close()
				return t.internal(what, err)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return t.db.translate(what, err, "", "")
		}
		i += k
	}
	return nil
}

// UpdateSubject applies patch to a live subject: sealed values set and removed, blind
// indexes of the fields named in IndexFields or Indexes replaced, UpdatedAt set (to the
// transaction's time when zero). ENOTFOUND if the subject does not exist or was erased.
func (t *Tx) UpdateSubject(ctx context.Context, id jaga.SubjectID, patch jaga.SubjectPatch) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkIndexes(patch.Indexes); err != nil {
		return err
	}
	updated := patch.UpdatedAt
	if updated.IsZero() {
		updated = t.now
	}
	var sealed, indexes []byte
	if err := t.queryRow(ctx, `SELECT sealed, indexes FROM subjects WHERE id = ?`+t.db.dialect.ForUpdate, []any{string(id)}, &sealed, &indexes); err != nil {
		return t.db.translate("update subject", err, "subject not found", "")
	}
	if len(patch.Set) > 0 || len(patch.Remove) > 0 {
		m, err := DecodeSealed(sealed)
		if err != nil {
			return t.internal("update subject", err)
		}
		for _, f := range patch.Remove {
			delete(m, f)
		}
		for f, v := range patch.Set {
			m[f] = v
		}
		sealed = EncodeSealed(m)
	}

	old, err := DecodeIndexes(indexes)
	if err != nil {
		return t.internal("update subject", err)
	}
	replaced := map[string]bool{}
	for _, f := range patch.IndexFields {
		replaced[f] = true
	}
	for _, ix := range patch.Indexes {
		replaced[ix.Field] = true
	}
	var kept []jaga.BlindIndex
	for _, ix := range old {
		if !replaced[ix.Field] {
			kept = append(kept, ix)
		}
	}
	next := sortIndexes(append(kept, patch.Indexes...))

	if _, err := t.exec(ctx, `UPDATE subjects SET sealed = ?, indexes = ?, updated_at = ? WHERE id = ?`,
		sealed, EncodeIndexes(next), TimeValue(updated), string(id)); err != nil {
		return t.db.translate("update subject", err, "", "")
	}
	for _, ix := range old {
		if replaced[ix.Field] && !containsIndex(next, ix) {
			if _, err := t.exec(ctx, `DELETE FROM blind_indexes WHERE field = ? AND value = ? AND subject_id = ?`, ix.Field, ix.Value, string(id)); err != nil {
				return t.db.translate("update subject indexes", err, "", "")
			}
		}
	}
	var added []indexRow
	for _, ix := range next {
		if replaced[ix.Field] && !containsIndex(old, ix) {
			added = append(added, indexRow{ix.Field, ix.Value, string(id)})
		}
	}
	return t.insertIndexes(ctx, added)
}

func containsIndex(ixs []jaga.BlindIndex, x jaga.BlindIndex) bool {
	return slices.ContainsFunc(ixs, func(y jaga.BlindIndex) bool { return y.Field == x.Field && bytes.Equal(y.Value, x.Value) })
}

// SetRestricted sets or clears a live subject's restriction flag (UU PDP Art 11, R-21)
// and its UpdatedAt; ENOTFOUND if it does not exist or was erased.
func (t *Tx) SetRestricted(ctx context.Context, id jaga.SubjectID, restricted bool) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE subjects SET restricted = ?, updated_at = ? WHERE id = ?`, restricted, TimeValue(t.now), string(id))
	return t.affectedOne("restrict subject", res, err, "subject not found")
}

// EraseSubject crypto-shreds a live subject (DESIGN.md invariant 4): it deletes the
// subject's blind indexes, purchases and row (wrapped DEK and sealed values) and records
// the tombstone (id, at) in erased_subjects. Import keys stay, so that a re-import
// finds the tombstone instead of creating the subject again; consent records stay as
// metadata. On SQLite, secure_delete overwrites the deleted cells and Compact removes
// every older copy. ENOTFOUND if the subject does not exist or was already erased.
func (t *Tx) EraseSubject(ctx context.Context, id jaga.SubjectID, at time.Time) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if at.IsZero() {
		at = t.now
	}
	sid := string(id)
	var blob []byte
	if err := t.queryRow(ctx, `SELECT indexes FROM subjects WHERE id = ?`+t.db.dialect.ForUpdate, []any{sid}, &blob); err != nil {
		return t.db.translate("erase subject", err, "subject not found", "")
	}
	indexes, err := DecodeIndexes(blob)
	if err != nil {
		return t.internal("erase subject", err)
	}
	for _, ix := range indexes {
		if _, err := t.exec(ctx, `DELETE FROM blind_indexes WHERE field = ? AND value = ? AND subject_id = ?`, ix.Field, ix.Value, sid); err != nil {
			return t.db.translate("erase subject indexes", err, "", "")
		}
	}
	if _, err := t.exec(ctx, `DELETE FROM purchases WHERE subject_id = ?`, sid); err != nil {
		return t.db.translate("erase subject purchases", err, "", "")
	}
	if err := t.erasePendingPurchasesOf(ctx, sid); err != nil {
		return err
	}
	// Merge records hold the merged rows' values under the subject's DEK (issue 4).
	if _, err := t.exec(ctx, `DELETE FROM merges WHERE subject_id = ?`, sid); err != nil {
		return t.db.translate("erase subject merges", err, "", "")
	}
	// Redaction tokens of the subject's values (issue 8, invariant 4).
	if _, err := t.exec(ctx, `DELETE FROM tokens WHERE subject_id = ?`, sid); err != nil {
		return t.db.translate("erase subject tokens", err, "", "")
	}
	res, err := t.exec(ctx, `DELETE FROM subjects WHERE id = ?`, sid)
	if err := t.affectedOne("erase subject", res, err, "subject not found"); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO erased_subjects (id, erased_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, sid, TimeValue(at)); err != nil {
		return t.db.translate("record erasure", err, "", "")
	}
	return t.eraseConsentState(ctx, sid)
}

// affectedOne translates the result of a statement that must change one row.
func (t *Tx) affectedOne(op string, res sql.Result, err error, notFound string) error {
	if err != nil {
		return t.db.translate(op, err, notFound, "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.internal(op, err)
	}
	if n == 0 {
		return &jaga.Error{Code: jaga.ENOTFOUND, Message: notFound}
	}
	return nil
}

// Erased reports whether id was erased.
func (t *Tx) Erased(ctx context.Context, id jaga.SubjectID) (bool, error) {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM erased_subjects WHERE id = ?`, []any{string(id)}, &one)
	if err == sql.ErrNoRows {
		return false, nil
	} else if err != nil {
		return false, t.db.translate("read erasure", err, "", "")
	}
	return true, nil
}

// CountSubjects returns the number of live subjects.
func (t *Tx) CountSubjects(ctx context.Context) (int, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM subjects`, nil, &n); err != nil {
		return 0, t.db.translate("count subjects", err, "", "")
	}
	return n, nil
}

// InsertPurchases stores purchases in multi-row statements, skipping any whose
// SourceKey is already stored (or repeated in the batch); it returns how many were
// stored. Zero CreatedAt is set to the transaction's time. A purchase of a subject that
// does not exist or was erased is ENOTFOUND, and nothing of the batch is stored.
// Purchases without SourceKey are always stored.
func (t *Tx) InsertPurchases(ctx context.Context, purchases []*jaga.SealedPurchase) (int, error) {
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	for _, p := range purchases {
		if p == nil {
			return 0, jaga.Errorf(jaga.EINVALID, "nil purchase")
		}
		t.stamp(&p.CreatedAt)
	}
	n, err := t.execRows(ctx, insertPurchasesTpl, len(purchases), func(args []any, i int) []any {
		p := purchases[i]
		return append(args, string(p.Subject), nonNil(p.Sealed), nilIfEmpty(p.SourceKey), TimeValue(p.CreatedAt))
	})
	if err != nil {
		return 0, t.db.translate("insert purchases", err, "purchase subject not found", "purchase exists")
	}
	return int(n), nil
}

// Purchases returns a subject's purchases in insertion order (by ID).
func (t *Tx) Purchases(ctx context.Context, subject jaga.SubjectID) ([]*jaga.SealedPurchase, error) {
	rows, err := t.query(ctx, `SELECT id, sealed, source_key, created_at FROM purchases WHERE subject_id = ? ORDER BY id`, string(subject))
	if err != nil {
		return nil, t.db.translate("read purchases", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.SealedPurchase
	for rows.Next() {
		p := &jaga.SealedPurchase{Subject: subject}
		if err := rows.Scan(&p.ID, &p.Sealed, &p.SourceKey, Time{&p.CreatedAt}); err != nil {
			return nil, t.internal("read purchases", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read purchases", err, "", "")
	}
	return out, nil
}

// DeletePurchases deletes every purchase of subject and returns how many.
func (t *Tx) DeletePurchases(ctx context.Context, subject jaga.SubjectID) (int, error) {
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, `DELETE FROM purchases WHERE subject_id = ?`, string(subject))
	if err != nil {
		return 0, t.db.translate("delete purchases", err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.internal("delete purchases", err)
	}
	return int(n), nil
}

// CountPurchases returns the number of stored purchases.
func (t *Tx) CountPurchases(ctx context.Context) (int, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM purchases`, nil, &n); err != nil {
		return 0, t.db.translate("count purchases", err, "", "")
	}
	return n, nil
}

// InsertConsents appends consent records and sets their IDs, which increase in slice
// order. Zero RecordedAt is set to the transaction's time. It does not check that the
// subject exists: consent records are metadata that outlive erasure.
func (t *Tx) InsertConsents(ctx context.Context, consents []*jaga.Consent) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, c := range consents {
		if c == nil {
			return jaga.Errorf(jaga.EINVALID, "nil consent")
		}
	}
	if len(consents) == 0 {
		return nil
	}
	ids, err := t.db.dialect.NextIDs(ctx, t.tx, "consents", len(consents))
	if err != nil {
		return t.db.translate("reserve consent ids", err, "", "")
	}
	details := make([]string, len(consents))
	for i, c := range consents {
		if details[i], err = encodeDetails(c.ConsentDetails); err != nil {
			return t.internal("encode consent details", err)
		}
	}
	if _, err := t.execRows(ctx, insertConsentsTpl, len(consents), func(args []any, i int) []any {
		c := consents[i]
		rec := c.RecordedAt
		if rec.IsZero() {
			rec = t.now
		}
		return append(args, ids[i], string(c.Subject), c.Purpose, string(c.Status), c.Flag, c.NoticeVersion,
			string(c.Channel), c.Evidence, TimeValue(c.At), TimeValue(rec), details[i], TimeValue(c.ExpiresAt), c.TieKey())
	}); err != nil {
		return t.db.translate("insert consents", err, "", "consent exists")
	}
	for i, c := range consents {
		c.ID = ids[i]
		t.stamp(&c.RecordedAt)
	}
	return t.updateCurrent(ctx, consents)
}

const consentColumns = `id, subject_id, purpose, status, flag, notice_version, channel, evidence, at, recorded_at, details`

func scanConsent(sc interface{ Scan(...any) error }) (*jaga.Consent, error) {
	var (
		c                        jaga.Consent
		subject, status, channel string
		details                  []byte
	)
	if err := sc.Scan(&c.ID, &subject, &c.Purpose, &status, &c.Flag, &c.NoticeVersion, &channel, &c.Evidence, Time{&c.At}, Time{&c.RecordedAt}, &details); err != nil {
		return nil, err
	}
	if err := decodeDetails(details, &c.ConsentDetails); err != nil {
		return nil, err
	}
	c.Subject, c.Status, c.Channel = jaga.SubjectID(subject), jaga.ConsentStatus(status), jaga.Channel(channel)
	return &c, nil
}

// Consents returns a subject's consent records, oldest first (jaga.CompareConsents).
func (t *Tx) Consents(ctx context.Context, subject jaga.SubjectID) ([]*jaga.Consent, error) {
	rows, err := t.query(ctx, `SELECT `+consentColumns+` FROM consents WHERE subject_id = ? ORDER BY at, tie, id`, string(subject))
	if err != nil {
		return nil, t.db.translate("read consents", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, t.internal("read consents", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read consents", err, "", "")
	}
	return out, nil
}

// CurrentConsent returns the record in force for (subject, purpose): the last in the
// order of jaga.CompareConsents (at, tie, id); nil and no error when there is none.
func (t *Tx) CurrentConsent(ctx context.Context, subject jaga.SubjectID, purpose string) (*jaga.Consent, error) {
	s, err := t.stmt(ctx, t.db.bind(`SELECT `+consentColumns+` FROM consents WHERE subject_id = ? AND purpose = ? ORDER BY at DESC, tie DESC, id DESC LIMIT 1`))
	if err != nil {
		return nil, t.db.translate("read consent", err, "", "")
	}
	c, err := scanConsent(s.QueryRowContext(ctx, string(subject), purpose))
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, t.db.translate("read consent", err, "", "")
	}
	return c, nil
}

// LockAudit makes this write transaction the only appender of the audit log until it
// ends, across every node sharing the database (Dialect.LockAudit; a no-op on SQLite
// and in read transactions). LastAudit and AppendAudit call it, so that reading the
// log's head and appending after it are one step; a Tx method added for another log
// layout (a Merkle tree's size and hashes) must call it before it reads the head too.
func (t *Tx) LockAudit(ctx context.Context) error {
	if t.auditLocked || !t.writable || t.db.dialect.LockAudit == nil {
		return nil
	}
	if err := t.db.dialect.LockAudit(ctx, t.tx); err != nil {
		return t.db.translate("lock audit log", err, "", "")
	}
	t.auditLocked = true
	return nil
}

// LockResolution makes this write transaction the only one, across every node sharing
// the database, that resolves identities until it ends (Dialect.LockResolution; a no-op
// on SQLite, whose one writer serialises already, and in read transactions). The gate
// takes it before re-checking, inside the transaction that creates subjects, that no
// other node created the same person since the batch was resolved.
func (t *Tx) LockResolution(ctx context.Context) error {
	if t.resolutionLocked || !t.writable || t.db.dialect.LockResolution == nil {
		return nil
	}
	if err := t.db.dialect.LockResolution(ctx, t.tx); err != nil {
		return t.db.translate("lock identity resolution", err, "", "")
	}
	t.resolutionLocked = true
	return nil
}

// CreateActor stores a new actor (CreatedAt set to the transaction's time when zero);
// ECONFLICT if its ID, name or key hash exists.
func (t *Tx) CreateActor(ctx context.Context, a *jaga.Actor) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if a == nil || a.ID == "" || a.Name == "" {
		return jaga.Errorf(jaga.EINVALID, "actor needs an id and a name")
	}
	t.stamp(&a.CreatedAt)
	_, err := t.exec(ctx, `INSERT INTO actors (id, name, kind, role, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, a.Name, string(a.Kind), string(a.Role), nilIfEmpty(a.KeyHash), TimeValue(a.CreatedAt))
	return t.db.translate("create actor", err, "", "actor exists")
}

const actorColumns = `id, name, kind, role, key_hash, created_at`

func scanActor(sc interface{ Scan(...any) error }) (*jaga.Actor, error) {
	var (
		a          jaga.Actor
		kind, role string
	)
	if err := sc.Scan(&a.ID, &a.Name, &kind, &role, &a.KeyHash, Time{&a.CreatedAt}); err != nil {
		return nil, err
	}
	a.Kind, a.Role = jaga.ActorKind(kind), jaga.Role(role)
	return &a, nil
}

// ActorByKeyHash returns the actor whose API-key hash equals h; ENOTFOUND otherwise
// (also for an empty h).
func (t *Tx) ActorByKeyHash(ctx context.Context, h []byte) (*jaga.Actor, error) {
	if len(h) == 0 {
		return nil, &jaga.Error{Code: jaga.ENOTFOUND, Message: "actor not found"}
	}
	s, err := t.stmt(ctx, t.db.bind(`SELECT `+actorColumns+` FROM actors WHERE key_hash = ?`))
	if err != nil {
		return nil, t.db.translate("read actor", err, "", "")
	}
	a, err := scanActor(s.QueryRowContext(ctx, h))
	if err != nil {
		return nil, t.db.translate("read actor", err, "actor not found", "")
	}
	return a, nil
}

// Actors returns every actor by creation time, then ID.
func (t *Tx) Actors(ctx context.Context) ([]*jaga.Actor, error) {
	rows, err := t.query(ctx, `SELECT `+actorColumns+` FROM actors ORDER BY created_at, id`)
	if err != nil {
		return nil, t.db.translate("read actors", err, "", "")
	}
	defer rows.Close()
	var out []*jaga.Actor
	for rows.Next() {
		a, err := scanActor(rows)
		if err != nil {
			return nil, t.internal("read actors", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read actors", err, "", "")
	}
	return out, nil
}

// jsonValue returns v as a JSON string, or nil (SQL NULL) when isNil.
func jsonValue(v any, isNil bool) (any, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// nonNil returns b, or an empty non-nil slice, so that NOT NULL BLOB columns get an
// empty BLOB rather than NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// nilIfEmpty returns nil (SQL NULL) for an empty b, so that UNIQUE columns allow any
// number of rows without a value.
func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// prefixColumns qualifies each column of a comma-separated list with p.
func prefixColumns(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = p + c
	}
	return strings.Join(parts, ", ")
}
