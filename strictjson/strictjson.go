// Package strictjson finds what encoding/json lets through silently: an object that
// names the same member twice. encoding/json keeps the last value (RFC 8259 section 4
// leaves the behaviour of duplicate names open), so {"email":"a","email":"b"} would be
// read as b while a log, a proxy or a reviewer sees a. Jaga refuses such bodies.
//
// strictjson imports only the standard library.
package strictjson

import (
	"bytes"
	"encoding/json"
	"strings"
)

// DuplicateKey reports, as first written, the first member name that occurs twice in one JSON object of
// b, at any depth, and true; or "" and false. Names are compared after unescaping and
// without case, because encoding/json matches struct fields without case
// ({"email":…,"EMAIL":…} fills one field twice). b is expected to be valid JSON (decode
// it first); on malformed input DuplicateKey reports what it found before the error.
// The name returned came from the caller: pass it through jaga.SafeName before showing
// it.
func DuplicateKey(b []byte) (string, bool) {
	if bytes.Count(b, []byte{':'}) < 2 {
		return "", false // fewer than two members: nothing can repeat
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	// One frame per open object or array; an object's frame holds the names seen and
	// whether the next string token is a name.
	type frame struct {
		object bool
		names  map[string]string // lower case → as first written
		atName bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				if top != nil && top.object {
					top.atName = true
				}
				stack = append(stack, &frame{object: true, atName: true})
			case '[':
				if top != nil && top.object {
					top.atName = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if !top.atName {
			top.atName = true // a value: the next string is a name
			continue
		}
		name := tok.(string)
		key := strings.ToLower(name)
		if top.names == nil {
			top.names = map[string]string{}
		}
		if first, dup := top.names[key]; dup {
			return first, true
		}
		top.names[key] = name
		top.atName = false
	}
}
