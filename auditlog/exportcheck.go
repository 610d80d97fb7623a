package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"jaga"
)

// eventMember is one JSON member of jaga.AuditEvent: its name and struct field index.
type eventMember struct {
	name  string
	index int
}

// eventMembers lists the JSON members of jaga.AuditEvent in field order, from its tags,
// so that a member added to the type is compared without a change here.
var eventMembers = func() []eventMember {
	t := reflect.TypeFor[jaga.AuditEvent]()
	var out []eventMember
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, eventMember{name, i})
		}
	}
	return out
}()

// memberName matches a member name that may be printed: a short identifier. Any other
// name of an unknown member is not repeated, since it could hold a value.
var memberName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// readableMismatch compares the readable copy of an exported event (raw, the line's
// "event" member) with the event decoded from its record, as Go values: seq with the
// line's seq, time as an instant, empty and missing lists alike, and a bulk event's
// subjects by the subject root and count the record commits to. It returns the names of
// the members that differ, are unknown or repeated (never a value), e.g. "field reason"
// or "fields reason, subjects; unknown member note", or "" when the copy matches. err is
// set when the record itself does not decode.
func readableMismatch(seq int64, record []byte, raw json.RawMessage) (string, error) {
	want, err := Decode(record)
	if err != nil {
		return "", err
	}
	want.Seq = seq
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "event missing", nil
	}
	if want.SubjectRoot == nil {
		// The text Export writes decodes to want; only other text is compared member by
		// member (a bulk event's subjects are not in its record, so it always is).
		if b, err := json.Marshal(want); err == nil && bytes.Equal(b, raw) {
			return "", nil
		}
	}
	got, other, err := eventObject(raw)
	if err != nil {
		return "event not a JSON object", nil
	}
	var diff []string
	wv := reflect.ValueOf(want).Elem()
	for _, m := range eventMembers {
		r, ok := got[m.name]
		delete(got, m.name)
		w := wv.Field(m.index)
		g := reflect.New(w.Type())
		if ok && json.Unmarshal(r, g.Interface()) != nil {
			diff = append(diff, m.name)
			continue
		}
		if m.name == "subjects" && want.SubjectRoot != nil {
			if !bulkSubjectsMatch(g.Elem().Interface().([]jaga.SubjectID), want) {
				diff = append(diff, m.name)
			}
			continue
		}
		if !sameValue(g.Elem(), w) {
			diff = append(diff, m.name)
		}
	}
	extra := 0
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if memberName.MatchString(name) {
			other = append(other, "unknown member "+name)
		} else {
			extra++
		}
	}
	if extra > 0 {
		other = append(other, fmt.Sprintf("%d unknown %s", extra, plural(extra, "member")))
	}
	if len(diff) > 0 {
		other = append([]string{plural(len(diff), "field") + " " + strings.Join(diff, ", ")}, other...)
	}
	return strings.Join(other, "; "), nil
}

// eventObject splits a JSON object into its members; a member given twice is named in
// dup (a reader may take either copy).
func eventObject(raw []byte) (members map[string]json.RawMessage, dup []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not an object")
	}
	members = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, ok := members[name]; ok {
			if memberName.MatchString(name) {
				dup = append(dup, "repeated member "+name)
			} else {
				dup = append(dup, "a repeated member")
			}
		}
		members[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, nil, errors.New("trailing data")
	}
	return members, dup, nil
}

// bulkSubjectsMatch reports whether the subjects listed for a bulk event are exactly the
// ones its record commits to: their tree hash is the record's subject root and their
// number its subject count.
func bulkSubjectsMatch(ids []jaga.SubjectID, want *jaga.AuditEvent) bool {
	if len(ids) != want.SubjectCount {
		return false
	}
	root, err := SubjectRoot(ids)
	return err == nil && bytes.Equal(root[:], want.SubjectRoot)
}

// sameValue compares two values of one AuditEvent field: times as instants, empty and
// nil lists and maps alike, everything else deeply.
func sameValue(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Slice, reflect.Map:
		if a.Len() == 0 && b.Len() == 0 {
			return true
		}
	}
	if t, ok := a.Interface().(time.Time); ok {
		return t.Equal(b.Interface().(time.Time))
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
