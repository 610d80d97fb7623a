package sqlstore

import (
	"encoding/binary"
	"errors"
	"slices"
	"unicode/utf8"

	"jaga"
)

// sealedV1 is the leading byte of the version 1 Sealed encoding.
const sealedV1 = 0x01

// errMalformedSealed is returned for any Sealed blob that does not decode. It says
// nothing about the content, which is ciphertext and must stay out of errors anyway.
var errMalformedSealed = errors.New("sqlstore: malformed sealed blob")

// EncodeSealed encodes a subject's sealed values (field or attribute name → ciphertext)
// as one BLOB:
//
//	0x01                                version
//	uvarint n                           number of pairs
//	n × (uvarint len, name, uvarint len, value)
//
// Pairs are sorted by name, so that equal maps encode to equal bytes. A nil or empty map
// encodes as {0x01, 0x00}. The encoding adds 2-4 bytes per pair to the ciphertext,
// against ~8 for a JSON object of base64 values and far more for a table of rows.
func EncodeSealed(m map[string][]byte) []byte {
	return AppendSealed(nil, m)
}

// AppendSealed appends the encoding of m (see EncodeSealed) to dst.
func AppendSealed(dst []byte, m map[string][]byte) []byte {
	names := make([]string, 0, len(m))
	size := 1 + binary.MaxVarintLen64
	for k, v := range m {
		names = append(names, k)
		size += 2*binary.MaxVarintLen32 + len(k) + len(v)
	}
	slices.Sort(names)
	dst = slices.Grow(dst, size)
	dst = append(dst, sealedV1)
	dst = binary.AppendUvarint(dst, uint64(len(names)))
	for _, k := range names {
		v := m[k]
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// DecodeSealed decodes a BLOB written by EncodeSealed. The returned values alias b (each
// with its capacity capped at its length, so that appending to one never overwrites the
// next); callers that keep b for other uses should copy. It rejects, with an error and
// never a panic: an unknown version, truncated or trailing bytes, lengths beyond the
// input, names that are empty, not UTF-8 or repeated.
func DecodeSealed(b []byte) (map[string][]byte, error) {
	if len(b) < 2 || b[0] != sealedV1 {
		return nil, errMalformedSealed
	}
	p := b[1:]
	n, k := binary.Uvarint(p)
	if k <= 0 {
		return nil, errMalformedSealed
	}
	p = p[k:]
	// Each pair takes at least 3 bytes (two lengths and a one-byte name), which bounds
	// the map's size hint by the input instead of by an attacker-chosen count.
	if n > uint64(len(p)/3) {
		return nil, errMalformedSealed
	}
	m := make(map[string][]byte, int(n))
	for range n {
		name, rest, ok := cutField(p)
		if !ok || len(name) == 0 || !utf8.Valid(name) {
			return nil, errMalformedSealed
		}
		value, rest, ok := cutField(rest)
		if !ok {
			return nil, errMalformedSealed
		}
		if _, dup := m[string(name)]; dup {
			return nil, errMalformedSealed
		}
		m[string(name)] = value
		p = rest
	}
	if len(p) != 0 {
		return nil, errMalformedSealed
	}
	return m, nil
}

// cutField splits a uvarint-length-prefixed byte string off the front of p.
func cutField(p []byte) (field, rest []byte, ok bool) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)-k) {
		return nil, nil, false
	}
	end := k + int(n)
	return p[k:end:end], p[end:], true
}

// EncodeIndexes encodes a subject's blind indexes as one BLOB, in the layout of
// EncodeSealed (version byte, count, then field and value pairs); the caller sorts them
// by field, then value. A field may repeat (several tokens). The subject row keeps this
// copy of its own index entries, so that reading a subject needs no second look-up and
// erasing it can delete exactly its rows of blind_indexes.
func EncodeIndexes(ixs []jaga.BlindIndex) []byte {
	return AppendIndexes(nil, ixs)
}

// AppendIndexes appends the encoding of ixs (see EncodeIndexes) to dst.
func AppendIndexes(dst []byte, ixs []jaga.BlindIndex) []byte {
	dst = append(dst, sealedV1)
	dst = binary.AppendUvarint(dst, uint64(len(ixs)))
	for _, ix := range ixs {
		dst = binary.AppendUvarint(dst, uint64(len(ix.Field)))
		dst = append(dst, ix.Field...)
		dst = binary.AppendUvarint(dst, uint64(len(ix.Value)))
		dst = append(dst, ix.Value...)
	}
	return dst
}

// DecodeIndexes decodes a BLOB written by EncodeIndexes; values alias b. It returns nil
// for an empty list, and an error, never a panic, for malformed input.
func DecodeIndexes(b []byte) ([]jaga.BlindIndex, error) {
	if len(b) < 2 || b[0] != sealedV1 {
		return nil, errMalformedSealed
	}
	p := b[1:]
	n, k := binary.Uvarint(p)
	if k <= 0 {
		return nil, errMalformedSealed
	}
	p = p[k:]
	if n > uint64(len(p)/3) {
		return nil, errMalformedSealed
	}
	var out []jaga.BlindIndex
	if n > 0 {
		out = make([]jaga.BlindIndex, 0, int(n))
	}
	for range n {
		field, rest, ok := cutField(p)
		if !ok || len(field) == 0 || !utf8.Valid(field) {
			return nil, errMalformedSealed
		}
		value, rest, ok := cutField(rest)
		if !ok {
			return nil, errMalformedSealed
		}
		out = append(out, jaga.BlindIndex{Field: string(field), Value: value})
		p = rest
	}
	if len(p) != 0 {
		return nil, errMalformedSealed
	}
	return out, nil
}
