package gate

import (
	"fmt"
	"slices"

	"jaga"
	"jaga/seal"
)

// AttributesField is the sealed-map key under which all of a subject's attributes are
// sealed together, as one JSON object {"<attribute>": "<value>"} under associated data
// "jaga/field/v1|<subject>|@attributes". Attributes (income, household, spend, campaign
// responses…) are read together by the purposes that use them, and one AEAD instead of
// one per attribute halves the bytes stored per subject. Identity fields are sealed one
// by one.
const AttributesField = "@attributes"

// sealedKey returns the sealed-map key that holds field f.
func sealedKey(f jaga.FieldSpec) string {
	if f.Kind == jaga.KindAttribute {
		return AttributesField
	}
	return f.Name
}

// sealValues seals identity fields one by one and attributes as one object.
func (g *Gate) sealValues(dek *seal.DEK, id jaga.SubjectID, values map[string]string, out map[string][]byte) error {
	var attrs map[string]string
	for name, v := range values {
		f, _ := g.schema.Field(name)
		if f.Kind == jaga.KindAttribute {
			if attrs == nil {
				attrs = make(map[string]string)
			}
			attrs[name] = v
			continue
		}
		ct, err := dek.Seal(seal.FieldAD(id, name), []byte(v))
		if err != nil {
			return err
		}
		out[name] = ct
	}
	if attrs != nil {
		return sealAttributes(dek, id, attrs, out)
	}
	return nil
}

func sealAttributes(dek *seal.DEK, id jaga.SubjectID, attrs map[string]string, out map[string][]byte) error {
	ct, err := dek.Seal(seal.FieldAD(id, AttributesField), appendAttributes(nil, attrs))
	if err != nil {
		return err
	}
	out[AttributesField] = ct
	return nil
}

// openAttributes opens a subject's attribute object; a subject without attributes gives
// an empty map.
func openAttributes(dek *seal.DEK, s *jaga.SealedSubject) (map[string]string, error) {
	ct, ok := s.Sealed[AttributesField]
	if !ok {
		return map[string]string{}, nil
	}
	pt, err := dek.Open(seal.FieldAD(s.ID, AttributesField), ct)
	if err != nil {
		return nil, fmt.Errorf("subject %s attributes: %w", s.ID, err)
	}
	var m map[string]string
	if err := decodeOpened(pt, &m); err != nil {
		return nil, fmt.Errorf("subject %s attributes: %w", s.ID, err)
	}
	return m, nil
}

// appendAttributes appends attrs as a JSON object with keys in sorted order, what
// json.Marshal gives for a map[string]string, without its reflection: this runs once per
// imported subject. Strings are escaped as RFC 8259 §7 requires (quote, backslash,
// control characters); other UTF-8 is copied as is.
func appendAttributes(b []byte, attrs map[string]string) []byte {
	keys := sortedKeys(attrs)
	b = slices.Grow(b, 16*len(attrs))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, attrs[k])
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
