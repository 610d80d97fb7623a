package jaga

import "time"

// Audit actions. Every gate operation writes exactly one event with one of these.
const (
	ActionRead          = "read"
	ActionFind          = "find"
	ActionCreate        = "create"
	ActionUpdate        = "update"
	ActionErase         = "erase"
	ActionImport        = "import"
	ActionReadPurchases = "read_purchases"
	ActionReadConsents  = "read_consents"
	ActionConsentChange = "consent_change"
	ActionReadAudit     = "read_audit"
	ActionKeyRotation   = "key_rotation"
	ActionErasureReplay = "erasure_replay"
	ActionActorCreate   = "actor_create"
)

// AuditEvent is one entry of the audit log (UU PDP Art 31, R-29): who (actor, role),
// what (action), why (purpose, reason), which subjects, which fields were requested and
// returned, the decision (overall and per field) and when. It never holds a field value
// (invariant 6). Seq is 1-based and gap-free; Hash = SHA-256(PrevHash ‖ canonical event),
// chaining every event to the one before (a Merkle log replaces the chain later).
type AuditEvent struct {
	Seq             int64               `json:"seq"`
	Time            time.Time           `json:"time"`
	ActorID         string              `json:"actor_id"`
	Role            Role                `json:"role"`
	Action          string              `json:"action"`
	Purpose         string              `json:"purpose,omitempty"`
	Reason          string              `json:"reason,omitempty"`
	Subjects        []SubjectID         `json:"subjects,omitempty"`
	FieldsRequested []string            `json:"fields_requested,omitempty"`
	FieldsReturned  []string            `json:"fields_returned,omitempty"`
	Decision        string              `json:"decision"`
	Decisions       map[string]Decision `json:"decisions,omitempty"`
	RequestID       string              `json:"request_id,omitempty"`
	Count           int                 `json:"count,omitempty"`
	PrevHash        []byte              `json:"prev_hash"`
	Hash            []byte              `json:"hash"`
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
