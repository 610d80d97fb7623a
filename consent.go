package jaga

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"time"
)

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
// overwritten: the latest in the order of CompareConsents is the one in force.
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
// paper form. SourceFile is the base name of the file an imported consent came from
// (with SourceRow, its line): it breaks ties between records of the same instant
// (CompareConsents). None of these is a personal value.
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
	SourceFile string    `json:"source_file,omitempty"`
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

// ZoneOfProvince returns the zone (WIB, WITA or WIT) of an Indonesian province given by
// its two-digit Kemendagri code ("32" Jawa Barat, "73" Sulawesi Selatan, "91" Papua), or
// "" for an unknown code. DESIGN.md: a subject's local zone comes from the domicile
// province. Zones as Keppres 41/1987 set them: WITA for Bali, Nusa Tenggara, South, East
// and North Kalimantan and Sulawesi (51-53, 63-65, 71-76); WIT for Maluku and Papua
// (81-82, 91-96); WIB for Sumatra, Java, West and Central Kalimantan (11-36, 61-62).
func ZoneOfProvince(code string) string {
	if len(code) != 2 || code[0] < '1' || code[0] > '9' || code[1] < '0' || code[1] > '9' {
		return ""
	}
	switch n := int(code[0]-'0')*10 + int(code[1]-'0'); {
	case n >= 11 && n <= 21, n >= 31 && n <= 36, n == 61, n == 62:
		return "WIB"
	case n >= 51 && n <= 53, n >= 63 && n <= 65, n >= 71 && n <= 76:
		return "WITA"
	case n == 81, n == 82, n >= 91 && n <= 96:
		return "WIT"
	}
	return ""
}

// TieKey is the part of a record's place in CompareConsents that comes after At: for a
// record imported from a file, 0x01, the file's base name, 0x00 and the line as 8
// big-endian bytes; for every other record (recorded live through the API, a form or
// the portal) the single byte 0x02, so that at the same instant a live decision comes
// after the imported ones. Stores compare it byte by byte.
func (c *Consent) TieKey() []byte {
	if c.SourceFile == "" {
		return []byte{0x02}
	}
	k := make([]byte, 0, len(c.SourceFile)+10)
	k = append(k, 0x01)
	k = append(k, c.SourceFile...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, uint64(max(c.SourceRow, 0)))
}

// CompareConsents orders two records of one (subject, purpose) by when they take
// effect; the last is the one in force: the later At, then — at the same instant —
// TieKey (records from files by file name, then line, before records made live), then
// the later recorded (ID). The order of two records from files does not depend on the
// order the files were imported in (issue 4: later collection time, then file name,
// then line). It returns -1, 0 or +1 like cmp.Compare.
func CompareConsents(a, b *Consent) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := bytes.Compare(a.TieKey(), b.TieKey()); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
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
