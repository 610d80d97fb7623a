package gate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
)

// TestAuditExportReadableCopy edits only the readable copy ("event") of exported events,
// leaving every record and so the Merkle tree intact: the verifier decodes each record,
// compares it with its copy as Go values and names the line, the event and the members
// that differ, never a value.
func TestAuditExportReadableCopy(t *testing.T) {
	ctx := context.Background()
	f := auditFixture(t)
	rows := make([]gate.ImportRow, 3*auditlog.MaxInlineSubjects)
	for i := range rows {
		rows[i] = gate.ImportRow{Key: []string{"t", fmt.Sprint(i)}, Channel: jaga.ChannelImport,
			Values: map[string]string{"full_name": fmt.Sprintf("Pelanggan %d", i), "email": fmt.Sprintf("p%d@example.com", i)}}
	}
	if _, err := f.g.ImportSubjects(ctx, f.req(jaga.RoleService, jaga.PurposeServiceProvision), rows); err != nil {
		t.Fatal(err)
	}
	if err := f.g.AuditLogOf().CheckpointAndWitness(ctx, f.store); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.g.AuditLogOf().Export(ctx, f.store, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// find returns the index of the first event line whose event satisfies ok.
	find := func(ok func(ev map[string]any) bool) (int, int64) {
		for i, l := range lines {
			var x struct {
				Type  string         `json:"type"`
				Seq   int64          `json:"seq"`
				Event map[string]any `json:"event"`
			}
			if err := json.Unmarshal([]byte(l), &x); err != nil {
				t.Fatal(err)
			}
			if x.Type == "event" && ok(x.Event) {
				return i, x.Seq
			}
		}
		t.Fatal("no such event in the export")
		return 0, 0
	}
	inline, inlineSeq := find(func(ev map[string]any) bool { return ev["subjects"] != nil && ev["subject_root"] == nil })
	bulk, bulkSeq := find(func(ev map[string]any) bool { return ev["subject_root"] != nil })
	// edit rewrites the event member of line i.
	edit := func(l []string, i int, change func(ev map[string]any)) []string {
		var x map[string]any
		if err := json.Unmarshal([]byte(l[i]), &x); err != nil {
			t.Fatal(err)
		}
		change(x["event"].(map[string]any))
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		l[i] = string(b)
		return l
	}
	verify := func(t *testing.T, l []string) *auditlog.Report {
		t.Helper()
		rep, err := auditlog.VerifyExport(strings.NewReader(strings.Join(l, "\n")+"\n"), f.g.AuditLogOf().VerifierKey())
		if err != nil {
			t.Fatal(err)
		}
		if rep.FirstBad != 0 || rep.BadCheckpoint != 0 || rep.Checkpoints < 5 {
			t.Fatalf("the records are intact, yet: %+v", rep)
		}
		return rep
	}

	t.Run("Clean", func(t *testing.T) {
		if rep := verify(t, lines); !rep.OK() {
			t.Fatalf("clean export: %+v", rep)
		}
	})
	t.Run("SameInstantOtherZone", func(t *testing.T) {
		// The copy is compared as Go values, not as JSON text: the same time written in
		// WIB, members reordered and re-indented, still matches.
		l := edit(append([]string(nil), lines...), inline, func(ev map[string]any) {
			tm, err := time.Parse(time.RFC3339Nano, ev["time"].(string))
			if err != nil {
				t.Fatal(err)
			}
			ev["time"] = tm.In(jaga.WIB).Format(time.RFC3339Nano)
		})
		var x map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l[inline]), &x); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := json.Compact(&out, []byte(fmt.Sprintf(`{"event": %s, "type": "event", "record": %s, "seq": %s}`, x["event"], x["record"], x["seq"]))); err != nil {
			t.Fatal(err)
		}
		l[inline] = out.String()
		if rep := verify(t, l); !rep.OK() {
			t.Fatalf("same event, other text: %+v", rep)
		}
	})
	for _, tc := range []struct {
		name   string
		line   int
		seq    int64
		change func(ev map[string]any)
		want   string
	}{
		{"ChangedReason", inline, inlineSeq, func(ev map[string]any) { ev["reason"] = "tampered" }, "(field reason)"},
		{"ChangedSubjects", inline, inlineSeq, func(ev map[string]any) {
			ev["subjects"] = []string{fmt.Sprintf("sub_%032x", 7)}
		}, "(field subjects)"},
		{"BulkSubjectDropped", bulk, bulkSeq, func(ev map[string]any) {
			s := ev["subjects"].([]any)
			ev["subjects"] = s[1:]
		}, "(field subjects)"},
		{"BulkSubjectReplaced", bulk, bulkSeq, func(ev map[string]any) {
			s := ev["subjects"].([]any)
			s[0] = fmt.Sprintf("sub_%032x", 7)
		}, "(field subjects)"},
		{"ExtraMember", inline, inlineSeq, func(ev map[string]any) { ev["note"] = "tampered" }, "(unknown member note)"},
		{"ExtraMemberOddName", inline, inlineSeq, func(ev map[string]any) { ev["tampered@example.com"] = true }, "(1 unknown member)"},
		{"SeveralFields", inline, inlineSeq, func(ev map[string]any) {
			ev["action"], ev["purpose"], ev["seq"] = "tampered", "tampered", 999
		}, "(fields seq, action, purpose)"},
		{"Missing", inline, inlineSeq, func(ev map[string]any) { clear(ev) }, "(fields seq, time, actor_id, role, action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := verify(t, edit(append([]string(nil), lines...), tc.line, tc.change))
			want := fmt.Sprintf("line %d (event %d): event does not match its record %s", tc.line+1, tc.seq, tc.want)
			if rep.OK() || rep.Mismatch != tc.seq || rep.Mismatches != 1 || !strings.HasPrefix(rep.MismatchReason, want) {
				t.Fatalf("got %+v\nwant %q", rep, want)
			}
			if strings.Contains(rep.MismatchReason, "tampered") || strings.Contains(rep.MismatchReason, "sub_") {
				t.Fatalf("the reason repeats a value: %q", rep.MismatchReason)
			}
		})
	}
	t.Run("RepeatedMember", func(t *testing.T) {
		// A reader may take either copy of a member given twice.
		l := append([]string(nil), lines...)
		l[inline] = strings.Replace(l[inline], `"event":{`, `"event":{"action":"tampered",`, 1)
		rep := verify(t, l)
		if rep.OK() || !strings.HasSuffix(rep.MismatchReason, "(repeated member action)") {
			t.Fatalf("got %+v", rep)
		}
	})
	t.Run("EventGivenTwice", func(t *testing.T) {
		// A forged readable copy first, the real one last: a reader who keeps the first
		// member would see the forgery, which the record check never saw.
		l := append([]string(nil), lines...)
		l[inline] = strings.Replace(l[inline], `"event":{`, `"event":{"reason":"forged"},"event":{`, 1)
		rep := verify(t, l)
		want := fmt.Sprintf("line %d (event %d): member \"event\" is given twice", inline+1, inlineSeq)
		if rep.OK() || rep.MismatchReason != want {
			t.Fatalf("got %+v\nwant %q", rep, want)
		}
	})
	t.Run("EventGivenTwiceOtherCase", func(t *testing.T) {
		// encoding/json matches member names without case, so "Event" last is read.
		l := append([]string(nil), lines...)
		l[inline] = strings.Replace(l[inline], `"event":{`, `"event":{"reason":"forged"},"Event":{`, 1)
		if rep := verify(t, l); rep.OK() || !strings.Contains(rep.MismatchReason, "is given twice") {
			t.Fatalf("got %+v", rep)
		}
	})
	t.Run("SeqGivenTwice", func(t *testing.T) {
		l := append([]string(nil), lines...)
		l[inline] = strings.Replace(l[inline], `"seq":`, `"seq":1,"seq":`, 1)
		if rep := verify(t, l); rep.OK() || !strings.Contains(rep.MismatchReason, `member "seq" is given twice`) {
			t.Fatalf("got %+v", rep)
		}
	})
	t.Run("Null", func(t *testing.T) {
		l := append([]string(nil), lines...)
		var x map[string]any
		if err := json.Unmarshal([]byte(l[inline]), &x); err != nil {
			t.Fatal(err)
		}
		delete(x, "event")
		b, _ := json.Marshal(x)
		l[inline] = string(b)
		if rep := verify(t, l); rep.OK() || !strings.HasSuffix(rep.MismatchReason, "(event missing)") {
			t.Fatalf("got %+v", rep)
		}
	})
}
