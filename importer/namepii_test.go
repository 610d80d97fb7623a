package importer_test

import (
	"path/filepath"
	"slices"
	"testing"

	"jaga/importer"
)

// TestIdentifierInName: a sheet row whose name column holds an e-mail address (and one
// whose name carries a phone number) is imported — it has a valid identifier — and
// flagged identifier_in_name:<kind> for review, naming the kind but no value; a real
// name raises nothing.
func TestIdentifierInName(t *testing.T) {
	g, _ := MustGate(t)
	body := "source_id,full_name,email,phone\n" +
		"N-1,budi.santoso@contoh.co.id,budi.santoso@contoh.co.id,\n" +
		"N-2,Sari 0812-3456-7801,,081234567801\n" +
		"N-3,Siti Nur'aini,siti@contoh.co.id,\n"
	r := importCSV(t, g, filepath.Join(t.TempDir(), "crm.csv"), body)
	if r.Created != 3 || r.Flagged != 2 || r.ReviewBy["identifier_in_name:email"] != 1 || r.ReviewBy["identifier_in_name:phone"] != 1 {
		t.Fatalf("created %d, flagged %d, review %v; want 3 created, lines 2 and 3 flagged", r.Created, r.Flagged, r.ReviewBy)
	}
	for line, want := range map[int][]string{2: {"identifier_in_name:email"}, 3: {"identifier_in_name:phone"}, 4: nil} {
		i := slices.IndexFunc(r.Lines, func(l importer.LineReport) bool { return l.Line == line })
		if i < 0 {
			t.Fatalf("line %d not reported: %+v", line, r.Lines)
		}
		if got := r.Lines[i].Review; !slices.Equal(got, want) {
			t.Errorf("line %d review %v, want %v", line, got, want)
		}
	}
}
