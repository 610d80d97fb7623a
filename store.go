package jaga

import (
	"context"
	"time"
)

// SealedSubject is a subject as the store holds it: ciphertext and metadata only
// (invariant 2). WrappedDEK is the subject's data key wrapped by the KEK with associated
// data "jaga/dek/v1|<subject>"; Sealed maps field and attribute names to
// AEAD(DEK, value, "jaga/field/v1|<subject>|<field>"); Indexes are the blind indexes of
// the indexed fields. ImportKey, when set, is a keyed hash of (source, row key) that makes
// re-imports idempotent. Channel and CollectedAt are the provenance of the data;
// CreatedAt is when Jaga stored it.
type SealedSubject struct {
	ID          SubjectID
	WrappedDEK  []byte
	Sealed      map[string][]byte
	Indexes     []BlindIndex
	Channel     Channel
	CollectedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ImportKey   []byte
	Restricted  bool
}

// BlindIndex is a keyed HMAC-SHA256 of a field's normalised value, truncated to 16 bytes.
type BlindIndex struct {
	Field string
	Value []byte
}

// SealedPurchase is one purchase line, sealed with the subject's DEK under associated
// data "jaga/purchase/v1|<subject>". SourceKey is a keyed hash of (file, line), so that
// importing the same file twice stores each line once.
type SealedPurchase struct {
	ID        int64
	Subject   SubjectID
	Sealed    []byte
	SourceKey []byte
	CreatedAt time.Time
}

// SubjectPatch is an update of a subject's sealed values: Set replaces or adds sealed
// values, Remove deletes fields, Indexes replaces the blind indexes of the named fields
// (a field in IndexFields with no entry in Indexes loses its index).
type SubjectPatch struct {
	Set         map[string][]byte
	Remove      []string
	Indexes     []BlindIndex
	IndexFields []string
	UpdatedAt   time.Time
}

// DEKRecord is a subject's wrapped DEK, as listed for re-wrapping after KEK rotation.
type DEKRecord struct {
	Subject    SubjectID
	WrappedDEK []byte
}

// Store is a vault's database: SQLite by default, PostgreSQL for several nodes. Every
// method that changes data runs inside one transaction given by Update (STYLE.md rule 5).
type Store interface {
	// Update runs fn in one read-write transaction, committed (and synced to disk) when fn
	// returns nil and rolled back otherwise. fn's error is returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Compact makes deleted data unrecoverable from the database files: on SQLite a WAL
	// checkpoint that truncates the WAL (secure_delete is always on); a no-op elsewhere.
	Compact(ctx context.Context) error
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	// Close closes the database.
	Close() error
}

// Tx is one transaction of a Store. Methods return *Error values with ENOTFOUND for a
// missing subject or actor and ECONFLICT for a duplicate key; other failures are
// EINTERNAL-wrapped driver errors that never contain a value.
type Tx interface {
	// InsertSubjects stores new subjects, their blind indexes and import keys. A subject
	// whose ImportKey already exists is ECONFLICT (the caller checks ImportKeys first).
	InsertSubjects(ctx context.Context, subjects []*SealedSubject) error
	// Subject returns one subject; ENOTFOUND if it does not exist or was erased.
	Subject(ctx context.Context, id SubjectID) (*SealedSubject, error)
	// FindByIndex returns the IDs of live subjects whose blind index for field equals value,
	// oldest first.
	FindByIndex(ctx context.Context, field string, value []byte) ([]SubjectID, error)
	// ImportKeys returns, for each given import key that is known, the subject it
	// created (erased subjects included, so that an import never brings them back),
	// keyed by string(key).
	ImportKeys(ctx context.Context, keys [][]byte) (map[string]SubjectID, error)
	// UpdateSubject applies patch to subject id; ENOTFOUND if it does not exist.
	UpdateSubject(ctx context.Context, id SubjectID, patch SubjectPatch) error
	// SetRestricted sets or clears the subject's restriction flag (UU PDP Art 11, R-21).
	SetRestricted(ctx context.Context, id SubjectID, restricted bool) error
	// EraseSubject crypto-shreds subject id (invariant 4): deletes its wrapped DEK, sealed
	// values, blind indexes and purchases and records a tombstone with the time. It
	// returns ENOTFOUND if the subject does not exist or was already erased.
	EraseSubject(ctx context.Context, id SubjectID, at time.Time) error
	// Erased reports whether id was erased.
	Erased(ctx context.Context, id SubjectID) (bool, error)
	// CountSubjects returns the number of live subjects.
	CountSubjects(ctx context.Context) (int, error)

	// InsertPurchases stores purchases, skipping any whose SourceKey exists; it returns
	// how many were stored.
	InsertPurchases(ctx context.Context, purchases []*SealedPurchase) (int, error)
	// Purchases returns a subject's purchases in insertion order.
	Purchases(ctx context.Context, subject SubjectID) ([]*SealedPurchase, error)
	// CountPurchases returns the number of stored purchases.
	CountPurchases(ctx context.Context) (int, error)

	// InsertConsents appends consent records (never overwrites) and sets their IDs.
	InsertConsents(ctx context.Context, consents []*Consent) error
	// Consents returns a subject's consent records, oldest first.
	Consents(ctx context.Context, subject SubjectID) ([]*Consent, error)
	// CurrentConsent returns the record in force for (subject, purpose): the latest by At,
	// then by ID; nil when there is none.
	CurrentConsent(ctx context.Context, subject SubjectID, purpose string) (*Consent, error)

	// AppendAudit appends events whose Seq, PrevHash and Hash the caller has set.
	AppendAudit(ctx context.Context, events []*AuditEvent) error
	// LastAudit returns the event with the highest Seq, or nil for an empty log.
	LastAudit(ctx context.Context) (*AuditEvent, error)
	// AuditEvents returns events matching f in Seq order.
	AuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)

	// CreateActor stores a new actor; ECONFLICT if the name exists.
	CreateActor(ctx context.Context, a *Actor) error
	// ActorByKeyHash returns the actor whose API-key hash equals h; ENOTFOUND otherwise.
	ActorByKeyHash(ctx context.Context, h []byte) (*Actor, error)
	// Actors returns every actor by creation time.
	Actors(ctx context.Context) ([]*Actor, error)

	// WrappedDEKs returns up to limit wrapped DEKs of subjects with IDs after `after`, in ID
	// order (for re-wrapping in batches).
	WrappedDEKs(ctx context.Context, after SubjectID, limit int) ([]DEKRecord, error)
	// SetWrappedDEK replaces a subject's wrapped DEK.
	SetWrappedDEK(ctx context.Context, id SubjectID, wrapped []byte) error

	// FindByIndexes returns, for each of values that some live subject has as its blind
	// index for field, the subjects having it (oldest first), keyed by string(value).
	FindByIndexes(ctx context.Context, field string, values [][]byte) (map[string][]SubjectID, error)
	// InsertImportKeys maps import keys of rows merged into existing subjects to those
	// subjects (keys[i] → subjects[i]); an existing key is ECONFLICT.
	InsertImportKeys(ctx context.Context, keys [][]byte, subjects []SubjectID) error

	// InsertQuarantine stores quarantined rows; a RowKey already stored is ECONFLICT.
	InsertQuarantine(ctx context.Context, rows []*QuarantinedRow) error
	// QuarantineKeys returns, for each given row key that is quarantined (in any state),
	// the quarantine ID, keyed by string(key).
	QuarantineKeys(ctx context.Context, keys [][]byte) (map[string]SubjectID, error)
	// Quarantined lists quarantined rows by ID (without their sealed values).
	Quarantined(ctx context.Context, f QuarantineFilter) ([]*QuarantinedRow, error)
	// QuarantinedRow returns one quarantined row with its sealed values; ENOTFOUND.
	QuarantinedRow(ctx context.Context, id SubjectID) (*QuarantinedRow, error)
	// UpdateQuarantine replaces a row's reasons, sealed values, status and subject;
	// ENOTFOUND if it does not exist.
	UpdateQuarantine(ctx context.Context, row *QuarantinedRow) error

	// InsertMerges stores merge records and sets their IDs.
	InsertMerges(ctx context.Context, merges []*MergeRecord) error
	// Merges returns a subject's merge records, oldest first (undone ones included).
	Merges(ctx context.Context, subject SubjectID) ([]*MergeRecord, error)
	// UndoMerge marks merge id undone into subject into; ENOTFOUND if it does not exist
	// or was undone.
	UndoMerge(ctx context.Context, id int64, into SubjectID, at time.Time) error
	// MoveConsents moves the consent records ids to subject to (an unmerge).
	MoveConsents(ctx context.Context, ids []int64, to SubjectID) error
	// DeleteImportKey removes one import key (an unmerge: the row now belongs to the
	// subject it became, which InsertImportKeys then records).
	DeleteImportKey(ctx context.Context, key []byte) error

	// InsertReviewFlags stores review flags and sets their IDs.
	InsertReviewFlags(ctx context.Context, flags []*ReviewFlag) error
	// ReviewFlags returns open review flags (of one subject when subject is not "").
	ReviewFlags(ctx context.Context, subject SubjectID, limit int) ([]*ReviewFlag, error)

	// InsertPendingSignup stores a sign-up awaiting double opt-in.
	InsertPendingSignup(ctx context.Context, p *PendingSignup) error
	// PendingSignupByToken returns the sign-up whose token hash is h; ENOTFOUND.
	PendingSignupByToken(ctx context.Context, h []byte) (*PendingSignup, error)
	// ConfirmPendingSignup records that sign-up id became subject and destroys its
	// sealed copy; ENOTFOUND if it does not exist or was confirmed.
	ConfirmPendingSignup(ctx context.Context, id SubjectID, subject SubjectID) error
}
