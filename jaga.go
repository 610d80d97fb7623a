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
