package jaga_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"jaga"
)

// TestDefaultLabels: every default field and attribute has a Bahasa Indonesia and an
// English label, none is its machine name, and no two fields share a label in one
// language (a customer could not tell them apart).
func TestDefaultLabels(t *testing.T) {
	s := jaga.DefaultSchema()
	for _, lang := range []string{jaga.LangID, jaga.LangEN} {
		seen := map[string]string{}
		for _, f := range s.Fields {
			l := f.Labels[lang]
			switch {
			case l == "":
				t.Errorf("%s has no %s label", f.Name, lang)
			case l == f.Name || strings.Contains(l, "_"):
				t.Errorf("%s: %s label %q reads like a schema key", f.Name, lang, l)
			case seen[l] != "":
				t.Errorf("%s and %s share the %s label %q", seen[l], f.Name, lang, l)
			}
			seen[l] = f.Name
		}
	}
	if got := s.Label("full_name", "id"); got != "Nama lengkap" {
		t.Errorf("full_name in id: %q", got)
	}
	if got := s.Label("mnt_wines", "en"); got != "Spent on wine (last 2 years)" {
		t.Errorf("mnt_wines in en: %q", got)
	}
	t.Run("FreshMaps", func(t *testing.T) {
		a := jaga.DefaultFieldSpecs()
		a[0].Labels["id"] = "changed"
		if jaga.DefaultSchema().Label(a[0].Name, "id") == "changed" {
			t.Fatal("DefaultFieldSpecs shares its label maps")
		}
	})
}

// TestFieldLabel: Label falls back from the asked language to the other one, then to
// the name; a schema looks unknown names up as themselves.
func TestFieldLabel(t *testing.T) {
	both := jaga.FieldSpec{Name: "loyalty_tier", Labels: map[string]string{"id": "Tingkat loyalitas", "en": "Loyalty tier"}}
	idOnly := jaga.FieldSpec{Name: "loyalty_tier", Labels: map[string]string{"id": "Tingkat loyalitas"}}
	enOnly := jaga.FieldSpec{Name: "loyalty_tier", Labels: map[string]string{"en": "Loyalty tier"}}
	none := jaga.FieldSpec{Name: "loyalty_tier"}
	for _, c := range []struct {
		f          jaga.FieldSpec
		lang, want string
	}{
		{both, "id", "Tingkat loyalitas"}, {both, "en", "Loyalty tier"}, {both, "fr", "Tingkat loyalitas"},
		{idOnly, "en", "Tingkat loyalitas"}, {enOnly, "id", "Loyalty tier"},
		{none, "id", "loyalty_tier"}, {none, "en", "loyalty_tier"},
	} {
		if got := c.f.Label(c.lang); got != c.want {
			t.Errorf("%v in %s: %q, want %q", c.f.Labels, c.lang, got, c.want)
		}
	}
	if got := jaga.DefaultSchema().Label("gone_field", "id"); got != "gone_field" {
		t.Errorf("unknown field: %q", got)
	}
}

// TestSchemaLabelsRefused: NewSchema (and so a config's fields) refuses a label in a
// language other than id/en, a long, blank, non-UTF-8 or control-character label, with
// an EUNPROCESSABLE error that names the field; good labels and none pass.
func TestSchemaLabelsRefused(t *testing.T) {
	spec := func(labels map[string]string) []jaga.FieldSpec {
		return []jaga.FieldSpec{{Name: "loyalty_tier", Kind: jaga.KindAttribute, Class: jaga.ClassGeneral, Type: jaga.TypeText, MaxLen: 20, Labels: labels}}
	}
	for name, labels := range map[string]map[string]string{
		"UnknownLanguage": {"fr": "Niveau de fidélité"},
		"UpperCaseKey":    {"ID": "Tingkat loyalitas"},
		"TooLong":         {"id": strings.Repeat("a", jaga.MaxLabelLen+1)},
		"TooLongUTF8":     {"en": strings.Repeat("é", jaga.MaxLabelLen/2+1)},
		"Newline":         {"id": "Tingkat\nloyalitas"},
		"NUL":             {"en": "Loyalty\x00tier"},
		"Escape":          {"en": "\x1b[31mLoyalty tier"},
		"BidiOverride":    {"id": "Tingkat \u202eloyalitas"},
		"LineSeparator":   {"en": "Loyalty\u2028tier"},
		"Blank":           {"id": " "},
		"Empty":           {"en": ""},
		"NotUTF8":         {"id": "Tingkat \xff"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := jaga.NewSchema(spec(labels))
			var je *jaga.Error
			if !errors.As(err, &je) || je.Code != jaga.EUNPROCESSABLE || je.Field != "loyalty_tier" || !strings.Contains(je.Message, "label") {
				t.Fatalf("NewSchema with labels %q: %v", labels, err)
			}
			if _, err := jaga.DefaultSchema().Extend(spec(labels)); jaga.ErrorCode(err) != jaga.EUNPROCESSABLE {
				t.Fatalf("Extend with labels %q: %v", labels, err)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		long := strings.Repeat("é", jaga.MaxLabelLen/2) // exactly the limit in bytes
		if !utf8.ValidString(long) || len(long) != jaga.MaxLabelLen {
			t.Fatal("test label is not at the limit")
		}
		for _, labels := range []map[string]string{nil, {"id": long}, {"id": "Tingkat loyalitas", "en": "Loyalty tier"}} {
			s, err := jaga.NewSchema(spec(labels))
			if err != nil {
				t.Fatalf("labels %q: %v", labels, err)
			}
			if labels == nil {
				continue
			}
			labels["en"] = "changed later"
			if s.Label("loyalty_tier", "en") == "changed later" {
				t.Fatal("the schema shares the caller's label map")
			}
		}
	})
}

// TestValueLabels: gender F and M, a marital status and the purchases pseudo-field read
// as words in both languages; the customer's own text is returned as it is.
func TestValueLabels(t *testing.T) {
	s := jaga.DefaultSchema()
	g, _ := s.Field("gender")
	m, _ := s.Field("marital_status")
	a, _ := s.Field("address")
	for _, c := range []struct{ got, want string }{
		{g.ValueLabel("F", jaga.LangID), "Perempuan"}, {g.ValueLabel("F", jaga.LangEN), "Female"},
		{g.ValueLabel("M", jaga.LangID), "Laki-laki"}, {m.ValueLabel("Married", jaga.LangID), "Menikah"},
		{a.ValueLabel("F", jaga.LangID), "F"}, {m.ValueLabel("YOLO", jaga.LangID), "YOLO"},
		{s.Label(jaga.FieldPurchases, jaga.LangID), "Riwayat pembelian"}, {s.Label(jaga.FieldPurchases, jaga.LangEN), "Purchase history"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
