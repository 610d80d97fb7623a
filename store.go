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
// re-imports idempotent; ImportContent, when set, is the keyed hash of the version of the
// row that created the subject (see Tx.ImportKeyContents). Channel and CollectedAt are
// the provenance of the data; CreatedAt is when Jaga stored it.
type SealedSubject struct {
	ID            SubjectID
	WrappedDEK    []byte
	Sealed        map[string][]byte
	Indexes       []BlindIndex
	Channel       Channel
	CollectedAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ImportKey     []byte
	ImportContent []byte
	Restricted    bool
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
	// TryLock takes the lock called name (a snake_case job name, e.g. "kek_rewrap")
	// that at most one holder has at a time across every process and node using this
	// database, so that a background job runs once, not once per node. It does not
	// wait: ok is false (release nil) when another holder has the lock. release gives it
	// up; the lock also ends when the holding process dies. EINVALID for a bad name.
	TryLock(ctx context.Context, name string) (release func(), ok bool, err error)
	// Ping checks that the database can be reached now (a round trip to the server on
	// PostgreSQL, a query on SQLite), within ctx's deadline: nil when it can,
	// EUNAVAILABLE when it cannot. /healthz asks it.
	Ping(ctx context.Context) error
	// Close closes the database.
	Close() error
}

// DeferredSyncStore is a Store that can commit without waiting for the disk, so that a
// group committer overlaps one batch's flush with the next batch's work: UpdateNoSync
// commits (visible to later transactions, not yet durable) and Sync makes every commit
// before it durable. A caller may report success for an UpdateNoSync only after a
// Sync that began after it returned (invariant 1: the audit event is durable before
// any plaintext leaves).
type DeferredSyncStore interface {
	Store
	// UpdateNoSync is Update without the wait for the disk.
	UpdateNoSync(ctx context.Context, fn func(Tx) error) error
	// Sync makes every transaction committed before the call durable.
	Sync(ctx context.Context) error
}

// Tx is one transaction of a Store. Methods return *Error values with ENOTFOUND for a
// missing subject or actor and ECONFLICT for a duplicate key; other failures are
// EINTERNAL-wrapped driver errors that never contain a value.
type Tx interface {
	RegistryTx
	PendingPurchaseTx
	VaultBindingTx

	// InsertSubjects stores new subjects, their blind indexes and import keys. A subject
	// whose ImportKey already exists is ECONFLICT (the caller checks ImportKeys first).
	InsertSubjects(ctx context.Context, subjects []*SealedSubject) error
	// Subject returns one subject; ENOTFOUND if it does not exist or was erased.
	Subject(ctx context.Context, id SubjectID) (*SealedSubject, error)
	// FindByIndex returns the IDs of live subjects whose blind index for field equals value,
	// oldest first.
	FindByIndex(ctx context.Context, field string, value []byte) ([]SubjectID, error)
	// FindSubjects is FindByIndex and Subject for each ID found, in one statement: the
	// live subjects whose blind index for field equals value, oldest first.
	FindSubjects(ctx context.Context, field string, value []byte) ([]*SealedSubject, error)
	// ImportKeys returns, for each given import key that is known, the subject it
	// created (erased subjects included, so that an import never brings them back),
	// keyed by string(key).
	ImportKeys(ctx context.Context, keys [][]byte) (map[string]SubjectID, error)
	// ImportKeyContents returns, for each given import key stored with a content hash,
	// that hash: the version of the source row first imported under the key (a row keyed
	// by its source system's ID may come again with other values; later versions are
	// import keys of their own). Keys without one (keys stored before migration 0008,
	// version keys) are absent.
	ImportKeyContents(ctx context.Context, keys [][]byte) (map[string][]byte, error)
	// UpdateSubject applies patch to subject id; ENOTFOUND if it does not exist.
	UpdateSubject(ctx context.Context, id SubjectID, patch SubjectPatch) error
	// SetRestricted sets or clears the subject's restriction flag (UU PDP Art 11, R-21).
	SetRestricted(ctx context.Context, id SubjectID, restricted bool) error
	// EraseSubject crypto-shreds subject id (invariant 4): deletes its wrapped DEK, sealed
	// values, blind indexes, purchases and tokens, and the pending purchases of its source
	// keys, and records a tombstone with the time. It
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
	// DeletePurchases deletes every purchase of subject (a scheduled deletion, R-11) and
	// returns how many it deleted.
	DeletePurchases(ctx context.Context, subject SubjectID) (int, error)

	// InsertConsents appends consent records (never overwrites) and sets their IDs.
	InsertConsents(ctx context.Context, consents []*Consent) error
	// Consents returns a subject's consent records, oldest first (CompareConsents).
	Consents(ctx context.Context, subject SubjectID) ([]*Consent, error)
	// CurrentConsent returns the record in force for (subject, purpose): the last in the
	// order of CompareConsents (At, TieKey, ID); nil when there is none.
	CurrentConsent(ctx context.Context, subject SubjectID, purpose string) (*Consent, error)

	// AppendAudit appends records to the audit log as one serialised step: it locks the
	// log's head (a row lock on PostgreSQL, the write lock on SQLite), reads it, calls
	// seal(head) — which must set every record's Seq (head.Size+1, +2, …) and Hashes
	// from the tree of head.Size (head.Edge) and return the new edge — and stores the
	// records (one row for the batch) with the new size and edge. So no two appenders,
	// on one node or several, compute a tree over a stale size. seal's error is
	// returned unchanged; a Seq stored already is ECONFLICT.
	AppendAudit(ctx context.Context, records []*AuditRecord, seal func(head AuditHead) (edge []byte, err error)) error
	// IndexAudit adds per-subject index entries for the events up to upTo (at most the
	// log's size) and records that the index covers them.
	IndexAudit(ctx context.Context, upTo int64, entries []AuditIndexEntry) error
	// AuditHead returns the log's size, the size of its largest checkpoint and how far
	// the per-subject index reaches.
	AuditHead(ctx context.Context) (AuditHead, error)
	// AuditHashes returns the Hashes of the records with the given sequence numbers,
	// keyed by Seq; a missing record is left out.
	AuditHashes(ctx context.Context, seqs []int64) (map[int64][]byte, error)
	// AuditRecords returns records in Seq order: after f.AfterSeq, at most f.Limit
	// (default 100, at most 1000); with f.Subject set, those the per-subject index lists
	// for it (with Pos set; events after the head's IndexedSize are not included).
	// ActorID and Action are not filtered here (the store cannot read the encoding).
	// Members are included.
	AuditRecords(ctx context.Context, f AuditFilter) ([]*AuditRecord, error)
	// ScanAudit calls fn with every record after Seq `after`, in Seq order, in one
	// query; Members are not read. The record passed to fn and its slices are reused
	// after fn returns. fn's error stops the scan and is returned.
	ScanAudit(ctx context.Context, after int64, fn func(*AuditRecord) error) error
	// InsertAuditCheckpoint stores a checkpoint and raises the head's CheckpointSize;
	// ECONFLICT if one of that size exists.
	InsertAuditCheckpoint(ctx context.Context, cp *AuditCheckpoint) error
	// AuditCheckpoints returns up to limit checkpoints with Size > after, by Size.
	AuditCheckpoints(ctx context.Context, after int64, limit int) ([]*AuditCheckpoint, error)
	// LatestAuditCheckpoint returns the checkpoint of the largest size, nil if none.
	LatestAuditCheckpoint(ctx context.Context) (*AuditCheckpoint, error)

	// CreateActor stores a new actor; ECONFLICT if the name exists.
	CreateActor(ctx context.Context, a *Actor) error
	// ActorByKeyHash returns the actor whose API-key hash equals h; ENOTFOUND otherwise.
	ActorByKeyHash(ctx context.Context, h []byte) (*Actor, error)
	// Actors returns every actor by creation time.
	Actors(ctx context.Context) ([]*Actor, error)

	// InsertDSR stores a new data-subject request; ECONFLICT if its ID exists.
	InsertDSR(ctx context.Context, r *DSR) error
	// DSR returns one request; ENOTFOUND if there is none with that ID.
	DSR(ctx context.Context, id string) (*DSR, error)
	// UpdateDSR replaces the mutable columns of request r.ID (status, handler, approver,
	// refusal code, detail, outcome, times, sealed parameters); ENOTFOUND if it does not exist.
	UpdateDSR(ctx context.Context, r *DSR) error
	// DSRs returns the requests matching f, ordered by due time, then ID.
	DSRs(ctx context.Context, f DSRFilter) ([]*DSR, error)
	// InsertLegalHold stores a legal hold and sets its ID.
	InsertLegalHold(ctx context.Context, h *LegalHold) error
	// LegalHolds returns the holds on subject in force at time at (Until zero or after at).
	LegalHolds(ctx context.Context, subject SubjectID, at time.Time) ([]*LegalHold, error)
	// InsertLoginCode stores a portal sign-in challenge; ECONFLICT if its ID exists.
	InsertLoginCode(ctx context.Context, c *LoginCode) error
	// LoginCode returns one challenge; ENOTFOUND if there is none with that ID.
	LoginCode(ctx context.Context, id string) (*LoginCode, error)
	// UpdateLoginCode sets a challenge's wrong attempts and used flag; ENOTFOUND if it
	// does not exist.
	UpdateLoginCode(ctx context.Context, id string, attempts int, used bool) error

	// WrappedKeys returns up to limit (1000 when limit <= 0) live wrapped keys of kind
	// with IDs after `after` ("" for the first page), in ID order (for re-wrapping in
	// batches after a KEK rotation, and for counting the keys under each KEK version).
	// Destroyed keys (a request key set to NULL after its completion notice, the emptied
	// key of a released quarantine row or a confirmed sign-up) are not listed. EINVALID
	// for an unknown kind.
	WrappedKeys(ctx context.Context, kind WrappedKeyKind, after string, limit int) ([]WrappedKeyRecord, error)
	// SetWrappedKey replaces the wrapped key of kind named id (the ID WrappedKeys gives).
	// ENOTFOUND when there is no such row or its key was destroyed (a destroyed key is
	// never brought back); EINVALID for an unknown kind or an empty key.
	SetWrappedKey(ctx context.Context, kind WrappedKeyKind, id string, wrapped []byte) error

	// FindByIndexes returns, for each of values that some live subject has as its blind
	// index for field, the subjects having it (oldest first), keyed by string(value).
	FindByIndexes(ctx context.Context, field string, values [][]byte) (map[string][]SubjectID, error)
	// LockResolution serialises identity resolution across nodes: a write transaction
	// that creates subjects from resolved rows takes it, then re-checks their blind
	// indexes, so that two nodes importing the same person create one subject (held
	// until the transaction ends; a no-op where one writer serialises already). Every
	// other check of who exists followed by a write on it takes it before the check
	// too (gate/serial.go), and before any row lock of the transaction.
	LockResolution(ctx context.Context) error
	// InsertImportKeys maps import keys of rows merged into existing subjects to those
	// subjects (keys[i] → subjects[i]), with contents[i] as the version of the row
	// imported (contents nil, or an element nil, for none); an existing key is ECONFLICT.
	InsertImportKeys(ctx context.Context, keys [][]byte, subjects []SubjectID, contents [][]byte) error

	// InsertQuarantine stores quarantined rows, with the blind indexes (Indexes) of the
	// open ones; a RowKey already stored is ECONFLICT, a malformed index EINVALID.
	InsertQuarantine(ctx context.Context, rows []*QuarantinedRow) error
	// DiscardQuarantinedOf discards the open quarantined rows that are versions of the
	// subject's source records (their SourceKey is one of the subject's import keys,
	// its own or of rows merged into it and not unmerged) and those that share a blind
	// index with the subject (QuarantinedRow.Indexes: the same e-mail, phone or NIK,
	// with or without a source ID): status discarded, wrapped key, sealed values and
	// blind indexes deleted (crypto-shredding). It returns their IDs, sorted, without
	// duplicates. Erasure calls it before EraseSubject, in the same transaction, while
	// the subject's blind indexes still exist (invariant 4, UU PDP Art 8, R-20). A row
	// sharing an index with the subject is taken even if it is another person's (two
	// people who share a mailbox): erasure errs on the side of the erased.
	DiscardQuarantinedOf(ctx context.Context, subject SubjectID) ([]SubjectID, error)
	// UnindexedQuarantine lists, by ID after after, at most limit open quarantined rows
	// whose blind indexes were never stored (quarantined before the store kept them).
	UnindexedQuarantine(ctx context.Context, after SubjectID, limit int) ([]SubjectID, error)
	// SetQuarantineIndexes replaces the blind indexes of an open quarantined row (none
	// for an empty indexes) and records that it has them; ENOTFOUND if there is no
	// open row with that ID, EINVALID for an index without a field or of another length
	// than 16 bytes.
	SetQuarantineIndexes(ctx context.Context, id SubjectID, indexes []BlindIndex) error
	// UnkeyedQuarantine lists, by ID after after, at most limit open quarantined rows
	// whose source key is not known (quarantined before the store kept it).
	UnkeyedQuarantine(ctx context.Context, after SubjectID, limit int) ([]SubjectID, error)
	// SetQuarantineSource sets the source key of an open row that has none;
	// ENOTFOUND if there is no such row.
	SetQuarantineSource(ctx context.Context, id SubjectID, sourceKey []byte) error
	// QuarantineKeys returns, for each given row key that is quarantined (in any state),
	// the quarantine ID, keyed by string(key).
	QuarantineKeys(ctx context.Context, keys [][]byte) (map[string]SubjectID, error)
	// Quarantined lists quarantined rows by ID (without their sealed values).
	Quarantined(ctx context.Context, f QuarantineFilter) ([]*QuarantinedRow, error)
	// QuarantinedRow returns one quarantined row with its sealed values; ENOTFOUND.
	QuarantinedRow(ctx context.Context, id SubjectID) (*QuarantinedRow, error)
	// UpdateQuarantine replaces a row's reasons, sealed values, status and subject,
	// and deletes its blind indexes when the status is no longer open; ENOTFOUND if it
	// does not exist.
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
	// ListReviewFlags returns the review flags f selects, by ID, with their resolution.
	// EINVALID for an unknown f.State.
	ListReviewFlags(ctx context.Context, f ReviewFlagFilter) ([]*ReviewFlag, error)
	// ReviewFlag returns one review flag; ENOTFOUND if there is none with that ID.
	ReviewFlag(ctx context.Context, id int64) (*ReviewFlag, error)
	// ResolveReviewFlag closes open flag id with r (r.At zero: the transaction's time);
	// ENOTFOUND if there is no such flag, ECONFLICT if it is resolved already.
	ResolveReviewFlag(ctx context.Context, id int64, r ReviewFlagResolution) error

	// InsertPendingSignup stores a sign-up awaiting double opt-in.
	InsertPendingSignup(ctx context.Context, p *PendingSignup) error
	// PurgeExpiredSignups deletes the sign-ups never confirmed whose link expired
	// before at, wrapped key and sealed values with them, and returns how many.
	PurgeExpiredSignups(ctx context.Context, at time.Time) (int, error)
	// PendingSignupByToken returns the sign-up whose token hash is h; ENOTFOUND.
	PendingSignupByToken(ctx context.Context, h []byte) (*PendingSignup, error)
	// ConfirmPendingSignup records that sign-up id became subject and destroys its
	// sealed copy; ENOTFOUND if it does not exist or was confirmed.
	ConfirmPendingSignup(ctx context.Context, id SubjectID, subject SubjectID) error

	// InsertTokens stores redaction tokens (issue 8); an Index already stored is
	// ECONFLICT.
	InsertTokens(ctx context.Context, tokens []*Token) error
	// TokenByIndex returns the token whose Index is index; ENOTFOUND if there is none
	// (never issued, or deleted with its subject by EraseSubject).
	TokenByIndex(ctx context.Context, index []byte) (*Token, error)
}

// RegistryTx is the part of Tx that keeps the purpose registry, the notices, the
// guardianships and the deletions scheduled after withdrawals (issue 3). Every change
// to purposes or notices increases the registry version, which nodes compare to know
// that their cached registry is stale.
type RegistryTx interface {
	// Purposes returns every registered purpose, by ID.
	Purposes(ctx context.Context) ([]*Purpose, error)
	// PutPurpose inserts or replaces purpose p (its whole definition, status and pending
	// change) and increases the registry version.
	PutPurpose(ctx context.Context, p *Purpose) error
	// RegistryVersion returns the registry version (0 for a new vault).
	RegistryVersion(ctx context.Context) (int64, error)
	// Notices returns every notice version, oldest first.
	Notices(ctx context.Context) ([]*Notice, error)
	// PutNotice inserts or replaces notice n and increases the registry version.
	PutNotice(ctx context.Context, n *Notice) error

	// ConsentAt returns the record that was in force for (subject, purpose) at t: the
	// last with At ≤ t in the order of CompareConsents; nil when there is none (proof, R-9).
	ConsentAt(ctx context.Context, subject SubjectID, purpose string, t time.Time) (*Consent, error)
	// ListSubjects calls fn with the ID of each subject f selects, in ascending order,
	// computed in the database; fn's error stops the listing and is returned.
	ListSubjects(ctx context.Context, f SubjectListFilter, fn func(SubjectID) error) error

	// SetGuardianship records or replaces the guardian of a child subject.
	SetGuardianship(ctx context.Context, g *Guardianship) error
	// Guardianship returns the guardianship of subject, or nil.
	Guardianship(ctx context.Context, subject SubjectID) (*Guardianship, error)
	// ScheduleDeletion stores d and sets its ID.
	ScheduleDeletion(ctx context.Context, d *ScheduledDeletion) error
	// ScheduledDeletions returns the deletions scheduled for subject, oldest first.
	ScheduledDeletions(ctx context.Context, subject SubjectID) ([]*ScheduledDeletion, error)
	// DueDeletions returns up to limit (1-1000) deletions not yet done whose DueAt is at
	// or before at and whose ID is above after, by ID.
	DueDeletions(ctx context.Context, at time.Time, after int64, limit int) ([]*ScheduledDeletion, error)
	// FinishDeletion marks deletion id done at at, with the fields it deleted; ENOTFOUND
	// if there is no such deletion pending.
	FinishDeletion(ctx context.Context, id int64, at time.Time, deleted []string) error
}
