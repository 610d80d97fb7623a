package importer_test

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestRowLevelProblemReasons: a row quarantined for a row-level problem (a collection
// time out of bounds, an unknown channel) is reported with that problem and with the
// problems of its values, and a value it has is never reported missing.
func TestRowLevelProblemReasons(t *testing.T) {
	g, _ := MustGate(t)
	r := importCSV(t, g, filepath.Join(t.TempDir(), "rows.csv"), "source_id,full_name,email,collected_at,channel\n"+
		"A1,Ani Lestari,ani@example.com,1965-01-01T10:00:00+07:00,web_form\n"+
		"A2,Budi Santoso,budi@,2099-01-01T10:00:00+07:00,web_form\n"+
		"A3,Citra Dewi,citra@example.com,2024-01-01T10:00:00+07:00,pameran\n"+
		"A4,,dewi@example.com,1965-01-01T10:00:00+07:00,web_form\n")
	want := [][]string{
		{"invalid_collected_at"},
		{"invalid_collected_at", "invalid_email"},
		{"invalid_channel"},
		{"invalid_collected_at", "missing_full_name"},
	}
	if r.Quarantined != 4 || len(r.Lines) != 4 {
		t.Fatalf("quarantined %d of %d lines", r.Quarantined, len(r.Lines))
	}
	for i, l := range r.Lines {
		var codes []string
		for _, rr := range l.Reasons {
			codes = append(codes, rr.Code)
		}
		slices.Sort(codes)
		if !slices.Equal(codes, want[i]) {
			t.Errorf("line %d: reasons %v, want %v", l.Line, codes, want[i])
		}
	}
}
