package jaga

import "time"

// Audit actions. Every gate operation writes exactly one event with one of these; a bulk
// operation (an import, an export, a campaign) writes one event for all its subjects.
const (
	ActionRead          = "read"
	ActionFind          = "find"
	ActionCreate        = "create"
	ActionUpdate        = "update"
	ActionErase         = "erase"
	ActionImport        = "import"
	ActionExport        = "export"
	ActionMerge         = "merge"
	ActionLogin         = "login"
	ActionPolicyChange  = "policy_change"
	ActionReadPurchases = "read_purchases"
	ActionReadConsents  = "read_consents"
	ActionConsentChange = "consent_change"
	ActionReadAudit     = "read_audit"
	ActionKeyRotation   = "key_rotation"
	ActionErasureReplay = "erasure_replay"
	ActionActorCreate   = "actor_create"
)

// AuditEvent is one entry of the audit log (UU PDP Art 31, R-29): who (actor, role),
// what (action), why (purpose, reason or ticket), which subjects, which fields were
// requested and returned, the decision (overall and per field), the request ID and when.
// It never holds a field value (invariant 6). On an update made by a customer's
// correction request (gate.Rectify), Decisions gives each written field that the role
// may not read its read decision (a deny): the write was allowed, the read still is not.
//
// Seq is 1-based and gap-free; event Seq is leaf Seq-1 of the log's Merkle tree
// (package auditlog). An event about many subjects (more than auditlog.MaxInlineSubjects)
// commits to them by SubjectRoot, the Merkle tree hash over their IDs in sorted order,
// with SubjectCount of them; Subjects then still lists them for indexing, but the leaf
// holds only the root.
type AuditEvent struct {
	Seq             int64               `json:"seq"`
	Time            time.Time           `json:"time"`
	ActorID         string              `json:"actor_id"`
	Role            Role                `json:"role"`
	Action          string              `json:"action"`
	Purpose         string              `json:"purpose,omitempty"`
	Reason          string              `json:"reason,omitempty"`
	Subjects        []SubjectID         `json:"subjects,omitempty"`
	SubjectCount    int                 `json:"subject_count,omitempty"`
	SubjectRoot     []byte              `json:"subject_root,omitempty"`
	FieldsRequested []string            `json:"fields_requested,omitempty"`
	FieldsReturned  []string            `json:"fields_returned,omitempty"`
	Decision        string              `json:"decision"`
	Decisions       map[string]Decision `json:"decisions,omitempty"`
	RequestID       string              `json:"request_id,omitempty"`
	Count           int                 `json:"count,omitempty"`
}

// AuditFilter selects audit events: by subject, actor, action, from sequence number
// AfterSeq (exclusive), at most Limit (default 100, at most 1000).
type AuditFilter struct {
	Subject  SubjectID
	ActorID  string
	Action   string
	AfterSeq int64
	Limit    int
}

// AuditRecord is one audit event as the store holds it: Data is the event's canonical
// encoding (the Merkle leaf is SHA-256(0x00 ‖ Data)), Hashes the tree hashes the log
// stores with leaf Seq-1 (32 bytes each: the leaf hash, then one per subtree the leaf
// completes, as tlog.StoredHashes), Members the 16-byte IDs of a bulk event's subjects in
// tree order (nil otherwise). Pos is set on records found through AuditFilter.Subject
// (the subject's position in the event).
type AuditRecord struct {
	Seq     int64
	Data    []byte
	Hashes  []byte
	Members []byte
	Pos     int
}

// AuditIndexEntry says that event Seq names Subject at position Pos among its subjects
// (the leaf index in a bulk event's subject tree).
type AuditIndexEntry struct {
	Subject SubjectID
	Seq     int64
	Pos     int
}

// AuditIndexEpoch is how many events share an epoch of the per-subject index: entries
// are grouped by (Seq-1)/AuditIndexEpoch so that indexing a batch touches few pages.
const AuditIndexEpoch = 1 << 16

// AuditHead is the state of the audit log: Size events, the largest checkpoint at
// CheckpointSize (0 when none), the per-subject index covering events up to
// IndexedSize, and Edge, the roots of the tree's complete subtrees (32 bytes each,
// lowest level first) that the next append starts from.
type AuditHead struct {
	Size           int64
	CheckpointSize int64
	IndexedSize    int64
	Edge           []byte
}

// AuditCheckpoint is a signed checkpoint of the audit log: Note is the C2SP
// tlog-checkpoint text (origin, size, base64 root hash) with its signature lines, Size
// the tree size it commits to, Time when it was written.
type AuditCheckpoint struct {
	Size int64
	Time time.Time
	Note []byte
}
