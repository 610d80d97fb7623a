package piigen_test

import (
	"testing"

	"jaga/pii"
	"jaga/pii/piigen"
)

// TestGeneratedTextIsFoundExactly: the scanner finds every identifier the generator
// wrote, of the right kind, and nothing in the filler (dates, times, amounts, order
// numbers, UUIDs, invoice numbers); about one identifier per 4 KB, at most a quarter
// phones.
func TestGeneratedTextIsFoundExactly(t *testing.T) {
	g := piigen.New(1)
	text := g.Fill(nil, 4<<20)
	got := map[string]int{}
	for _, f := range pii.MustScanner(pii.Options{}).Scan(text) {
		got[f.Kind.String()]++
	}
	total := 0
	for k, n := range g.Counts {
		total += n
		if got[k] != n {
			t.Errorf("%s: found %d, generated %d", k, got[k], n)
		}
	}
	for k, n := range got {
		if g.Counts[k] == 0 {
			t.Errorf("%s: found %d, generated none", k, n)
		}
	}
	per := len(text) / total
	if per < 3000 || per > 5500 {
		t.Errorf("one identifier per %d bytes, want about %d", per, piigen.Every)
	}
	if 4*g.Counts["phone"] > total {
		t.Errorf("%d phones of %d identifiers: more than a quarter", g.Counts["phone"], total)
	}
	t.Logf("%d bytes, %d identifiers (one per %d bytes): %v", len(text), total, per, g.Counts)
}
