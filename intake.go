package jaga

import "time"

// Audit actions of intake: a source row merged into an existing subject, a merge
// undone, rows quarantined, released or discarded.
const (
	ActionUnmerge    = "unmerge"
	ActionQuarantine = "quarantine"
	ActionSignup     = "signup"
	// ActionSignupsPurged: sign-ups never confirmed were deleted once their link
	// expired (UU PDP Arts 16(2)(g), 44(1)(a); R-41).
	ActionSignupsPurged = "signups_purged"
)

// QuarantineStatus is the state of a quarantined row.
type QuarantineStatus string

// Quarantine states: open rows wait for staff; released rows became (or merged into) a
// subject; discarded rows had their data key destroyed.
const (
	QuarantineOpen      QuarantineStatus = "open"
	QuarantineReleased  QuarantineStatus = "released"
	QuarantineDiscarded QuarantineStatus = "discarded"
)

// QuarantineStatuses lists every valid QuarantineStatus.
var QuarantineStatuses = []QuarantineStatus{QuarantineOpen, QuarantineReleased, QuarantineDiscarded}

// Valid reports whether s is one of QuarantineStatuses ("" is not: a filter reads "" as
// every status).
func (s QuarantineStatus) Valid() bool {
	for _, v := range QuarantineStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// RowReason is one reason a row was quarantined: the field (or "row") and a reason code
// with a short message, never the value (invariant 6).
type RowReason struct {
	Field  string `json:"field"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// QuarantinedRow is an intake row that failed validation, kept encrypted instead of
// lost (invariant 5). ID has the shape of a SubjectID: the row's values are sealed under
// a data key of its own, wrapped with associated data "jaga/dek/v1|<ID>", and the ID
// becomes the subject's when the row is released. RowKey is the keyed hash of the
// quarantined version of the row (its source key and content), so that a re-import does
// not quarantine it twice. SourceKey is the import key of the source record the row is
// a version of (the key a subject made from it holds), empty for a row without a source
// ID; InsertQuarantine stores it and erasing that subject discards the row
// (Tx.DiscardQuarantinedOf). WrappedDEK and Sealed are emptied when the row is released
// or discarded (crypto-shredding). Indexes are the blind indexes of the row's indexed
// fields (e-mail, phone, NIK) whose values normalise, as a subject's are computed; a
// value that does not normalise has none. InsertQuarantine stores them (they are not
// read back) and erasing a subject with one of them discards the row too, so that a
// row without a source ID is not left behind (invariant 4, UU PDP Art 8, R-20); they
// are deleted when the row leaves the open state.
type QuarantinedRow struct {
	ID         SubjectID
	RowKey     []byte
	SourceKey  []byte
	Indexes    []BlindIndex
	File       string
	Line       int
	Reasons    []RowReason
	WrappedDEK []byte
	Sealed     []byte
	Status     QuarantineStatus
	Subject    SubjectID // the subject a released row became or merged into
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// QuarantineFilter selects quarantined rows: by status ("" for all), after an ID, at most
// Limit (default 100).
type QuarantineFilter struct {
	Status QuarantineStatus
	After  SubjectID
	Limit  int
}

// MergeRecord is the trace of one source row merged into an existing subject by
// identity resolution, kept so that the merge can be reversed (jaga subjects unmerge).
// Fields lists the fields the row set on the subject; Consents the consent record IDs it
// added; Sealed holds the row's normalised values, sealed with the subject's DEK under
// associated data "jaga/merge/v1|<subject>|<hex row key>", so that erasing the subject
// destroys it too. UndoneAt and UndoneInto are set by an unmerge.
type MergeRecord struct {
	ID         int64
	Subject    SubjectID
	RowKey     []byte
	File       string
	Line       int
	At         time.Time
	Fields     []string
	Consents   []int64
	Sealed     []byte
	CreatedAt  time.Time
	UndoneAt   time.Time
	UndoneInto SubjectID
}

// ReviewFlag marks a subject for staff review: an identity conflict (two NIKs for one
// e-mail), a consent stored as invalid (draft notice, no evidence, Sec-GPC), a phone kept
// unverified. Reason is a code, Other the other subject of a conflict; File and Line name
// the source row. No values. A flag is open until staff resolve it (reviewflag.go):
// ResolvedAt, ResolvedBy (the actor ID), Resolution and Note (checked to hold no
// personal data) are then set.
type ReviewFlag struct {
	ID         int64            `json:"id"`
	Subject    SubjectID        `json:"subject"`
	Reason     string           `json:"reason"`
	Other      SubjectID        `json:"other,omitempty"`
	File       string           `json:"file,omitempty"`
	Line       int              `json:"line,omitempty"`
	CreatedAt  time.Time        `json:"created_at"`
	ResolvedAt time.Time        `json:"resolved_at,omitzero"`
	ResolvedBy string           `json:"resolved_by,omitempty"`
	Resolution ReviewResolution `json:"resolution,omitempty"`
	Note       string           `json:"note,omitempty"`
}

// PendingSignup is an e-mail sign-up waiting for its double opt-in confirmation: no
// subject and no consent exist until the link is followed. TokenHash is the SHA-256 of
// the token mailed; the values are sealed under the sign-up's own data key (ID has the
// shape of a SubjectID and becomes the subject's on confirmation).
type PendingSignup struct {
	ID         SubjectID
	TokenHash  []byte
	Form       string
	WrappedDEK []byte
	Sealed     []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	Confirmed  SubjectID
}
