package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
)

// TestConfigFieldLabels: a company's own field in jaga.yaml may carry labels in id and
// en, which the schema keeps; a label in another language or with a control character
// is refused at start-up naming the field.
func TestConfigFieldLabels(t *testing.T) {
	dir := t.TempDir()
	load := func(name, yaml string) (config, error) {
		p := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return loadConfig(p, true, func(string) string { return "" })
	}
	c, err := load("ok", "fields:\n  - name: loyalty_tier\n    kind: attribute\n    class: general\n    type: text\n    max_len: 20\n    labels: {id: Tingkat loyalitas, en: Loyalty tier}\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jaga.DefaultSchema().Extend(c.Fields)
	if err != nil {
		t.Fatal(err)
	}
	if s.Label("loyalty_tier", "id") != "Tingkat loyalitas" || s.Label("loyalty_tier", "en") != "Loyalty tier" {
		t.Fatalf("labels from config: %v", c.Fields[0].Labels)
	}
	for name, labels := range map[string]string{
		"Language": "{fr: Niveau}",
		"Control":  `{id: "Tingkat\tloyalitas"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := load(name, "fields:\n  - {name: loyalty_tier, kind: attribute, class: general, type: text, max_len: 20, labels: "+labels+"}\n")
			if err == nil || !strings.Contains(err.Error(), "loyalty_tier") || !strings.Contains(err.Error(), "label") {
				t.Fatalf("got %v; want an error naming loyalty_tier and its label", err)
			}
		})
	}
}
