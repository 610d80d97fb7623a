package importer_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestRowLevelProblemReasons: a row quarantined for a row-level problem (a collection
// time out of bounds, an unknown channel) is reported with that problem and with the
// problems of its values, and a value it has is never reported missing.
func TestRowLevelProblemReasons(t *testing.T) {
	g, _ := MustGate(t)
	r := importCSV(t, g, filepath.Join(t.TempDir(), "rows.csv"), "source_id,full_name,email,collected_at,channel\n"+
		"A1,Ani Lestari,ani@example.com,1965-01-01T10:00:00+07:00,web_form\n"+
		"A2,Budi Santoso,budi@,2099-01-01T10:00:00+07:00,web_form\n"+
		"A3,Citra Dewi,citra@example.com,2024-01-01T10:00:00+07:00,telepati\n"+
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

// TestChannelValues: a channel column written in Bahasa Indonesia, in other case or
// with hyphens gives the channel it names.
func TestChannelValues(t *testing.T) {
	g, _ := MustGate(t)
	r := importCSV(t, g, filepath.Join(t.TempDir(), "channels.csv"), "source_id,full_name,email,channel\n"+
		"C1,Ani Lestari,ani@example.com,Pameran\n"+
		"C2,Budi Santoso,budi@example.com,Kunjungan Toko\n"+
		"C3,Citra Dewi,citra@example.com,door-to-door\n"+
		"C4,Dewi Sartika,dewi@example.com,WEB_FORM\n"+
		"C5,Eko Prasetyo,eko@example.com,Formulir Web\n")
	want := []jaga.Channel{jaga.ChannelExhibition, jaga.ChannelStoreVisit, jaga.ChannelDoorToDoor, jaga.ChannelWebForm, jaga.ChannelWebForm}
	if r.Created != len(want) {
		t.Fatalf("created %d, quarantined %v", r.Created, r.QuarantinedBy)
	}
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	for i, l := range r.Lines {
		rec, err := g.Read(context.Background(), gate.ReadRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, Subject: l.Subject, Fields: []string{"full_name"}})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Channel != want[i] {
			t.Errorf("line %d: channel %s, want %s", l.Line, rec.Channel, want[i])
		}
	}
}
