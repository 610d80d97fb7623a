package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"jaga"
	"jaga/seal"
)

// IntakeRow is one row of customer data from any channel (a file line, a web-form post,
// a confirmed sign-up), raw as collected. Key names the row in its source (source ID, or
// file and line) and makes intake idempotent; File and Line say where it came from.
// Problems are what the reader already found wrong (nik_precision_lost); Required lists
// fields the source's own form required (the web form required email); Unverified holds
// values the normaliser cannot verify but that must not be dropped (a landline
// libphonenumber rejects, already written as +62 and digits), stored and flagged
// phone_unverified; Review lists review reasons the reader found. Derived names the
// Values the reader filled in itself rather than read from the source (a birth_date
// derived from the NIK by --derive-birth-date): they are stored like the others but left
// out of the row's version (rowContent), so that the same source row imported again with
// other derivation options is unchanged, not a new version.
type IntakeRow struct {
	Key         []string
	File        string
	Line        int
	Values      map[string]string
	Channel     jaga.Channel
	CollectedAt time.Time
	Consents    []ConsentInput
	Problems    []jaga.RowReason
	Required    []string
	Unverified  map[string]string
	Review      []string
	Derived     []string
	releasing   jaga.SubjectID // the quarantined row being released (its key is not "unchanged")
}

// IntakeStatus is what happened to one intake row.
type IntakeStatus string

// Intake outcomes: a new subject, merged into an existing subject (identity
// resolution), already taken by an earlier run (same key), or quarantined.
const (
	IntakeCreated     IntakeStatus = "created"
	IntakeMerged      IntakeStatus = "merged"
	IntakeUnchanged   IntakeStatus = "unchanged"
	IntakeQuarantined IntakeStatus = "quarantined"
)

// IntakeOutcome is one row's outcome: its status, the subject it created or merged
// into (or the quarantine ID), the quarantine reasons and the review flags raised.
type IntakeOutcome struct {
	Status  IntakeStatus
	Subject jaga.SubjectID
	Reasons []jaga.RowReason
	Review  []string
	// LinkedPurchases counts the pending purchase lines (imported before their
	// customer) that storing this row linked to Subject (pendingpurchase.go).
	LinkedPurchases int
	// LinkedReview lists the review flags the linked lines raised on Subject (an
	// identifier in a description: pii_in_free_text:<kind>, R-33), sorted, once each.
	LinkedReview []string
}

// IntakeSession carries identity-resolution state across the batches of one import: the
// profiles (name, birth date, NIK, fields present, blind indexes, wrapped DEK) of the
// subjects it created or loaded, so that a later batch resolves against them without
// reading and decrypting them again, and the batches resolved but not yet stored
// (ResolveIntake), which later batches resolve against. It holds personal values in
// memory only, never logs them, and is dropped with the import. Not safe for
// concurrent use, except that one StoreIntake may run beside a ResolveIntake; one
// import uses one session.
type IntakeSession struct {
	profiles map[jaga.SubjectID]*profile
	max      int
	bit      map[string]int // field name → its bit in profile.present (AttributesField: 0)

	mu      sync.Mutex        // guards overlay, stale and ResolvedIntake.state
	overlay []*ResolvedIntake // resolved batches not yet stored, oldest first
	stale   bool              // a resolved batch failed to store: profiles may be wrong
}

// NewIntakeSession returns a session that caches up to maxProfiles profiles (default
// 500,000; about 250 bytes each).
func (g *Gate) NewIntakeSession(maxProfiles int) *IntakeSession {
	if maxProfiles <= 0 {
		maxProfiles = 500_000
	}
	bit := map[string]int{AttributesField: 0}
	for _, f := range g.schema.Fields {
		if f.Kind != jaga.KindAttribute {
			bit[f.Name] = len(bit)
		}
	}
	return &IntakeSession{profiles: make(map[jaga.SubjectID]*profile), max: maxProfiles, bit: bit}
}

// has reports whether the subject of p holds field f (or, for AttributesField, any
// attribute).
func (s *IntakeSession) has(p *profile, f string) bool {
	b, ok := s.bit[f]
	return ok && b/64 < len(p.present) && p.present[b/64]&(1<<(b%64)) != 0
}

// mark records that the subject of p holds field f; names outside the schema are
// ignored (resolution asks only about schema fields).
func (s *IntakeSession) mark(p *profile, f string) {
	b, ok := s.bit[f]
	if !ok {
		return
	}
	if p.present == nil {
		p.present = make([]uint64, (len(s.bit)+63)/64)
	}
	p.present[b/64] |= 1 << (b % 64)
}

func (s *IntakeSession) put(id jaga.SubjectID, p *profile) {
	if len(s.profiles) >= s.max {
		for k := range s.profiles { // evict an arbitrary tenth
			delete(s.profiles, k)
			if len(s.profiles) < s.max*9/10 {
				break
			}
		}
	}
	s.profiles[id] = p
}

// profile is what identity resolution needs of a subject, compact because an import
// keeps up to IntakeSession.max of them: the fields present as bits (IntakeSession.has),
// the blind indexes as fixed arrays.
type profile struct {
	name, birth, nik string
	present          []uint64
	indexes          []profileIndex
	wrapped          []byte
}

// profileIndex is one blind index of a profile; field is the schema's own string.
type profileIndex struct {
	field string
	value [16]byte
}

func (p *profile) hasIndex(field string, v []byte) bool {
	for i := range p.indexes {
		if p.indexes[i].field == field && string(p.indexes[i].value[:]) == string(v) {
			return true
		}
	}
	return false
}

// addIndex appends a blind index (16 bytes, as the store requires of every one).
func (p *profile) addIndex(field string, v []byte) {
	var ix profileIndex
	ix.field = field
	copy(ix.value[:], v)
	p.indexes = append(p.indexes, ix)
}

// IntakeBatch is a prepared batch: validated, normalised, blind-indexed, quarantined
// rows sealed. CommitIntake (or ResolveIntake, then StoreIntake) resolves and stores
// it; a batch may be resolved again after a failed store.
type IntakeBatch struct {
	req  Request
	p    *jaga.Purpose
	rows []*intakePrep
}

type intakePrep struct {
	row     *IntakeRow
	ikey    []byte
	content []byte // the version of a keyed row (contentOf)
	vkey    []byte // its version key (versionKey), once needed
	values  map[string]string
	reasons []jaga.RowReason
	idx     map[string][]byte // indexed field → blind index
	q       *jaga.QuarantinedRow
	review  []string
}

// quarantined is the sealed form of a quarantined row: everything needed to fix and
// release it.
type quarantined struct {
	Values      map[string]string `json:"values"`
	Unverified  map[string]string `json:"unverified,omitempty"`
	Channel     jaga.Channel      `json:"channel"`
	CollectedAt time.Time         `json:"collected_at"`
	Consents    []ConsentInput    `json:"consents,omitempty"`
	Key         []string          `json:"key"`
	Required    []string          `json:"required,omitempty"`
	Review      []string          `json:"review,omitempty"`
	Problems    []jaga.RowReason  `json:"problems,omitempty"`
}

// maxConflictFlags is how many other subjects one row is flagged against at most as an
// identity conflict (the oldest): a contact shared by hundreds of people (a shop's
// phone typed for every customer) would otherwise raise a pair of flags for every two of
// them, hundreds of thousands for one file, where a few show a reviewer the problem.
const maxConflictFlags = 5

// identifiers are the fields of which a row needs at least one valid value.
var identifiers = Identifiers

// PrepareIntake validates, normalises and blind-indexes rows on every core but one, and
// seals the rows that fail validation under a quarantine data key of their own. It
// takes no lock: the next batch prepares while the one before commits. Errors: as
// Create for the request (the refusal is audited).
func (g *Gate) PrepareIntake(ctx context.Context, req Request, rows []IntakeRow) (*IntakeBatch, error) {
	p, err := g.checkRequest(req)
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionImport, nil, nil, err)
	}
	b := &IntakeBatch{req: req, p: p, rows: make([]*intakePrep, len(rows))}
	errs := make([]error, len(rows))
	parallel(len(rows), func(i int) {
		b.rows[i], errs[i] = g.prepRow(p, &rows[i])
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// reasonOf turns a validation error into a quarantine reason: code invalid_<field> (or
// the error's own reason code) and its message, which never holds the value.
func reasonOf(field string, err error) jaga.RowReason {
	code := "invalid_" + field
	if e := jaga.AsError(err); e != nil && e.Field != "" && e.Field != field && jaga.ValidName(e.Field) {
		field = e.Field
	}
	return jaga.RowReason{Field: field, Code: code, Reason: jaga.ErrorMessage(err)}
}

func (g *Gate) prepRow(p *jaga.Purpose, r *IntakeRow) (*intakePrep, error) {
	pr := &intakePrep{row: r, reasons: slices.Clone(r.Problems), review: slices.Clone(r.Review)}
	if r.Key != nil {
		pr.ikey = g.keys.ImportKey(r.Key...)
	}
	// Everything prepare checks, but every problem of the row is collected. The row's
	// own map serves as long as nothing is left out of it (the common case: no empty
	// value, no problem found by the reader); it is copied before anything is removed.
	vals, owned := r.Values, false
	clean := len(r.Problems) == 0
	for _, raw := range r.Values {
		if !clean {
			break
		}
		clean = strings.TrimSpace(raw) != ""
	}
	if !clean {
		vals, owned = make(map[string]string, len(r.Values)), true
		for name, raw := range r.Values {
			if strings.TrimSpace(raw) != "" && !hasReason(r.Problems, name) { // the reader's verdict stands
				vals[name] = raw
			}
		}
	}
	stopped := false // a row-level problem ended the checks of the values
	if len(vals) > 0 || len(r.Consents) > 0 {
		channel, at, consents := r.Channel, r.CollectedAt, r.Consents
		out, err := g.prepare(p, vals, channel, at, consents)
		for err != nil {
			e := jaga.AsError(err)
			if e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field == "" || e.Field == "values" {
				if e != nil && e.Field == "values" {
					break
				}
				return nil, err
			}
			field := e.Field
			pr.reasons = append(pr.reasons, reasonOf(field, err))
			if _, ok := vals[field]; !ok {
				// A row-level problem: the values are checked on without it, so that
				// their own problems are reported too and none is reported missing.
				switch field {
				case "collected_at":
					at = time.Time{}
				case "consents":
					consents = nil
				case "channel":
					channel = ""
				default:
					vals, stopped = nil, true
				}
				if stopped {
					break
				}
				out, err = g.prepare(p, vals, channel, at, consents)
				continue
			}
			if !owned {
				vals, owned = maps.Clone(vals), true
			}
			delete(vals, field)
			if len(vals) == 0 {
				break
			}
			out, err = g.prepare(p, vals, channel, at, consents)
		}
		if err == nil && out != nil {
			pr.values = out.values
			pr.review = append(pr.review, out.review...)
		}
	}
	if pr.values == nil {
		pr.values = map[string]string{}
	}
	for name, v := range r.Unverified {
		f, ok := g.schema.Field(name)
		if !ok || f.Type != jaga.TypePhone || !plausibleE164(v) {
			pr.reasons = append(pr.reasons, jaga.RowReason{Field: name, Code: "invalid_" + name, Reason: "unverified value must be a phone written +62 and 7-13 digits"})
			continue
		}
		pr.values[name] = v
		pr.review = append(pr.review, "phone_unverified")
	}
	if _, ok := pr.values["full_name"]; !ok && !stopped && !hasReason(pr.reasons, "full_name") {
		pr.reasons = append(pr.reasons, jaga.RowReason{Field: "full_name", Code: "missing_full_name", Reason: "full_name is required"})
	}
	ids := 0
	for _, f := range identifiers {
		if _, ok := pr.values[f]; ok {
			ids++
		}
	}
	if ids == 0 && len(pr.reasons) == 0 {
		pr.reasons = append(pr.reasons, jaga.RowReason{Field: "row", Code: "no_identifier", Reason: "a valid email, phone or nik is required"})
	}
	for _, f := range r.Required {
		if _, ok := pr.values[f]; !ok && !hasReason(pr.reasons, f) {
			pr.reasons = append(pr.reasons, jaga.RowReason{Field: f, Code: "missing_required", Reason: f + " was required by the source form"})
		}
	}
	if len(pr.reasons) > 0 {
		if pr.ikey != nil {
			// A version that fails validation, as written: never equal to a stored
			// (normalised) version, so that a changed record is quarantined, not skipped.
			pr.content = g.rowContent(r.Values, r)
		}
		err := g.sealQuarantine(pr)
		pr.row = r.withoutValues()
		return pr, err
	}
	pr.idx = make(map[string][]byte, 3)
	for _, f := range g.schema.Indexed() {
		if v, ok := pr.values[f.Name]; ok {
			pr.idx[f.Name] = g.keys.BlindIndex(f.Name, v)
		}
	}
	pr.row = r.withoutValues()
	return pr, nil
}

// contentOf returns pr's version (rowContent), computed the first time it is needed:
// most rows need it only when stored, and are then sealed on every core.
func (g *Gate) contentOf(pr *intakePrep) []byte {
	if pr.content == nil && pr.ikey != nil {
		pr.content = g.rowContent(pr.values, pr.row)
	}
	return pr.content
}

// versionKey is the import key of a later version of a source record: the row's key
// and its content, so that every version met is known again (a file that holds two
// versions of one record, run twice, changes nothing the second time).
func (g *Gate) versionKey(pr *intakePrep) []byte {
	return g.keys.ImportKey("source-row-version", string(pr.ikey), string(g.contentOf(pr)))
}

// rowContent is the version of a keyed row: a keyed hash (seal.Keyring.ImportKey, so
// it holds no value, invariant 2) of its normalised values in name order (without the
// values the reader derived, IntakeRow.Derived), its consents, channel and collection
// time. The same record written with its columns in another order, or a phone written
// another way, or imported with other derivation options, is the same version; any other
// difference is a new version of the source record (resolveIntake).
func (g *Gate) rowContent(values map[string]string, r *IntakeRow) []byte {
	names := g.contentNames()
	n := 0
	for _, name := range names {
		if _, ok := values[name]; ok {
			n++
		}
	}
	if n != len(values) {
		names = sortedKeys(values) // a name outside the schema: the same order, by name
	}
	return g.keys.ImportKeyFunc(func(add func(string)) {
		add("row-content/v1")
		add(string(r.Channel))
		add(r.CollectedAt.UTC().Format(time.RFC3339Nano))
		for _, name := range names {
			if v, ok := values[name]; ok && !slices.Contains(r.Derived, name) {
				add(name)
				add(v)
			}
		}
		for _, c := range r.Consents {
			add("consent")
			add(c.Purpose)
			add(string(c.Status))
			add(c.NoticeVersion)
			add(c.Evidence)
			add(c.At.Format(time.RFC3339Nano))
			add(strconv.FormatBool(c.GPC))
			add(c.Flag)
			if c.Details != (jaga.ConsentDetails{}) {
				b, _ := json.Marshal(c.Details) // a struct without maps: the same details, the same JSON
				add(string(b))
			}
		}
	})
}

// changedConsents adjusts the consent records of a changed source row (resolveIntake)
// against the decisions in force for its subject, on the side of the customer's privacy
// (UU PDP Art 9, R-10): a refusal that is not newer than a consent in force (the row
// kept its collection time while its consent column changed) is dated at this import,
// when Jaga learned of it, and recorded as the withdrawal of that consent, so that the
// newer export's "no" wins whatever the file names and lines; a consent given in the row
// keeps its own time, so that it counts only when it is newer than the decision in force
// (an export that still says yes cannot bring back a consent withdrawn since). It
// returns the withdrawals, whose consequences (Gate.withdrawal: data kept by other
// bases, deletions scheduled) the store step applies.
func (g *Gate) changedConsents(ctx context.Context, tx jaga.Tx, id jaga.SubjectID, cs []*jaga.Consent, now time.Time) ([]*jaga.Consent, error) {
	var out []*jaga.Consent
	for _, c := range cs {
		if c.Status != jaga.ConsentRefused {
			continue
		}
		cur, err := tx.CurrentConsent(ctx, id, c.Purpose)
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if cur == nil || cur.Status != jaga.ConsentGiven {
			continue
		}
		if !c.At.After(cur.At) {
			c.At = now
		}
		c.Status = jaga.ConsentWithdrawn
		out = append(out, c)
	}
	return out, nil
}

// contentNames returns the schema's field and attribute names sorted by name (the
// order of rowContent, which must not depend on the order a company lists its
// attributes in), computed once.
func (g *Gate) contentNames() []string {
	g.contentOnce.Do(func() {
		g.sortedNames = g.schema.Names()
		slices.Sort(g.sortedNames)
	})
	return g.sortedNames
}

// withoutValues returns a copy of r without its raw values, which a prepared row no
// longer needs (its normalised values are in intakePrep.values), so that a batch
// waiting to commit holds one copy of the values, not two.
func (r *IntakeRow) withoutValues() *IntakeRow {
	c := *r
	c.Values, c.Unverified = nil, nil
	return &c
}

func hasReason(rs []jaga.RowReason, field string) bool {
	return slices.ContainsFunc(rs, func(r jaga.RowReason) bool { return r.Field == field })
}

// plausibleE164 reports whether v is "+62" followed by 7-13 digits.
func plausibleE164(v string) bool {
	d, ok := strings.CutPrefix(v, "+62")
	if !ok || len(d) < 7 || len(d) > 13 {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// sealQuarantine seals the row's raw values under a new data key (invariant 2), with
// the blind indexes of its values that normalise (quarantineIndexes), so that erasure
// finds it (invariant 4).
func (g *Gate) sealQuarantine(pr *intakePrep) error {
	id, err := NewSubjectID()
	if err != nil {
		return err
	}
	dek, wrapped, err := g.keys.NewDEK(id)
	if err != nil {
		return err
	}
	r := pr.row
	key := pr.ikey
	if key != nil && pr.content != nil {
		// Each version of a source record is quarantined on its own: a corrected
		// export of a quarantined row is imported, the same one again is known.
		pr.vkey = g.versionKey(pr)
		key = pr.vkey
	}
	if key == nil {
		// A row without a key (a web-form post) still needs one for the quarantine.
		key = g.keys.ImportKey("quarantine", string(id))
	}
	pt, err := json.Marshal(&quarantined{Values: r.Values, Unverified: r.Unverified, Channel: r.Channel, CollectedAt: r.CollectedAt,
		Consents: r.Consents, Key: r.Key, Required: r.Required, Review: r.Review, Problems: r.Problems})
	if err != nil {
		return err
	}
	ct, err := dek.Seal(seal.QuarantineAD(id), pt)
	if err != nil {
		return err
	}
	pr.q = &jaga.QuarantinedRow{ID: id, RowKey: key, SourceKey: pr.ikey, File: sourceFileName(r.File), Line: r.Line, Reasons: pr.reasons,
		WrappedDEK: wrapped, Sealed: ct, Status: jaga.QuarantineOpen, Indexes: g.quarantineIndexes(r.Values, r.Unverified, r.Problems)}
	return nil
}

// pendingSubject is a subject created by the batch being committed.
type pendingSubject struct {
	id      jaga.SubjectID
	values  map[string]string
	aliases []jaga.BlindIndex // extra contact values of merged rows
	first   *intakePrep
	dek     *seal.DEK
	sealed  *jaga.SealedSubject
}

// dbMerge is the accumulated change of one existing subject in a batch.
type dbMerge struct {
	id     jaga.SubjectID
	prof   *profile
	set    map[string]string // fields to add
	attrs  map[string]string // attributes to add when the subject has none
	newIdx []jaga.BlindIndex
}

// CommitIntake resolves the identities of a prepared batch and stores it in one
// transaction, with one audit event per kind of change (import: subjects created;
// merge: subjects that absorbed rows; quarantine: how many rows). Batches of all
// imports are committed one at a time, in the order the caller commits them, so that
// resolution sees every earlier batch: a batch resolves exactly as its rows would one by
// one.
//
// Resolution rule (issue 4): a row with a NIK some subject has joins that subject (the
// oldest, if several). Otherwise a row joins the first subject, oldest first, that
// shares its e-mail, then its phone, and is compatible: no different NIK, no different
// birth date, and names that agree (see namesAgree). A subject that shares a contact
// value but is not compatible is not merged: both are flagged identity_conflict for
// review. A merged row fills the fields the subject lacks; its other values stay sealed
// in the merge record, and a different e-mail or phone is added as a further blind index
// (so later rows find the subject by either). Every row's consents are stored as its own
// records, with its own evidence and time.
func (g *Gate) CommitIntake(ctx context.Context, s *IntakeSession, b *IntakeBatch) ([]IntakeOutcome, error) {
	g.intakeMu.Lock()
	defer g.intakeMu.Unlock()
	for attempt := 0; ; attempt++ {
		r, err := g.resolveIntake(ctx, s, b)
		if err != nil {
			return nil, err
		}
		out, err := g.StoreIntake(ctx, s, r)
		if jaga.ErrorCode(err) == jaga.ECONFLICT && attempt < 8 {
			// Another writer stored one of these keys meanwhile: resolve again (the
			// session drops its profiles first).
			continue
		}
		return out, err
	}
}

// ResolvedIntake is a batch whose identities are resolved and whose new values are
// sealed, ready for StoreIntake. Until it is stored, later batches of its session
// resolve as if it were (see ResolveIntake).
type ResolvedIntake struct {
	out   []IntakeOutcome
	write func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)
	deps  []*ResolvedIntake // the unstored batches this one was resolved against
	state int               // resolvedPending, resolvedStored or resolvedFailed (IntakeSession.mu)

	// What storing it adds, for the batches resolved before it is stored: import keys
	// and quarantine keys → subject or quarantine ID, blind indexes → subjects, and the
	// profiles of the subjects it creates.
	keys, qkeys map[string]jaga.SubjectID
	contents    map[string][]byte // import key → the version of its row stored
	idx         map[indexKey][]jaga.SubjectID
	profs       map[jaga.SubjectID]*profile

	// resolve: write creates subjects, gives subjects source keys (whose pending
	// purchases it links) or quarantines rows, under the resolution lock (serial.go).
	resolve bool
}

const (
	resolvedPending = iota
	resolvedStored
	resolvedFailed
)

// indexKey is a blind index of a field, as a map key.
type indexKey struct {
	field string
	value [16]byte
}

func keyOf(field string, v []byte) indexKey {
	k := indexKey{field: field}
	copy(k.value[:], v)
	return k
}

// ResolveIntake resolves and seals a prepared batch (CommitIntake's first half), so that
// the caller can store the batch before with StoreIntake meanwhile: an import
// pipelines its batches so. Batches of one session must be resolved in order and
// stored in that same order, each after the one before has been stored; a batch
// resolves against the stored subjects and against every batch of its session that is
// resolved but not yet stored, exactly as if those were stored. Resolution holds the
// gate's intake lock; storing does not, so another intake may commit in between: the
// store's re-check (recheckResolution) then finds what it created and StoreIntake
// returns ECONFLICT. Errors: as CommitIntake.
func (g *Gate) ResolveIntake(ctx context.Context, s *IntakeSession, b *IntakeBatch) (*ResolvedIntake, error) {
	g.intakeMu.Lock()
	defer g.intakeMu.Unlock()
	return g.resolveIntake(ctx, s, b)
}

// StoreIntake stores a resolved batch in one transaction and returns its rows'
// outcomes. ECONFLICT means the batch must be resolved again (CommitIntake does that):
// another writer stored one of its people meanwhile, or a batch it was resolved against
// failed to store; the session then forgets its cached profiles and every batch
// resolved but not stored. A batch whose predecessor is still being stored is an
// EINTERNAL error: store in order.
func (g *Gate) StoreIntake(ctx context.Context, s *IntakeSession, r *ResolvedIntake) ([]IntakeOutcome, error) {
	s.mu.Lock()
	var depErr error
	for _, d := range r.deps {
		switch d.state {
		case resolvedFailed:
			depErr = jaga.Errorf(jaga.ECONFLICT, "identity resolution: a batch this one was resolved against was not stored")
		case resolvedPending:
			depErr = jaga.Errorf(jaga.EINTERNAL, "intake batches stored out of order")
		}
	}
	s.mu.Unlock()
	err := depErr
	if err == nil && r.resolve {
		err = g.execResolving(ctx, r.write)
	} else if err == nil {
		err = g.exec(ctx, r.write)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.overlay, r); i >= 0 {
		s.overlay = slices.Delete(s.overlay, i, i+1)
	}
	// Drop what only this call reads, the batches before it above all (else each batch
	// would keep every batch before it alive). Its keys, indexes and profiles stay for
	// a resolution that took it from the overlay before it was stored.
	out := r.out
	r.out, r.write, r.deps = nil, nil, nil
	if err != nil {
		r.state = resolvedFailed
		s.stale = true
		return nil, err
	}
	r.state = resolvedStored
	return out, nil
}

// Discard drops a resolved batch that will not be stored (the caller will commit its
// rows again after the batch it was resolved against failed to store): later
// resolutions no longer see it, and the session forgets its cached profiles, which
// the batch's resolution may have changed.
func (s *IntakeSession) Discard(r *ResolvedIntake) {
	if r == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.state == resolvedPending {
		r.state = resolvedFailed
	}
	if i := slices.Index(s.overlay, r); i >= 0 {
		s.overlay = slices.Delete(s.overlay, i, i+1)
	}
	s.stale = true
}

// begin starts a resolution: after a failed store it forgets the cached profiles (they
// may hold subjects that were never stored) and the batches resolved meanwhile; it
// returns the batches still waiting to be stored (waiting, whose states the new batch
// depends on) and copies of them taken under the session lock (view, to read their
// keys, indexes and profiles while StoreIntake, on another goroutine, may drop them
// from the originals).
func (s *IntakeSession) begin() (waiting, view []*ResolvedIntake) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stale {
		clear(s.profiles)
		for _, r := range s.overlay {
			r.state = resolvedFailed
		}
		s.overlay, s.stale = nil, false
	}
	waiting = slices.Clone(s.overlay)
	view = make([]*ResolvedIntake, len(waiting))
	for i, r := range waiting {
		cp := *r
		view[i] = &cp
	}
	return waiting, view
}

func (g *Gate) resolveIntake(ctx context.Context, s *IntakeSession, b *IntakeBatch) (*ResolvedIntake, error) {
	waiting, overlay := s.begin()
	out := make([]IntakeOutcome, len(b.rows))
	var keys, qkeys [][]byte
	for _, pr := range b.rows {
		if pr.ikey != nil {
			keys = append(keys, pr.ikey)
		}
		if pr.q != nil {
			qkeys = append(qkeys, pr.q.RowKey)
		}
	}
	now := g.now()
	var (
		known, qknown map[string]jaga.SubjectID
		contents      map[string][]byte // known import key → version of its row stored
		found         = map[string]map[string][]jaga.SubjectID{}
	)
	local := map[indexKey][]jaga.SubjectID{} // blind index → subjects of this batch or learned
	pending := map[jaga.SubjectID]*pendingSubject{}
	var order []*pendingSubject
	merges := map[jaga.SubjectID]*dbMerge{}
	var mergeOrder []*dbMerge
	type mergeRow struct {
		pr     *intakePrep
		target jaga.SubjectID
		fields []string
		rec    *jaga.MergeRecord
	}
	var mrows []*mergeRow
	var flags []*jaga.ReviewFlag
	var quarantine []*jaga.QuarantinedRow
	inBatch := map[string]jaga.SubjectID{}
	inBatchFirst := map[string]*intakePrep{} // import key → the row of this batch that first had it
	consentsOf := map[*intakePrep][]*jaga.Consent{}
	// A keyed row whose key is known but whose version is not is a change of the source
	// record (its source ID came again with other values): it updates the subject the
	// key belongs to instead of being reported as already imported.
	updates := map[*intakePrep]bool{}
	var withdrawals []*jaga.Consent // consents that changed source rows withdraw

	err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		if known, err = tx.ImportKeys(ctx, keys); err != nil {
			return err
		}
		if qknown, err = tx.QuarantineKeys(ctx, append(slices.Clone(keys), qkeys...)); err != nil {
			return err
		}
		if len(known) > 0 {
			seen := make([][]byte, 0, len(known))
			for _, k := range keys {
				if _, ok := known[string(k)]; ok {
					seen = append(seen, k)
				}
			}
			if contents, err = tx.ImportKeyContents(ctx, seen); err != nil {
				return err
			}
		}
		if contents == nil {
			contents = map[string][]byte{}
		}
		if len(overlay) > 0 {
			if known == nil {
				known = map[string]jaga.SubjectID{}
			}
			if qknown == nil {
				qknown = map[string]jaga.SubjectID{}
			}
			for _, k := range keys {
				for _, o := range overlay {
					if id, ok := o.keys[string(k)]; ok {
						known[string(k)] = id
						if c, ok := o.contents[string(k)]; ok {
							contents[string(k)] = c
						}
					}
					if id, ok := o.qkeys[string(k)]; ok {
						qknown[string(k)] = id
					}
				}
			}
			for _, k := range qkeys {
				for _, o := range overlay {
					if id, ok := o.qkeys[string(k)]; ok {
						qknown[string(k)] = id
					}
				}
			}
		}
		// A known key whose first version differs may have met this version since: its
		// version key (versionKey) is then known too.
		var vkeys [][]byte
		for _, pr := range b.rows {
			if pr.ikey == nil {
				continue
			}
			if _, ok := known[string(pr.ikey)]; !ok {
				continue
			}
			if c, ok := contents[string(pr.ikey)]; ok && string(c) != string(g.contentOf(pr)) {
				pr.vkey = g.versionKey(pr)
				vkeys = append(vkeys, pr.vkey)
			}
		}
		if len(vkeys) > 0 {
			vknown, err := tx.ImportKeys(ctx, vkeys)
			if err != nil {
				return err
			}
			for _, k := range vkeys {
				for _, o := range overlay {
					if id, ok := o.keys[string(k)]; ok {
						vknown[string(k)] = id
					}
				}
			}
			maps.Copy(known, vknown)
		}
		for _, f := range g.schema.Indexed() {
			var vals [][]byte
			for _, pr := range b.rows {
				if v, ok := pr.idx[f.Name]; ok && pr.q == nil {
					vals = append(vals, v)
				}
			}
			if len(vals) == 0 {
				continue
			}
			if found[f.Name], err = tx.FindByIndexes(ctx, f.Name, vals); err != nil {
				return err
			}
			if len(overlay) > 0 {
				if found[f.Name] == nil {
					found[f.Name] = map[string][]jaga.SubjectID{}
				}
				for _, v := range vals {
					k := keyOf(f.Name, v)
					for _, o := range overlay {
						for _, id := range o.idx[k] {
							if !slices.Contains(found[f.Name][string(v)], id) {
								found[f.Name][string(v)] = append(found[f.Name][string(v)], id)
							}
						}
					}
				}
			}
		}
		// prof returns the profile of a subject: pending in this batch, cached, or read.
		prof := func(id jaga.SubjectID) (*profile, error) {
			if ps := pending[id]; ps != nil {
				return profileOf(ps.values), nil
			}
			if p := s.profiles[id]; p != nil {
				return p, nil
			}
			for _, o := range overlay {
				if p := o.profs[id]; p != nil {
					return p, nil
				}
			}
			sub, err := tx.Subject(ctx, id)
			if err != nil {
				return nil, err
			}
			p, err := g.loadProfile(s, sub)
			if err != nil {
				return nil, err
			}
			s.put(id, p)
			return p, nil
		}
		candidates := func(field string, v []byte) []jaga.SubjectID {
			extra := local[keyOf(field, v)]
			if len(extra) == 0 {
				// Most values: found's own list, sorted in place (the re-check compares
				// only its length).
				c := found[field][string(v)]
				slices.Sort(c) // oldest first: IDs are UUIDv7
				return c
			}
			c := slices.Clone(found[field][string(v)])
			for _, id := range extra {
				if !slices.Contains(c, id) {
					c = append(c, id)
				}
			}
			slices.Sort(c) // oldest first: IDs are UUIDv7
			return c
		}
		learn := func(field string, v []byte, id jaga.SubjectID) {
			k := keyOf(field, v)
			if !slices.Contains(local[k], id) && !slices.Contains(found[field][string(v)], id) {
				local[k] = append(local[k], id)
			}
		}
		// seen reports whether key k's row is a version met before: the first version,
		// stored with the key (a key stored without one, a content-hash key or a key
		// stored before versions were kept, counts as the same), or a later one, known
		// by its version key. A row of the same source ID with values, consents or a
		// collection time not met before is a change of the source record.
		seen := func(first []byte, ok bool, pr *intakePrep) bool {
			if !ok || string(first) == string(g.contentOf(pr)) {
				return true
			}
			if pr.vkey == nil {
				pr.vkey = g.versionKey(pr)
			}
			_, known := known[string(pr.vkey)]
			_, batch := inBatch[string(pr.vkey)]
			return known || batch
		}
		for i, pr := range b.rows {
			var update jaga.SubjectID // the subject whose source record this row changes
			if pr.ikey != nil {
				k := string(pr.ikey)
				if id, ok := known[k]; ok {
					if c, ok := contents[k]; seen(c, ok, pr) {
						out[i] = IntakeOutcome{Status: IntakeUnchanged, Subject: id}
						continue
					}
					if _, err := prof(id); jaga.ErrorCode(err) == jaga.ENOTFOUND {
						// The subject was erased: its key stays so that no import brings
						// it back, and a new version of its row changes nothing.
						out[i] = IntakeOutcome{Status: IntakeUnchanged, Subject: id}
						continue
					} else if err != nil {
						return err
					}
					update = id
				} else if id, ok := qknown[k]; ok && id != pr.row.releasing {
					out[i] = IntakeOutcome{Status: IntakeUnchanged, Subject: id}
					continue
				} else if id, ok := inBatch[k]; ok {
					var content []byte
					first := inBatchFirst[k] // nil for a key only a quarantined row took
					if first != nil {
						content = g.contentOf(first)
					}
					if seen(content, first != nil, pr) {
						out[i] = IntakeOutcome{Status: IntakeUnchanged, Subject: id}
						continue
					}
					update = id
				}
			}
			if pr.q != nil {
				if id, ok := qknown[string(pr.q.RowKey)]; ok {
					out[i] = IntakeOutcome{Status: IntakeUnchanged, Subject: id}
					continue
				}
				quarantine = append(quarantine, pr.q)
				out[i] = IntakeOutcome{Status: IntakeQuarantined, Subject: pr.q.ID, Reasons: pr.reasons}
				if pr.ikey != nil {
					// By its version key: a later, valid version of the same source
					// record in this batch is imported, not taken for this one.
					inBatch[string(pr.q.RowKey)] = pr.q.ID
				}
				continue
			}
			// Resolve: a changed source record stays with its subject; the subjects its
			// new values point to otherwise are conflicts.
			target := update
			var conflicts []jaga.SubjectID
			// A changed source record takes the new values, except a quarantined row
			// released now: an older version, which only fills what is missing.
			overwrite := update != "" && pr.row.releasing == ""
			if update != "" {
				updates[pr] = true
			}
			if v, ok := pr.idx["nik"]; ok {
				if c := candidates("nik", v); len(c) > 0 {
					if target == "" {
						target = c[0]
					} else if !slices.Contains(c, target) {
						conflicts = append(conflicts, c[0])
					}
				}
			}
			for _, f := range []string{"email", "phone"} {
				v, ok := pr.idx[f]
				if !ok {
					continue
				}
				for _, id := range candidates(f, v) {
					if target != "" && len(conflicts) >= maxConflictFlags {
						break // enough to review; the rest share the same contact
					}
					if id == target || slices.Contains(conflicts, id) {
						continue
					}
					p, err := prof(id)
					if jaga.ErrorCode(err) == jaga.ENOTFOUND {
						continue
					} else if err != nil {
						return err
					}
					if compatible(pr.values, p) {
						if target == "" {
							target = id
						}
						continue
					}
					conflicts = append(conflicts, id)
				}
			}
			if target == "" {
				id, err := NewSubjectID()
				if err != nil {
					return err
				}
				ps := &pendingSubject{id: id, values: pr.values, first: pr}
				pending[id] = ps
				order = append(order, ps)
				target = id
				out[i] = IntakeOutcome{Status: IntakeCreated, Subject: id}
			} else {
				mr := &mergeRow{pr: pr, target: target}
				if ps := pending[target]; ps != nil {
					vals := make(map[string]string, len(ps.values)+2)
					maps.Copy(vals, ps.values)
					for f, v := range pr.values {
						old, has := vals[f]
						switch {
						case !has:
							vals[f] = v
							mr.fields = append(mr.fields, f)
						case old == v:
						case overwrite:
							// A later version of the record that created this subject in
							// this batch: its value wins, the earlier one stays findable.
							vals[f] = v
							mr.fields = append(mr.fields, f)
							if pr.idx[f] != nil {
								ps.aliases = append(ps.aliases, jaga.BlindIndex{Field: f, Value: g.keys.BlindIndex(f, old)})
							}
						case pr.idx[f] != nil:
							ps.aliases = append(ps.aliases, jaga.BlindIndex{Field: f, Value: pr.idx[f]})
						}
					}
					ps.values = vals
				} else {
					p, err := prof(target)
					if err != nil {
						return err
					}
					m := merges[target]
					if m == nil {
						m = &dbMerge{id: target, prof: p, set: map[string]string{}}
						merges[target] = m
						mergeOrder = append(mergeOrder, m)
					}
					var attrs map[string]string
					for f, v := range pr.values {
						spec, _ := g.schema.Field(f)
						if spec.Kind == jaga.KindAttribute {
							if !s.has(p, AttributesField) || overwrite {
								if attrs == nil {
									attrs = map[string]string{}
								}
								attrs[f] = v
							}
							continue
						}
						if !s.has(p, f) || overwrite {
							m.set[f] = v
							s.mark(p, f)
							mr.fields = append(mr.fields, f)
							if f == "full_name" {
								p.name = v
							}
							if f == "birth_date" {
								p.birth = v
							}
							if f == "nik" {
								p.nik = v
							}
						}
						if ix := pr.idx[f]; ix != nil && !p.hasIndex(f, ix) {
							p.addIndex(f, ix)
							m.newIdx = append(m.newIdx, jaga.BlindIndex{Field: f, Value: ix})
						}
					}
					if attrs != nil {
						m.attrs = attrs
						s.mark(p, AttributesField)
						for f := range attrs {
							mr.fields = append(mr.fields, f)
						}
					}
				}
				slices.Sort(mr.fields)
				mrows = append(mrows, mr)
				out[i] = IntakeOutcome{Status: IntakeMerged, Subject: target}
			}
			for f, v := range pr.idx {
				learn(f, v, target)
			}
			if pr.ikey != nil {
				if update != "" {
					inBatch[string(pr.vkey)] = target
				} else {
					inBatch[string(pr.ikey)] = target
					inBatchFirst[string(pr.ikey)] = pr
				}
			}
			for _, c := range conflicts[:min(len(conflicts), maxConflictFlags)] {
				flags = append(flags, &jaga.ReviewFlag{Subject: target, Reason: "identity_conflict", Other: c, File: sourceFileName(pr.row.File), Line: pr.row.Line},
					&jaga.ReviewFlag{Subject: c, Reason: "identity_conflict", Other: target, File: sourceFileName(pr.row.File), Line: pr.row.Line})
			}
			if len(conflicts) > 0 {
				out[i].Review = append(out[i].Review, "identity_conflict")
			}
			// The registry flags a consent against a draft, unknown or not yet in-force
			// notice (completeConsent, R-8).
			cs := g.consentRecords(target, orChannel(pr.row.Channel), pr.row.CollectedAt, now, pr.row.Consents)
			sourceConsents(cs, pr.row.File, pr.row.Line, pr.values)
			if overwrite {
				w, err := g.changedConsents(ctx, tx, target, cs, now)
				if err != nil {
					return err
				}
				withdrawals = append(withdrawals, w...)
			}
			review := slices.Clip(pr.review) // the batch may be resolved again
			if update != "" {
				review = append(review, "source_row_changed")
			}
			for _, c := range cs {
				if c.Flag != "" {
					review = append(review, "consent_"+c.Purpose+"_"+strings.TrimPrefix(c.Flag, "invalid:"))
				}
			}
			consentsOf[pr] = cs
			for _, r := range review {
				flags = append(flags, &jaga.ReviewFlag{Subject: target, Reason: r, File: sourceFileName(pr.row.File), Line: pr.row.Line})
				out[i].Review = append(out[i].Review, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	res := &ResolvedIntake{out: out, deps: waiting, keys: map[string]jaga.SubjectID{}, qkeys: map[string]jaga.SubjectID{}, contents: map[string][]byte{},
		idx: map[indexKey][]jaga.SubjectID{}, profs: make(map[jaga.SubjectID]*profile, len(order))}
	// Seal the new subjects on every core.
	sealErr := make([]error, len(order))
	parallelAll(len(order), func(j int) {
		ps := order[j]
		dek, wrapped, err := g.keys.NewDEK(ps.id)
		if err != nil {
			sealErr[j] = err
			return
		}
		ps.dek = dek
		sub := &jaga.SealedSubject{ID: ps.id, WrappedDEK: wrapped, Sealed: make(map[string][]byte, len(ps.values)),
			Channel: orChannel(ps.first.row.Channel), CollectedAt: ps.first.row.CollectedAt.UTC(), CreatedAt: now, UpdatedAt: now, ImportKey: ps.first.ikey, ImportContent: g.contentOf(ps.first)}
		if sub.CollectedAt.IsZero() {
			sub.CollectedAt = now
		}
		if err := g.sealValues(dek, ps.id, ps.values, sub.Sealed); err != nil {
			sealErr[j] = err
			return
		}
		for _, f := range g.schema.Indexed() {
			if v, ok := ps.values[f.Name]; ok {
				sub.Indexes = append(sub.Indexes, jaga.BlindIndex{Field: f.Name, Value: g.keys.BlindIndex(f.Name, v)})
			}
		}
		sub.Indexes = append(sub.Indexes, ps.aliases...)
		ps.sealed = sub
	})
	for _, err := range sealErr {
		if err != nil {
			return nil, err
		}
	}
	for _, ps := range order {
		p := &profile{name: ps.values["full_name"], birth: ps.values["birth_date"], nik: ps.values["nik"], wrapped: ps.sealed.WrappedDEK,
			indexes: make([]profileIndex, 0, len(ps.sealed.Indexes))}
		for f := range ps.values {
			if spec, _ := g.schema.Field(f); spec.Kind == jaga.KindAttribute {
				f = AttributesField
			}
			s.mark(p, f)
		}
		for _, ix := range ps.sealed.Indexes {
			p.addIndex(ix.Field, ix.Value)
		}
		s.put(ps.id, p)
		res.profs[ps.id] = p
	}
	// Seal the changes of existing subjects and every merge record, on every core. Most duplicates add nothing to their subject; those need no update.
	deks := make(map[jaga.SubjectID]*seal.DEK, len(order)+len(mergeOrder))
	for _, ps := range order {
		deks[ps.id] = ps.dek
	}
	patches := make([]*jaga.SubjectPatch, len(mergeOrder))
	mdeks := make([]*seal.DEK, len(mergeOrder))
	perr := make([]error, len(mergeOrder))
	parallelAll(len(mergeOrder), func(i int) {
		m := mergeOrder[i]
		dek, err := g.keys.OpenDEK(m.id, m.prof.wrapped)
		if err != nil {
			perr[i] = fmt.Errorf("subject %s: open data key: %w", m.id, err)
			return
		}
		mdeks[i] = dek
		if len(m.set) == 0 && m.attrs == nil && len(m.newIdx) == 0 {
			return
		}
		patch := &jaga.SubjectPatch{Set: map[string][]byte{}, UpdatedAt: now}
		if err := g.sealValues(dek, m.id, m.set, patch.Set); err != nil {
			perr[i] = err
			return
		}
		if m.attrs != nil {
			if err := sealAttributes(dek, m.id, m.attrs, patch.Set); err != nil {
				perr[i] = err
				return
			}
		}
		if len(m.newIdx) > 0 {
			touched := map[string]bool{}
			for _, ix := range m.newIdx {
				touched[ix.Field] = true
			}
			for i := range m.prof.indexes {
				if ix := &m.prof.indexes[i]; touched[ix.field] {
					patch.Indexes = append(patch.Indexes, jaga.BlindIndex{Field: ix.field, Value: ix.value[:]})
				}
			}
		}
		patches[i] = patch
	})
	// The write opens again only the DEKs it needs (dekOpener): the batch keeps the
	// wrapped ones.
	wrapped := make(map[jaga.SubjectID][]byte, len(order)+len(mergeOrder))
	for _, ps := range order {
		wrapped[ps.id] = ps.sealed.WrappedDEK
	}
	for i, err := range perr {
		if err != nil {
			return nil, err
		}
		deks[mergeOrder[i].id] = mdeks[i]
		wrapped[mergeOrder[i].id] = mergeOrder[i].prof.wrapped
	}
	records := make([]*jaga.MergeRecord, len(mrows))
	rerr := make([]error, len(mrows))
	parallelAll(len(mrows), func(i int) {
		mr := mrows[i]
		dek := deks[mr.target]
		key := mr.pr.ikey
		if updates[mr.pr] {
			// The key already names the subject; this version's merge record goes by
			// the version's own key.
			key = mr.pr.vkey
		} else {
			g.contentOf(mr.pr) // stored with its key below
		}
		if key == nil {
			key = g.keys.ImportKey("merge", string(mr.target), mr.pr.row.File, fmt.Sprint(mr.pr.row.Line))
		}
		pt := appendMergeRow(nil, mr.pr.values, mr.pr.row.Channel, mr.pr.row.CollectedAt, mr.pr.row.Key)
		ct, err := dek.Seal(seal.MergeAD(mr.target, key), pt)
		if err != nil {
			rerr[i] = err
			return
		}
		mr.rec = &jaga.MergeRecord{Subject: mr.target, RowKey: key, File: sourceFileName(mr.pr.row.File), Line: mr.pr.row.Line,
			At: mr.pr.row.CollectedAt.UTC(), Fields: mr.fields, Sealed: ct, CreatedAt: now}
		records[i] = mr.rec
	})
	for _, err := range rerr {
		if err != nil {
			return nil, err
		}
	}
	for _, ps := range order {
		ps.dek = nil // sealed; the write needs only the wrapped DEK
	}
	var mkeys, mcont [][]byte
	var msubj []jaga.SubjectID
	for _, mr := range mrows {
		switch {
		case updates[mr.pr]:
			// A later version of a source record: its version key, no content.
			mkeys = append(mkeys, mr.pr.vkey)
			msubj = append(msubj, mr.target)
			mcont = append(mcont, nil)
		case mr.pr.ikey != nil:
			mkeys = append(mkeys, mr.pr.ikey)
			msubj = append(msubj, mr.target)
			mcont = append(mcont, mr.pr.content)
		}
	}
	var created []*jaga.SealedSubject
	for _, ps := range order {
		created = append(created, ps.sealed)
	}
	// What later batches must see before this one is stored.
	for _, ps := range order {
		if ps.first.ikey != nil {
			res.keys[string(ps.first.ikey)] = ps.id
		}
		for _, ix := range ps.sealed.Indexes {
			k := keyOf(ix.Field, ix.Value)
			res.idx[k] = append(res.idx[k], ps.id)
		}
	}
	for _, m := range mergeOrder {
		for _, ix := range m.newIdx {
			k := keyOf(ix.Field, ix.Value)
			res.idx[k] = append(res.idx[k], m.id)
		}
	}
	for i, k := range mkeys {
		res.keys[string(k)] = msubj[i]
		if mcont[i] != nil {
			res.contents[string(k)] = mcont[i]
		}
	}
	for _, ps := range order {
		if ps.first.ikey != nil {
			res.contents[string(ps.first.ikey)] = ps.first.content
		}
	}
	for _, q := range quarantine {
		res.qkeys[string(q.RowKey)] = q.ID
	}
	// The source keys this batch gives a subject: their pending purchases are linked.
	owners := map[string]jaga.SubjectID{}
	for _, ps := range order {
		if ps.first.ikey != nil {
			owners[string(ps.first.ikey)] = ps.id
		}
	}
	for _, mr := range mrows {
		if !updates[mr.pr] && mr.pr.ikey != nil {
			owners[string(mr.pr.ikey)] = mr.target
		}
	}
	// The lock is taken before the write's checks: the re-check of the new subjects'
	// blind indexes, the look-up of the lines pending for owners' source keys (a
	// purchase import on another node holds it from its "no such customer" check to its
	// commit), and the quarantined rows, which an erasure on another node must see
	// committed or not yet begun.
	res.resolve = len(order) > 0 || len(owners) > 0 || len(quarantine) > 0
	res.write = func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		if res.resolve {
			if err := tx.LockResolution(ctx); err != nil {
				return nil, err
			}
		}
		if err := recheckResolution(ctx, tx, g.schema, order, found); err != nil {
			return nil, err
		}
		if err := tx.InsertSubjects(ctx, created); err != nil {
			return nil, err
		}
		for i, m := range mergeOrder {
			if patches[i] == nil {
				continue
			}
			if err := tx.UpdateSubject(ctx, m.id, *patches[i]); err != nil {
				return nil, err
			}
		}
		if len(mkeys) > 0 {
			if err := tx.InsertImportKeys(ctx, mkeys, msubj, mcont); err != nil {
				return nil, err
			}
		}
		var all []*jaga.Consent
		for _, pr := range b.rows {
			all = append(all, consentsOf[pr]...)
		}
		if err := tx.InsertConsents(ctx, all); err != nil {
			return nil, err
		}
		var evs []*jaga.AuditEvent
		for _, c := range withdrawals {
			// As a withdrawal made live (RecordConsent): what other bases keep, and the
			// deletion of the rest scheduled, with a consent-change event of its own, so
			// that the customer's access history names it, not only the merge.
			sub, err := tx.Subject(ctx, c.Subject)
			if err != nil {
				return nil, err
			}
			if p, ok := g.Purpose(c.Purpose); ok {
				if _, err := g.withdrawal(ctx, tx, sub, p, now); err != nil {
					return nil, err
				}
			}
			ev := g.event(b.req, jaga.ActionConsentChange, []jaga.SubjectID{c.Subject})
			ev.Reason = "consent " + c.Purpose + " " + string(jaga.ConsentWithdrawn)
			ev.Decision = string(jaga.Allow)
			evs = append(evs, ev)
		}
		for _, mr := range mrows {
			mr.rec.Consents = mr.rec.Consents[:0]
			for _, c := range consentsOf[mr.pr] {
				mr.rec.Consents = append(mr.rec.Consents, c.ID)
			}
		}
		if err := tx.InsertMerges(ctx, records); err != nil {
			return nil, err
		}
		if err := tx.InsertReviewFlags(ctx, flags); err != nil {
			return nil, err
		}
		if err := tx.InsertQuarantine(ctx, quarantine); err != nil {
			return nil, err
		}
		if len(created) > 0 || (len(mergeOrder) == 0 && len(quarantine) == 0) {
			ev := g.event(b.req, jaga.ActionImport, nil)
			for _, s := range created {
				ev.Subjects = append(ev.Subjects, s.ID)
			}
			ev.Count = len(created)
			ev.Decision = string(jaga.Allow)
			evs = append(evs, ev)
		}
		if len(records) > 0 {
			ev := g.event(b.req, jaga.ActionMerge, nil)
			seen := map[jaga.SubjectID]bool{}
			for _, r := range records {
				if !seen[r.Subject] {
					seen[r.Subject] = true
					ev.Subjects = append(ev.Subjects, r.Subject)
				}
			}
			ev.Count = len(records)
			ev.Decision = string(jaga.Allow)
			evs = append(evs, ev)
		}
		if len(quarantine) > 0 {
			ev := g.event(b.req, jaga.ActionQuarantine, nil)
			ev.Count = len(quarantine)
			ev.Decision = string(jaga.Allow)
			evs = append(evs, ev)
		}
		if ev, err := g.linkIntakePending(ctx, tx, b.req, owners, g.dekOpener(wrapped), out, now); err != nil {
			return nil, err
		} else if ev != nil {
			evs = append(evs, ev)
		}
		return evs, nil
	}
	s.mu.Lock()
	s.overlay = append(s.overlay, res)
	s.mu.Unlock()
	return res, nil
}

func orChannel(c jaga.Channel) jaga.Channel {
	if c == "" {
		return jaga.ChannelImport
	}
	return c
}

func profileOf(values map[string]string) *profile {
	return &profile{name: values["full_name"], birth: values["birth_date"], nik: values["nik"]}
}

// loadProfile opens the identity fields resolution compares. It runs inside the gate
// and returns nothing to a caller.
func (g *Gate) loadProfile(ses *IntakeSession, s *jaga.SealedSubject) (*profile, error) {
	p := &profile{indexes: make([]profileIndex, 0, len(s.Indexes)), wrapped: s.WrappedDEK}
	for f := range s.Sealed {
		ses.mark(p, f)
	}
	for _, ix := range s.Indexes {
		if len(ix.Value) != len(profileIndex{}.value) {
			return nil, fmt.Errorf("subject %s: a blind index of %s is not 16 bytes", s.ID, ix.Field)
		}
		field := ix.Field
		if spec, ok := g.schema.Field(field); ok {
			field = spec.Name // one copy of the name for every profile
		}
		p.addIndex(field, ix.Value)
	}
	dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
	if err != nil {
		return nil, fmt.Errorf("subject %s: open data key: %w", s.ID, err)
	}
	for _, f := range []string{"full_name", "birth_date", "nik"} {
		ct, ok := s.Sealed[f]
		if !ok {
			continue
		}
		pt, err := dek.Open(seal.FieldAD(s.ID, f), ct)
		if err != nil {
			return nil, fmt.Errorf("subject %s field %s: %w", s.ID, f, err)
		}
		switch f {
		case "full_name":
			p.name = string(pt)
		case "birth_date":
			p.birth = string(pt)
		case "nik":
			p.nik = string(pt)
		}
	}
	return p, nil
}

// compatible reports whether a row that shares a contact value with a subject is the
// same person: no different NIK, no different birth date, and names that agree.
func compatible(values map[string]string, p *profile) bool {
	if n := values["nik"]; n != "" && p.nik != "" && n != p.nik {
		return false
	}
	if b := values["birth_date"]; b != "" && p.birth != "" && b != p.birth {
		return false
	}
	if n := values["full_name"]; n != "" && p.name != "" && !namesAgree(n, p.name) {
		return false
	}
	return true
}

// namesAgree compares two names case- and accent-insensitively by their words: every
// word of the shorter name must match a word of the longer one, where an initial ("S."
// or "S") matches any word it begins. "PAIMAN ARDANA" agrees with "Paiman Ardana",
// "Manah S." with "Manah Setiawan", "Rina" with "Rina Wati"; "Rina Wati" does not agree
// with "Rina Susanti".
func namesAgree(a, b string) bool {
	wa, wb := nameWords(a), nameWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	used := make([]bool, len(wb))
	for _, w := range wa {
		ok := false
		for j, x := range wb {
			if used[j] {
				continue
			}
			if w == x || len([]rune(w)) == 1 && strings.HasPrefix(x, w) || len([]rune(x)) == 1 && strings.HasPrefix(w, x) {
				used[j], ok = true, true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// nameWords lower-cases a name, folds common Latin diacritics and apostrophes away and
// splits it into words of letters.
func nameWords(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’' || r == '`':
			continue
		case unicode.IsLetter(r):
			b.WriteRune(foldAccent(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

func foldAccent(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	}
	return r
}

// recheckResolution runs in the write transaction that creates subjects: under the
// store's resolution lock it looks the new subjects' blind indexes up again and returns
// ECONFLICT when a live subject now has one that the batch's resolution (found, read
// before the transaction) did not see — another node or writer created the same person
// meanwhile — so that CommitIntake resolves the batch again and merges instead of
// creating a duplicate (issue 7: concurrent imports on several nodes).
func recheckResolution(ctx context.Context, tx jaga.Tx, schema *jaga.Schema, order []*pendingSubject, found map[string]map[string][]jaga.SubjectID) error {
	if len(order) == 0 {
		return nil
	}
	if err := tx.LockResolution(ctx); err != nil {
		return err
	}
	for _, f := range schema.Indexed() {
		var vals [][]byte
		for _, ps := range order {
			for _, ix := range ps.sealed.Indexes {
				if ix.Field == f.Name {
					vals = append(vals, ix.Value)
				}
			}
		}
		if len(vals) == 0 {
			continue
		}
		now, err := tx.FindByIndexes(ctx, f.Name, vals)
		if err != nil {
			return err
		}
		for v, ids := range now {
			if len(ids) > len(found[f.Name][v]) {
				return jaga.Errorf(jaga.ECONFLICT, "identity resolution: a subject with the same %s was stored meanwhile", f.Name)
			}
		}
	}
	return nil
}
