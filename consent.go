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

	ConsentDetails
}

// ConsentDetails are the parts of a consent record beyond the core columns (ISO/IEC TS
// 27560 record; ), stored together. Zone is the subject's local zone
// (WIB, WITA or WIT) when known, for the local time of At; ExpiresAt is set when the
// purpose gives consents a validity period. Collector is the staff actor who collected
// an offline consent. GivenBy is "subject" or "guardian" (then Guardian names the
// guardian subject, R-4). Evidence beyond the reference: TextHash and UserAgent when Jaga
// served the form; SourceHash and SourceRow of an imported file; ScanHash of a scanned
// paper form. None of these is a personal value.
type ConsentDetails struct {
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	Zone       string    `json:"zone,omitempty"`
	Collector  string    `json:"collector,omitempty"`
	GivenBy    string    `json:"given_by,omitempty"`
	Guardian   SubjectID `json:"guardian,omitempty"`
	TextHash   string    `json:"text_hash,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	SourceHash string    `json:"source_hash,omitempty"`
	SourceRow  int       `json:"source_row,omitempty"`
	ScanHash   string    `json:"scan_hash,omitempty"`
}

// Who gave a consent.
const (
	GivenBySubject  = "subject"
	GivenByGuardian = "guardian"
)

// Zones of Indonesia by their abbreviations, with the IANA zone of each.
var Zones = map[string]string{"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

// ZoneOffset returns the zone abbreviation of a UTC offset in seconds (+7 h WIB, +8 h
// WITA, +9 h WIT), or "".
func ZoneOffset(seconds int) string {
	switch seconds {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	}
	return ""
}

// Local returns At in the record's zone, or At in UTC when the zone is unknown.
func (c *Consent) Local() time.Time {
	off := map[string]int{"WIB": 7, "WITA": 8, "WIT": 9}[c.Zone]
	if off == 0 {
		return c.At.UTC()
	}
	return c.At.In(time.FixedZone(c.Zone, off*3600))
}

// Counts reports whether the consent lets a consent-based purpose proceed: status
// given and no invalid flag.
func (c *Consent) Counts() bool { return c != nil && c.Status == ConsentGiven && c.Flag == "" }

// Expired reports whether the consent has a validity period that ended by t.
func (c *Consent) Expired(t time.Time) bool {
	return c != nil && !c.ExpiresAt.IsZero() && !t.Before(c.ExpiresAt)
}
