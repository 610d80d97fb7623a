package importer_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestCSVMixedEncodings: a UTF-8 file with records in Windows-1252 (rows pasted from
// several sources into one export) keeps its valid UTF-8 as UTF-8 — also beside a
// byte that is not UTF-8 in the same cell — reads the other bytes as Windows-1252,
// says so with the lines in the detected string, and flags those rows (and only
// those) for review, by their record's first line when a quoted cell spans lines.
func TestCSVMixedEncodings(t *testing.T) {
	g, _ := MustGate(t)
	r := importCSV(t, g, filepath.Join(t.TempDir(), "mixed.csv"), "source_id,full_name,email,phone,address\n"+
		"S6,Tono Sugiarto,tono@example.com,081234567803,Jl. Merdeka 1\n"+
		"S7,Mixed \xc3\xa9 and \xe9,x7@example.com,081234567804,Jl. Merdeka 2\n"+
		"S8,D\xc3\xa9sy Nur\xe2\x80\x99aini,desy@example.com,081234567805,Jl. Merdeka 3\n"+
		"S9,Ren\xe9 Kusuma,rene@example.com,081234567806,\"Jl. Merdeka 4\nRT 0\xb9\"\n"+
		"S10,Jos\xe9 Halim,jose@example.com,081234567807,Jl. Merdeka 6\n")
	want := map[int]string{2: "Tono Sugiarto", 3: "Mixed é and é", 4: "Désy Nur’aini", 5: "René Kusuma", 7: "José Halim"}
	if r.Created != len(want) {
		t.Fatalf("created %d of %d: %+v", r.Created, len(want), r.Lines)
	}
	wantDetected := "CSV, UTF-8 with 3 lines in Windows-1252 (lines 3, 5, 7; each row flagged mixed_encoding), delimiter comma"
	if d := r.Files[0].Detected; !strings.HasPrefix(d, wantDetected) {
		t.Errorf("detected %q, want it to start %q", d, wantDetected)
	}
	if r.ReviewBy["mixed_encoding"] != 3 || r.Flagged != 3 {
		t.Errorf("flagged %d, by reason %v; want 3 mixed_encoding", r.Flagged, r.ReviewBy)
	}
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	for _, l := range r.Lines {
		flagged := slices.Contains(l.Review, "mixed_encoding")
		if flagged != (l.Line == 3 || l.Line == 5 || l.Line == 7) {
			t.Errorf("line %d: review %v", l.Line, l.Review)
		}
		rec, err := g.Read(context.Background(), gate.ReadRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, Subject: l.Subject, Fields: []string{"full_name", "address"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Values["full_name"]; got != want[l.Line] {
			t.Errorf("line %d: full_name %q, want %q", l.Line, got, want[l.Line])
		}
		if l.Line == 5 && rec.Values["address"] != "Jl. Merdeka 4\nRT 0¹" {
			t.Errorf("line 5: address %q", rec.Values["address"])
		}
	}
}
