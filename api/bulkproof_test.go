package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
)

// TestBulkProofHidesOthers: a bulk import writes one event that commits to its
// subjects by a Merkle root over their IDs (issue 5), so the access history a customer
// downloads with inclusion proofs proves that event for them — a path through the log
// and through the event's subject tree — and names no other subject of the import, in
// any form: not in the JSON, not inside the event records it carries, neither as
// "sub_…" text nor as the ID's 16 bytes (hex or base64).
func TestBulkProofHidesOthers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 3 * auditlog.MaxInlineSubjects
	rows := make([]gate.ImportRow, n)
	for i := range rows {
		rows[i] = gate.ImportRow{Key: []string{"bulk_proof", fmt.Sprint(i)}, Channel: jaga.ChannelExhibition, CollectedAt: collected,
			Values: map[string]string{"full_name": fmt.Sprintf("Pelanggan Pameran %c", 'A'+i%26), "email": fmt.Sprintf("pameran%d@example.com", i)}}
	}
	res, err := e.gate.ImportSubjects(ctx, gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision}, rows)
	if err != nil || len(res.Errors) > 0 || len(res.Subjects) != n {
		t.Fatalf("import: %v %+v", err, res)
	}
	me := res.Subjects[n/2]
	var h struct {
		Entries []struct {
			Seq          int64
			Record       []byte
			Proof        tlog.RecordProof `json:"proof"`
			SubjectPos   *int             `json:"subject_position"`
			SubjectProof tlog.RecordProof `json:"subject_proof"`
		}
		Key        string `json:"verifier_key"`
		Checkpoint *checkpointJSON
	}
	r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(me) + "/access-history?download=1", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR}).want(t, 200)
	r.decode(t, &h)
	if h.Checkpoint == nil {
		t.Fatal("download without a checkpoint")
	}
	root := e.root(t, h.Key, *h.Checkpoint)

	// The download proves the bulk event for this customer.
	bulk := 0
	var haystack [][]byte
	haystack = append(haystack, r.body)
	for _, en := range h.Entries {
		if err := tlog.CheckRecord(en.Proof, h.Checkpoint.Size, root, en.Seq-1, tlog.RecordHash(en.Record)); err != nil {
			t.Fatalf("entry %d: %v", en.Seq, err)
		}
		haystack = append(haystack, en.Record)
		ev, err := auditlog.Decode(en.Record)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Action != jaga.ActionImport {
			continue
		}
		bulk++
		if ev.SubjectRoot == nil || ev.SubjectCount != n || len(ev.Subjects) != 0 || en.SubjectPos == nil {
			t.Fatalf("import event: root %x, %d subjects, %d named", ev.SubjectRoot, ev.SubjectCount, len(ev.Subjects))
		}
		var sr tlog.Hash
		copy(sr[:], ev.SubjectRoot)
		if err := tlog.CheckRecord(en.SubjectProof, n, sr, int64(*en.SubjectPos), auditlog.SubjectLeaf(me)); err != nil {
			t.Fatalf("subject proof: %v", err)
		}
	}
	if bulk != 1 {
		t.Fatalf("%d import events in the history", bulk)
	}

	// No other subject of the import is in it.
	for _, other := range res.Subjects {
		if other == me {
			continue
		}
		raw, err := hex.DecodeString(strings.TrimPrefix(string(other), jaga.SubjectIDPrefix))
		if err != nil {
			t.Fatal(err)
		}
		forms := [][]byte{[]byte(other), []byte(strings.TrimPrefix(string(other), jaga.SubjectIDPrefix)), raw,
			[]byte(base64.StdEncoding.EncodeToString(raw)), []byte(base64.RawURLEncoding.EncodeToString(raw))}
		for _, b := range haystack {
			for _, f := range forms {
				if bytes.Contains(b, f) {
					t.Fatalf("the download names another subject of the import (%s)", other)
				}
			}
		}
	}
	// The search above can see an ID: the download names its own subject.
	if !bytes.Contains(r.body, []byte(me)) {
		t.Fatal("the download does not name its own subject")
	}
}
