// Package jaga is the domain of Jaga, the vault an Indonesian company runs to hold its
// customers' personal data in trust (UU No. 27/2022, "UU PDP").
//
// It holds the types every other package speaks (subjects, fields, purposes, consents,
// decisions, audit events, actors), the error vocabulary, and the interfaces the
// implementation packages satisfy. It imports only the standard library.
//
// Dependency direction: every package points at this one; this package points at none.
//   - seal: keys, DEK wrap/unwrap, field AEAD, blind indexes, erasure journal
//   - policy: pure decisions (role × purpose × lawful basis × consent × field class)
//   - gate: the one gate through which plaintext leaves storage
//   - sqlstore/sqlite: the Store implementation on SQLite
//   - api, server: HTTP
//   - cmd/jaga: the CLI, the only package that knows concrete types
package jaga

import (
	"strings"
	"time"
)

// SubjectID identifies a data subject (subjek data pribadi): "sub_" followed by a
// time-ordered random UUIDv7 in its 32 lower-case hex digits. It is never derived from
// the NIK or any other personal value, so it may appear in logs and audit events.
type SubjectID string

// SubjectIDPrefix is the prefix of every SubjectID.
const SubjectIDPrefix = "sub_"

// Valid reports whether id has the shape "sub_" + 32 lower-case hex digits.
func (id SubjectID) Valid() bool {
	s := string(id)
	if !strings.HasPrefix(s, SubjectIDPrefix) || len(s) != len(SubjectIDPrefix)+32 {
		return false
	}
	for _, c := range s[len(SubjectIDPrefix):] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ParseSubjectID checks the shape of s and returns it as a SubjectID, or an EINVALID
// error naming the field "id".
func ParseSubjectID(s string) (SubjectID, error) {
	id := SubjectID(s)
	if !id.Valid() {
		return "", &Error{Code: EINVALID, Field: "id", Message: "subject id must be sub_ followed by 32 hex digits"}
	}
	return id, nil
}

// Channel is where a subject's data was collected (DESIGN.md vocabulary).
type Channel string

// The channels Jaga knows. ChannelImport is used only when neither the row nor the
// file names a channel.
const (
	ChannelWebForm     Channel = "web_form"
	ChannelEmailSignup Channel = "email_signup"
	ChannelAPI         Channel = "api"
	ChannelExhibition  Channel = "exhibition"
	ChannelDoorToDoor  Channel = "door_to_door"
	ChannelStoreVisit  Channel = "store_visit"
	ChannelImport      Channel = "import"
)

// Channels lists every valid Channel.
var Channels = []Channel{ChannelWebForm, ChannelEmailSignup, ChannelAPI, ChannelExhibition, ChannelDoorToDoor, ChannelStoreVisit, ChannelImport}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool {
	for _, v := range Channels {
		if c == v {
			return true
		}
	}
	return false
}

// Clock gives the current time. Packages take a Clock instead of calling time.Now deep
// inside, so that tests can fix time (STYLE.md rule 5).
type Clock interface {
	Now() time.Time
}

// SystemClock is the Clock of the machine, in UTC.
type SystemClock struct{}

// Now returns time.Now in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Redacted wraps a personal value so that it can be passed around without ever being
// printed: String, GoString and every fmt verb give "[redacted]" (invariant 6).
// Value returns the wrapped string for the code that is allowed to use it.
type Redacted struct{ v string }

// Redact wraps s.
func Redact(s string) Redacted { return Redacted{v: s} }

// Value returns the wrapped string.
func (r Redacted) Value() string { return r.v }

// String returns "[redacted]".
func (Redacted) String() string { return "[redacted]" }

// GoString returns "[redacted]".
func (Redacted) GoString() string { return "[redacted]" }

// MarshalText returns "[redacted]", so that a Redacted logged as JSON or text stays hidden.
func (Redacted) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// LooksPersonal reports whether free text that Jaga stores as metadata (a reveal reason,
// a consent evidence reference) looks like it carries a personal value: an e-mail
// address (an @ between word characters), a run of 9 or more digits (a phone number,
// NIK, account number; separators ignored), or Unicode format characters that can hide
// text. References — a word of letters followed by dash-separated letters and digits,
// such as "TICKET-4211", "DOI-20230102-123456" or "FRM-TOKO-2024-0001" — pass.
func LooksPersonal(s string) bool {
	if isReference(s) {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			if digits >= 9 {
				return true
			}
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '+':
			// separators inside phone numbers and NIKs do not end a run
		default:
			digits = 0
		}
		if r == '@' && i > 0 && i < len(s)-1 {
			return true
		}
		if r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2060 && r <= 0x206f || r == 0xfeff {
			return true
		}
	}
	return false
}

// isReference reports whether s is LETTERS(-[A-Za-z0-9]+)+, the shape of ticket, form and
// double-opt-in references.
func isReference(s string) bool {
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	if i < 2 || i == len(s) {
		return false
	}
	parts := 0
	for i < len(s) {
		if s[i] != '-' {
			return false
		}
		i++
		j := i
		for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == j {
			return false
		}
		parts++
	}
	return parts > 0
}
