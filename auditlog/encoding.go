// Package auditlog is Jaga's tamper-evident audit log (UU PDP Art 31 and 32, R-16,
// every audit event is a leaf of a Merkle tree built with
// golang.org/x/mod/sumdb/tlog (RFC 6962 hashing), the tree hashes are stored so that any
// prefix can be proven, and signed checkpoints (C2SP tlog-checkpoint notes, signed with
// golang.org/x/mod/sumdb/note by the controller's Ed25519 audit key) commit to its size
// and root. A bulk event commits to its subjects by a second tree over their IDs, so a
// customer's proof is a path through both trees that reveals no other subject's ID.
//
// The package encodes events, appends them through one store call per group commit,
// writes and witnesses checkpoints, proves inclusion and consistency, verifies a stored
// log or an export, and writes exports. The offline procedure is docs/audit-verify.md.
//
// auditlog imports the root package jaga, x/mod/sumdb/tlog and note, and the standard
// library; it never sees a key file (the signer is handed in).
package auditlog

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
)

// Version is the first byte of every encoded event (format version 1).
const Version = 1

// MaxInlineSubjects is the most subjects an event lists in its encoding; an event about
// more subjects commits to them by the root of a Merkle tree over their sorted IDs.
const MaxInlineSubjects = 16

// Subject modes of the encoding.
const (
	subjectsInline = 0
	subjectsRoot   = 1
)

// Encode returns the canonical encoding of ev (format version 1, docs/audit-verify.md):
//
//	byte    version (1)
//	varint  time, microseconds since 1970-01-01 UTC (zig-zag, encoding/binary)
//	string  actor_id, role, action, purpose, reason, decision, request_id
//	uvarint count
//	byte    subject mode: 0 = inline list, 1 = root
//	        mode 0: uvarint n, then n × 16 bytes (the 32 hex digits of each ID)
//	        mode 1: uvarint n, then the 32-byte tlog tree hash over the sorted IDs
//	list    fields_requested, fields_returned
//	uvarint number of decisions, then (string field, string decision), sorted by field
//
// where string is uvarint length + UTF-8 bytes and list is uvarint n + n strings. An
// event with more than MaxInlineSubjects subjects and no SubjectRoot gets its root here
// (ev.Subjects sorted, deduplicated; SubjectRoot and SubjectCount set). Errors: a
// subject that is not a subject ID, a root that is not 32 bytes.
func Encode(ev *jaga.AuditEvent) ([]byte, error) {
	if len(ev.Subjects) > MaxInlineSubjects && ev.SubjectRoot == nil {
		ev.Subjects = sortedUnique(ev.Subjects)
		root, err := SubjectRoot(ev.Subjects)
		if err != nil {
			return nil, err
		}
		ev.SubjectRoot, ev.SubjectCount = root[:], len(ev.Subjects)
	}
	b := make([]byte, 0, 128+16*len(ev.Subjects))
	b = append(b, Version)
	b = binary.AppendVarint(b, ev.Time.UnixMicro())
	for _, s := range []string{ev.ActorID, string(ev.Role), ev.Action, ev.Purpose, ev.Reason, ev.Decision, ev.RequestID} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(max(ev.Count, 0)))
	if ev.SubjectRoot != nil {
		if len(ev.SubjectRoot) != tlog.HashSize {
			return nil, errors.New("auditlog: subject root must be 32 bytes")
		}
		b = append(b, subjectsRoot)
		b = binary.AppendUvarint(b, uint64(ev.SubjectCount))
		b = append(b, ev.SubjectRoot...)
	} else {
		b = append(b, subjectsInline)
		b = binary.AppendUvarint(b, uint64(len(ev.Subjects)))
		for _, s := range ev.Subjects {
			k, err := SubjectKey(s)
			if err != nil {
				return nil, err
			}
			b = append(b, k[:]...)
		}
	}
	b = appendList(b, ev.FieldsRequested)
	b = appendList(b, ev.FieldsReturned)
	keys := make([]string, 0, len(ev.Decisions))
	for k := range ev.Decisions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, string(ev.Decisions[k]))
	}
	return b, nil
}

// Decode parses an encoding made by Encode. It refuses anything that is not canonical
// (an unknown version, trailing bytes, unsorted decisions, a non-minimal varint), so
// that one event has exactly one encoding. For a bulk event Subjects is nil and
// SubjectCount and SubjectRoot are set. Seq is left zero.
func Decode(data []byte) (*jaga.AuditEvent, error) {
	d := decoder{b: data}
	if v := d.byte(); v != Version {
		return nil, fmt.Errorf("auditlog: unknown event version %d", v)
	}
	ev := &jaga.AuditEvent{}
	ev.Time = time.UnixMicro(d.varint()).UTC()
	ev.ActorID = d.string()
	ev.Role = jaga.Role(d.string())
	ev.Action, ev.Purpose, ev.Reason, ev.Decision, ev.RequestID = d.string(), d.string(), d.string(), d.string(), d.string()
	ev.Count = int(d.uvarint())
	switch d.byte() {
	case subjectsInline:
		n := d.count(16)
		for range n {
			k := d.bytes(16)
			if k != nil {
				ev.Subjects = append(ev.Subjects, jaga.SubjectID(jaga.SubjectIDPrefix+hex.EncodeToString(k)))
			}
		}
	case subjectsRoot:
		ev.SubjectCount = int(d.uvarint())
		ev.SubjectRoot = slices.Clone(d.bytes(tlog.HashSize))
	default:
		d.fail("subject mode")
	}
	ev.FieldsRequested = d.list()
	ev.FieldsReturned = d.list()
	if n := d.count(2); n > 0 {
		ev.Decisions = make(map[string]jaga.Decision, n)
		for range n {
			k, v := d.string(), d.string()
			ev.Decisions[k] = jaga.Decision(v)
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	again, err := Encode(ev)
	if err != nil || string(again) != string(data) {
		return nil, errors.New("auditlog: event encoding is not canonical")
	}
	return ev, nil
}

// inlineSubjects returns the subjects an encoding lists inline, and whether it is a bulk
// event (whose subjects are the record's members), without decoding the rest.
func inlineSubjects(data []byte) ([]jaga.SubjectID, bool, error) {
	d := decoder{b: data}
	if d.byte() != Version {
		return nil, false, errors.New("auditlog: unknown event version")
	}
	d.varint()
	for range 7 {
		d.bytes(d.count(1))
	}
	d.uvarint()
	var out []jaga.SubjectID
	switch d.byte() {
	case subjectsInline:
		for range d.count(16) {
			if k := d.bytes(16); k != nil {
				out = append(out, jaga.SubjectID(jaga.SubjectIDPrefix+hex.EncodeToString(k)))
			}
		}
	case subjectsRoot:
		return nil, true, d.err
	default:
		d.fail("subject mode")
	}
	return out, false, d.err
}

// SubjectKey returns the 16 bytes of a subject ID (its 32 hex digits).
func SubjectKey(id jaga.SubjectID) ([16]byte, error) {
	var k [16]byte
	if !id.Valid() {
		return k, errors.New("auditlog: audit events name subjects by subject ID only")
	}
	_, err := hex.Decode(k[:], []byte(id[len(jaga.SubjectIDPrefix):]))
	return k, err
}

func sortedUnique(ids []jaga.SubjectID) []jaga.SubjectID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendString(b, s)
	}
	return b
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("auditlog: malformed event: %s", what)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail("short")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length and checks that at least min bytes per item remain.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail("count")
		return 0
	}
	return int(n)
}

func (d *decoder) bytes(n int) []byte {
	if len(d.b) < n {
		d.fail("short")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.count(1)
	return strings.Clone(string(d.bytes(n)))
}

func (d *decoder) list() []string {
	n := d.count(1)
	var out []string
	for range n {
		out = append(out, d.string())
	}
	return out
}
