// Package mediatype checks the Content-Type of a request body against the media types
// an endpoint reads, and says in plain words what was received and what is accepted, so
// that the API and the web intake form refuse a wrong body declaration the same way
// (415 Unsupported Media Type, RFC 9110 section 15.5.16, naming the Content-Type
// header).
package mediatype

import (
	"errors"
	"mime"
	"net/http"
	"strings"
)

// Check reads the one Content-Type header of h (RFC 9110 section 8.3, media-type
// parsing by mime.ParseMediaType) and returns its media type (lower case) when it is
// one of accepted (lower-case types, e.g. "application/json"). Otherwise msg says why,
// naming the type received (only the parsed media type, made of RFC 9110 token
// characters: a header value that does not parse is never repeated) and the types
// accepted: a missing or repeated header, a value that is not a media type, a
// parameter given twice (named), malformed parameters, another type, or a charset
// other than UTF-8 (named when it looks like a charset name). A charset is accepted
// when it is "utf-8" or "utf8" in any case, quoted or not: the WHATWG Encoding
// Standard (and browsers) read utf8 as a label of UTF-8, so refusing it would only
// puzzle a client whose body is UTF-8 all the same.
func Check(h http.Header, accepted ...string) (mt string, msg string) {
	want := list(accepted)
	vs := h["Content-Type"]
	switch {
	case len(vs) == 0 || strings.TrimSpace(vs[0]) == "":
		return "", "the Content-Type header is missing; the body must be sent as " + want
	case len(vs) > 1:
		return "", "the Content-Type header is given more than once; send it once, as " + want
	}
	mt, params, err := mime.ParseMediaType(vs[0])
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		if name, ok := duplicateParameter(vs[0]); ok {
			return "", "the Content-Type header gives parameter " + name + " more than once; give each parameter once, e.g. " + accepted[0] + "; charset=utf-8"
		}
		return "", "the Content-Type header is not a media type; the body must be sent as " + want
	}
	ok := false
	for _, a := range accepted {
		ok = ok || mt == a
	}
	switch {
	case !ok:
		if len(mt) > 64 {
			mt = mt[:64] + "…"
		}
		return "", "Content-Type " + mt + " is not supported; the body must be sent as " + want
	case err != nil:
		return "", "the Content-Type header has malformed parameters; send " + mt + " or " + mt + "; charset=utf-8"
	}
	if cs, given := params["charset"]; given && !IsUTF8(cs) {
		why := "the body must be UTF-8"
		if mt == "application/json" {
			why = "JSON is UTF-8, RFC 8259 section 8.1"
		}
		name := "given"
		if charsetName(cs) {
			name = cs
		}
		return "", "the charset of Content-Type " + mt + " is " + name + ", which is not supported; send charset=utf-8 (" + why + ")"
	}
	return mt, ""
}

// IsUTF8 reports whether charset names UTF-8: "utf-8" or its WHATWG label "utf8", in
// any case.
func IsUTF8(charset string) bool {
	return strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8")
}

// list joins types as "a", "a or b", "a, b or c".
func list(types []string) string {
	if len(types) < 2 {
		return strings.Join(types, "")
	}
	return strings.Join(types[:len(types)-1], ", ") + " or " + types[len(types)-1]
}

// charsetName reports whether s looks like a charset name (IANA names: letters, digits
// and - _ . : +, at most 40 bytes), which may be repeated in a message.
func charsetName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.:+", c) >= 0) {
			return false
		}
	}
	return true
}

// duplicateParameter returns the name of a parameter v gives twice (case-insensitive,
// RFC 9110 section 5.6.6), when that name is a token that may be repeated.
func duplicateParameter(v string) (string, bool) {
	parts := strings.Split(v, ";")
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		name, _, _ := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !charsetName(name) {
			continue
		}
		if seen[name] {
			return name, true
		}
		seen[name] = true
	}
	return "", false
}
