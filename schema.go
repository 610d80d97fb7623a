package jaga

import (
	"maps"
	"strings"
)

// Class is a field's UU PDP class: "general" or "specific:<kind>" (UU PDP Art 4; ).
type Class string

// The classes Jaga knows. Specific kinds follow UU PDP Art 4(2).
const (
	ClassGeneral           Class = "general"
	ClassSpecificHealth    Class = "specific:health"
	ClassSpecificBiometric Class = "specific:biometric"
	ClassSpecificGenetic   Class = "specific:genetic"
	ClassSpecificCriminal  Class = "specific:criminal"
	ClassSpecificChild     Class = "specific:child"
	ClassSpecificFinancial Class = "specific:financial"
)

// Valid reports whether c is "general" or one of the specific kinds of UU PDP Art 4(2).
func (c Class) Valid() bool {
	switch c {
	case ClassGeneral, ClassSpecificHealth, ClassSpecificBiometric, ClassSpecificGenetic,
		ClassSpecificCriminal, ClassSpecificChild, ClassSpecificFinancial:
		return true
	}
	return false
}

// Specific reports whether c is a specific class (UU PDP Art 4(2)).
func (c Class) Specific() bool { return strings.HasPrefix(string(c), "specific:") }

// FieldKind says whether a field is one of the identity fields or an attribute.
type FieldKind string

// Field kinds.
const (
	KindField     FieldKind = "field"
	KindAttribute FieldKind = "attribute"
)

// ValueType names the normaliser and validator of a field's values (package normalize).
type ValueType string

// Value types. Each names one normaliser:
//   - name: Unicode NFC, whitespace folded
//   - email: trimmed, NFC, lower-cased, IDNA domain (DESIGN.md blind-index rule)
//   - phone: E.164 through libphonenumber, region ID
//   - nik: 16 digits, region and birth date checked
//   - date: ISO 8601 calendar date YYYY-MM-DD
//   - gender: F or M
//   - text: trimmed, whitespace folded
//   - integer, number: decimal numbers
const (
	TypeName    ValueType = "name"
	TypeEmail   ValueType = "email"
	TypePhone   ValueType = "phone"
	TypeNIK     ValueType = "nik"
	TypeDate    ValueType = "date"
	TypeGender  ValueType = "gender"
	TypeText    ValueType = "text"
	TypeInteger ValueType = "integer"
	TypeNumber  ValueType = "number"
)

// ValueTypeNames returns the value types a FieldSpec may name, in their documented
// order: name, email, phone, nik, date, gender, text, integer, number.
func ValueTypeNames() []string {
	return []string{string(TypeName), string(TypeEmail), string(TypePhone), string(TypeNIK), string(TypeDate),
		string(TypeGender), string(TypeText), string(TypeInteger), string(TypeNumber)}
}

// FieldSpec declares one field or attribute of the customer schema: its name
// (snake_case, at most 64 bytes), kind, UU PDP class, value type (its normaliser),
// whether it is blind-indexed for equality lookup, its maximum length in bytes
// after normalisation, and optional human labels by language.
type FieldSpec struct {
	Name    string    `json:"name" yaml:"name"`
	Kind    FieldKind `json:"kind" yaml:"kind"`
	Class   Class     `json:"class" yaml:"class"`
	Type    ValueType `json:"type" yaml:"type"`
	Indexed bool      `json:"indexed,omitempty" yaml:"indexed"`
	MaxLen  int       `json:"max_len" yaml:"max_len"`
	// Labels are what a customer reads instead of Name, keyed by language: "id"
	// (Bahasa Indonesia) and "en" (English), each plain text of at most MaxLabelLen
	// bytes (UU PDP Art 32, R-16: the data and its processing history must be
	// understandable to the data subject). Optional; see Label.
	Labels map[string]string `json:"labels,omitempty" yaml:"labels"`
}

// Schema is the ordered list of fields and attributes a vault holds. Names are unique.
type Schema struct {
	Fields  []FieldSpec
	byName  map[string]int
	indexed []FieldSpec // the blind-indexed fields, set by NewSchema
}

// NewSchema checks specs (unique snake_case names, a valid class, kind and type, a
// positive MaxLen, only email/phone/nik indexed, labels only in "id" and "en", each
// plain text of 1-MaxLabelLen bytes) and returns the schema, or an EUNPROCESSABLE
// error naming the bad field.
func NewSchema(specs []FieldSpec) (*Schema, error) {
	s := &Schema{byName: make(map[string]int, len(specs))}
	for _, f := range specs {
		if !ValidName(f.Name) {
			return nil, FieldError(f.Name, "field name must be snake_case ASCII, 1-64 bytes")
		}
		if _, dup := s.byName[f.Name]; dup {
			return nil, FieldError(f.Name, "field declared twice")
		}
		if !f.Class.Valid() {
			return nil, FieldError(f.Name, "class %q is not general or specific:<health|biometric|genetic|criminal|child|financial>", f.Class)
		}
		if f.Kind != KindField && f.Kind != KindAttribute {
			return nil, FieldError(f.Name, "kind must be field or attribute")
		}
		switch f.Type {
		case TypeName, TypeEmail, TypePhone, TypeNIK, TypeDate, TypeGender, TypeText, TypeInteger, TypeNumber:
		default:
			return nil, FieldError(f.Name, "unknown type %q: want one of %s", f.Type, strings.Join(ValueTypeNames(), ", "))
		}
		if f.Indexed && f.Type != TypeEmail && f.Type != TypePhone && f.Type != TypeNIK {
			return nil, FieldError(f.Name, "only email, phone and nik values can be blind-indexed")
		}
		if f.MaxLen <= 0 {
			return nil, FieldError(f.Name, "max_len must be positive")
		}
		if err := checkLabels(f); err != nil {
			return nil, err
		}
		f.Labels = maps.Clone(f.Labels) // the caller's map may change later
		s.byName[f.Name] = len(s.Fields)
		s.Fields = append(s.Fields, f)
		if f.Indexed {
			s.indexed = append(s.indexed, f)
		}
	}
	return s, nil
}

// ValidName reports whether n is a snake_case ASCII name of 1-64 bytes starting with a
// letter: the shape of every field, attribute, purpose and role name.
func ValidName(n string) bool {
	if n == "" || len(n) > 64 || n[0] < 'a' || n[0] > 'z' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Field returns the spec named name.
func (s *Schema) Field(name string) (FieldSpec, bool) {
	i, ok := s.byName[name]
	if !ok {
		return FieldSpec{}, false
	}
	return s.Fields[i], true
}

// Names returns every field and attribute name in schema order.
func (s *Schema) Names() []string {
	out := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		out[i] = f.Name
	}
	return out
}

// Indexed returns the blind-indexed fields in schema order. The slice is shared (it is
// read once per imported row): callers must not modify its elements; an append copies.
func (s *Schema) Indexed() []FieldSpec {
	return s.indexed[:len(s.indexed):len(s.indexed)]
}

// Extend returns a new schema with extra fields and attributes appended (a company's
// own, from config), checked as NewSchema checks; an extra field named like one of s's
// is an EUNPROCESSABLE error that says it is built in.
func (s *Schema) Extend(extra []FieldSpec) (*Schema, error) {
	for _, f := range extra {
		if _, ok := s.byName[f.Name]; ok {
			return nil, FieldError(f.Name, "a built-in field, not to be declared again; choose another name")
		}
	}
	all := append(append([]FieldSpec(nil), s.Fields...), extra...)
	return NewSchema(all)
}

// DefaultFieldSpecs is the default customer schema: nine identity fields and the
// marketing_campaign attributes, each labelled in Bahasa Indonesia and English. Classes follow UU PDP Art 4: identity data is
// general; Income is personal financial data, specific (Art 4(2)(f)).
func DefaultFieldSpecs() []FieldSpec {
	f := func(name string, t ValueType, indexed bool, max int) FieldSpec {
		return FieldSpec{Name: name, Kind: KindField, Class: ClassGeneral, Type: t, Indexed: indexed, MaxLen: max}
	}
	a := func(name string, c Class, t ValueType) FieldSpec {
		return FieldSpec{Name: name, Kind: KindAttribute, Class: c, Type: t, MaxLen: 64}
	}
	specs := []FieldSpec{
		f("full_name", TypeName, false, 200),
		f("email", TypeEmail, true, 254), // RFC 5321 §4.5.3.1.3 path limit
		f("phone", TypePhone, true, 16),  // E.164: "+" and at most 15 digits
		f("nik", TypeNIK, true, 16),
		f("birth_date", TypeDate, false, 10),
		f("gender", TypeGender, false, 1),
		f("address", TypeText, false, 500),
		f("domicile_province", TypeText, false, 100),
		f("domicile_city", TypeText, false, 100),
		a("year_birth", ClassGeneral, TypeInteger),
		a("education", ClassGeneral, TypeText),
		a("marital_status", ClassGeneral, TypeText),
		a("income", ClassSpecificFinancial, TypeNumber),
		a("kidhome", ClassGeneral, TypeInteger),
		a("teenhome", ClassGeneral, TypeInteger),
		a("dt_customer", ClassGeneral, TypeDate),
		a("recency", ClassGeneral, TypeInteger),
	}
	for _, n := range []string{"mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products",
		"mnt_sweet_products", "mnt_gold_prods", "num_deals_purchases", "num_web_purchases",
		"num_catalog_purchases", "num_store_purchases", "num_web_visits_month",
		"accepted_cmp1", "accepted_cmp2", "accepted_cmp3", "accepted_cmp4", "accepted_cmp5",
		"complain", "z_cost_contact", "z_revenue", "response"} {
		specs = append(specs, a(n, ClassGeneral, TypeInteger))
	}
	for i := range specs {
		specs[i].Labels = defaultLabels(specs[i].Name)
	}
	return specs
}

// DefaultSchema returns the schema of DefaultFieldSpecs.
func DefaultSchema() *Schema {
	s, err := NewSchema(DefaultFieldSpecs())
	if err != nil {
		panic(err) // the default schema is a constant; a failure is a programming error
	}
	return s
}
