package jaga

import "time"

// ConsentStatus is the state a consent record gives (DESIGN.md vocabulary).
type ConsentStatus string

// Consent statuses. An N, T, unticked box or GPC signal is recorded as ConsentRefused.
const (
	ConsentGiven     ConsentStatus = "given"
	ConsentRefused   ConsentStatus = "refused"
	ConsentWithdrawn ConsentStatus = "withdrawn"
	ConsentExpired   ConsentStatus = "expired"
)

// Flags on a given consent that make it not count.
const (
	FlagNoEvidence  = "invalid:no_evidence"
	FlagDraftNotice = "invalid:draft_notice"
	FlagGPC         = "invalid:gpc"
)

// Consent is one consent record (UU PDP Arts 20(2)(a), 22-24; ): per subject
// and purpose, with its status, the notice version shown, the channel, the evidence
// reference (notice version, double-opt-in ID or paper form number: metadata, never a
// personal value) and the time it was given (UTC). Records are appended, never
// overwritten: the latest by At (then by ID) is the one in force.
type Consent struct {
	ID            int64         `json:"-"`
	Subject       SubjectID     `json:"subject"`
	Purpose       string        `json:"purpose"`
	Status        ConsentStatus `json:"status"`
	Flag          string        `json:"flag,omitempty"`
	NoticeVersion string        `json:"notice_version,omitempty"`
	Channel       Channel       `json:"channel"`
	Evidence      string        `json:"evidence,omitempty"`
	At            time.Time     `json:"at"`
	RecordedAt    time.Time     `json:"recorded_at"`
}

// Counts reports whether the consent lets a consent-based purpose proceed: status
// given and no invalid flag.
func (c *Consent) Counts() bool { return c != nil && c.Status == ConsentGiven && c.Flag == "" }
