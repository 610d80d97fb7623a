package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"jaga"
	"jaga/internal/mediatype"
	"jaga/strictjson"
)

// bufPool holds the buffers request bodies are read into, so that the hot path
// (look-up) allocates no body buffer per request. Buffers are zeroed before reuse: they
// held personal values.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuf(b *bytes.Buffer) {
	if b.Cap() > 256<<10 {
		return // let an unusually large buffer go
	}
	clear(b.Bytes())
	b.Reset()
	bufPool.Put(b)
}

// bytesPool holds the byte slices hand-encoded responses (records) are built in,
// zeroed before reuse like bufPool's.
var bytesPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func getBytes() *[]byte { return bytesPool.Get().(*[]byte) }

func putBytes(b *[]byte) {
	if cap(*b) > 256<<10 {
		return
	}
	clear(*b)
	*b = (*b)[:0]
	bytesPool.Put(b)
}

// decode reads r's JSON body into v. Errors (none holds a value from the body):
//   - an *unsupportedType (EINVALID answered 415 Unsupported Media Type, naming the
//     Content-Type header) when the Content-Type is missing or is not application/json
//     (checkContentType);
//   - a *bodyTooLarge (EINVALID answered 413 Content Too Large) for a body over the
//     handler's limit;
//   - EINVALID (400): an empty or unreadable body, invalid UTF-8, malformed JSON, more
//     than one JSON value, or a member named twice in one object (naming it);
//   - EUNPROCESSABLE (422) naming the member: an unknown member, a member of the
//     wrong JSON type, or a time not in RFC 3339 form (timeError).
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if err := checkContentType(r.Header); err != nil {
		return err
	}
	buf := getBuf()
	defer putBuf(buf)
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.maxBody)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &bodyTooLarge{jaga.Errorf(jaga.EINVALID, "the body is larger than %d bytes", h.maxBody)}
		}
		return jaga.Errorf(jaga.EINVALID, "the body could not be read")
	}
	// A UTF-8 byte order mark, which some Windows tools write, is ignored (RFC 8259
	// section 8.1 lets a parser do so).
	body := bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(body)) == 0 {
		return jaga.Errorf(jaga.EINVALID, "the body is empty; a JSON object is expected")
	}
	if !utf8.Valid(body) {
		// encoding/json would silently replace bad bytes with U+FFFD and store a value
		// the sender never meant.
		return jaga.Errorf(jaga.EINVALID, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if isTimeError(err) {
			return timeError(body)
		}
		return decodeError(err, body)
	}
	if _, err := dec.Token(); err != io.EOF {
		return jaga.Errorf(jaga.EINVALID, "the body must hold exactly one JSON object")
	}
	if name, dup := strictjson.DuplicateKey(body); dup {
		// encoding/json would keep the last value silently.
		return &jaga.Error{Code: jaga.EINVALID, Field: jaga.SafeName(name), Message: "member given twice (names are compared without case)"}
	}
	return nil
}

// bodyTooLarge is the EINVALID error of a body over the limit, answered with 413 Content
// Too Large (RFC 9110 section 15.5.14) rather than 400: the client can tell that the
// request was not malformed but too big. http.MaxBytesReader has already asked for the
// connection to be closed.
type bodyTooLarge struct{ err *jaga.Error }

func (e *bodyTooLarge) Error() string { return e.err.Error() }
func (e *bodyTooLarge) Unwrap() error { return e.err }

// unsupportedType is the EINVALID error of a body that is not declared as JSON, answered
// with 415 Unsupported Media Type (RFC 9110 section 15.5.16) rather than 400: the body
// was not read, and the client can tell that its Content-Type, not its JSON, is wrong.
type unsupportedType struct{ err *jaga.Error }

func (e *unsupportedType) Error() string { return e.err.Error() }
func (e *unsupportedType) Unwrap() error { return e.err }

// checkContentType accepts a Content-Type of application/json, with parameters (a
// charset only utf-8, or its WHATWG label utf8: JSON exchanged between systems is
// UTF-8, RFC 8259 section 8.1). A missing Content-Type is refused too, as the intake form
// does: every body the API reads is declared application/json in openapi.yaml, and
// guessing would let `curl -d` (form encoding) or a multipart upload reach the JSON
// parser and come back as a puzzling "malformed JSON at line 1". The refusal names the
// type received, a charset or parameter at fault, and the type expected
// (mediatype.Check); a header value that does not parse is not repeated.
func checkContentType(hd http.Header) error {
	if _, msg := mediatype.Check(hd, "application/json"); msg != "" {
		return &unsupportedType{&jaga.Error{Code: jaga.EINVALID, Field: "Content-Type", Message: msg}}
	}
	return nil
}

// isTimeError reports whether err is time.Time's refusal of a JSON value (not a string,
// or a string not in RFC 3339 form), which encoding/json returns without the member.
func isTimeError(err error) bool {
	var pe *time.ParseError
	return errors.As(err, &pe) || strings.HasPrefix(err.Error(), "Time.UnmarshalJSON")
}

// timeHelp is how an API time is written (RFC 3339).
const timeHelp = "must be a time in RFC 3339 form, such as 2026-01-31T10:00:00+07:00"

// timeError names the member of body whose time was refused: the first member, at any
// depth, named "time" or ending in "at" whose value is not an RFC 3339 string. Without
// one it is a 400 that says what a time looks like.
func timeError(body []byte) error {
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		if name := badTimeMember(doc); name != "" {
			return jaga.FieldError(name, timeHelp)
		}
	}
	return jaga.Errorf(jaga.EINVALID, "a time value %s", timeHelp)
}

func badTimeMember(v any) string {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if k == "time" || k == "at" || strings.HasSuffix(k, "_at") {
				s, ok := x[k].(string)
				if x[k] != nil && (!ok || !validTime(s)) {
					return jaga.SafeName(k)
				}
			}
			if n := badTimeMember(x[k]); n != "" {
				return n
			}
		}
	case []any:
		for _, e := range x {
			if n := badTimeMember(e); n != "" {
				return n
			}
		}
	}
	return ""
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// decodeError translates an encoding/json error into the error vocabulary, naming the
// member where json can.
func decodeError(err error, body []byte) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return jaga.Errorf(jaga.EINVALID, "the body must be a JSON object")
		}
		// Values of fields and attributes are named by their field alone.
		for _, p := range []string{"fields.", "attributes."} {
			if rest, ok := strings.CutPrefix(field, p); ok && rest != "" {
				field = rest
			}
		}
		return jaga.FieldError(field, "must be a JSON %s", jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		line, col := lineColumn(body, syntaxErr.Offset)
		return jaga.Errorf(jaga.EINVALID, "malformed JSON at line %d, column %d (byte %d)", line, col, syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return jaga.Errorf(jaga.EINVALID, "malformed JSON: the body ends early")
	}
	// DisallowUnknownFields reports `json: unknown field "<name>"` and has no error type.
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		name = strings.TrimSuffix(name, `"`)
		if !jaga.PrintableText(name) || len(name) > 64 {
			name = "?"
		}
		return jaga.FieldError(name, "unknown member")
	}
	return jaga.Errorf(jaga.EINVALID, "malformed JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// writeJSON marshals v once and writes it with status, Content-Length and no-store
// caching (responses may hold personal data).
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.error(w, r, err)
		return
	}
	b = append(b, '\n')
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	hd := w.Header()
	hd["Content-Type"] = contentTypeJSON
	hd["Content-Length"] = []string{strconv.Itoa(len(b))}
	hd["Cache-Control"] = cacheNoStore
	w.WriteHeader(status)
	w.Write(b)
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, control
// characters, U+2028 and U+2029 are escaped, as encoding/json does.
func appendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendTime appends t as a JSON string in RFC 3339 with nanoseconds, in UTC.
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// parseTime parses an RFC 3339 date-time member; "" is the zero time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, jaga.FieldError(field, "must be an RFC 3339 date-time such as 2024-05-01T09:30:00+07:00")
	}
	return t.UTC(), nil
}

// lineColumn returns the 1-based line and column (in characters) of the byte at offset
// (1-based, as json.SyntaxError counts it) of body.
func lineColumn(body []byte, offset int64) (line, col int) {
	before := body[:min(max(offset-1, 0), int64(len(body)))]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return line, col
}
