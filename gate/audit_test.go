package gate_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
	"jaga/sqlstore/sqlite"
)

func mustVerify(t *testing.T, f *fixture) *auditlog.Report {
	t.Helper()
	rep, err := auditlog.Verify(context.Background(), f.store, f.g.AuditLogOf().VerifierKey(), auditlog.VerifyOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	return rep
}

// auditFixture is a vault whose log has 1 actor-creation event per role, one create,
// and reads up to 20 events, with a checkpoint every 4 events.
func auditFixture(t *testing.T) *fixture {
	t.Helper()
	f := mustFixtureWith(t, fixtureOptions{Audit: auditlog.Config{Every: 4}})
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	for lastSeq(t, f) < 20 {
		if _, err := f.g.Read(context.Background(), gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func rawDB(t *testing.T, f *fixture) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(f.dir, "data", "jaga.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`PRAGMA busy_timeout = 5000`); err != nil {
		t.Fatal(err)
	}
	return db
}

// forged returns the record of event seq with its purpose changed, canonically encoded.
func forged(t *testing.T, data []byte) []byte {
	t.Helper()
	ev, err := auditlog.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	orig := ev.Purpose
	ev.Purpose = jaga.PurposeSecurity
	if ev.Purpose == orig {
		ev.Purpose = jaga.PurposeDSR // a forgery always changes the event
	}
	b, err := auditlog.Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawEvent is one event as an administrator with database access sees it after
// splitting the audit_log rows (one per group commit): its sequence number, encoding
// and stored tree hashes.
type rawEvent struct {
	seq          int64
	data, hashes []byte
}

// loadRaw reads every event from audit_log with plain SQL, splitting each row as
// documented in the migration (uvarint-length-prefixed encodings; 1 + trailing ones of
// the leaf index hashes per event).
func loadRaw(t *testing.T, db *sql.DB) []rawEvent {
	t.Helper()
	rows, err := db.Query(`SELECT first_seq, data, hashes FROM audit_log ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rawEvent
	for rows.Next() {
		var seq int64
		var data, hashes []byte
		if err := rows.Scan(&seq, &data, &hashes); err != nil {
			t.Fatal(err)
		}
		for ; len(data) > 0; seq++ {
			n, k := binary.Uvarint(data)
			c := 32 * (1 + bits.TrailingZeros64(^uint64(seq-1)))
			out = append(out, rawEvent{seq, data[k : k+int(n)], hashes[:c]})
			data, hashes = data[k+int(n):], hashes[c:]
		}
	}
	return out
}

// storeRaw replaces audit_log with evs, one row each, as a forger would write them.
func storeRaw(t *testing.T, db *sql.DB, evs []rawEvent) {
	t.Helper()
	mustExec(t, db, `DELETE FROM audit_log`)
	for _, e := range evs {
		mustExec(t, db, `INSERT INTO audit_log (first_seq, n, data, hashes, edge) VALUES (?, 1, ?, ?, x'')`,
			e.seq, append(binary.AppendUvarint(nil, uint64(len(e.data))), e.data...), e.hashes)
	}
}

// TestAuditTamper edits, deletes, inserts and swaps events with plain SQL, as an
// administrator with database access could, and checks that verification names the
// first bad event and the first checkpoint that no longer holds (checkpoints at 4, 8,
// 12, …).
func TestAuditTamper(t *testing.T) {
	renumber := func(evs []rawEvent, from int, by int64) {
		for i := from; i < len(evs); i++ {
			evs[i].seq += by
		}
	}
	for _, tc := range []struct {
		name     string
		tamper   func(t *testing.T, evs []rawEvent) []rawEvent
		bad, bcp int64
	}{
		{"Edited", func(t *testing.T, evs []rawEvent) []rawEvent {
			evs[5].data = forged(t, evs[5].data)
			return evs
		}, 6, 8},
		{"Deleted", func(t *testing.T, evs []rawEvent) []rawEvent {
			return append(evs[:4], evs[5:]...)
		}, 5, 8},
		{"DeletedRenumbered", func(t *testing.T, evs []rawEvent) []rawEvent {
			evs = append(evs[:4], evs[5:]...)
			renumber(evs, 4, -1)
			return evs
		}, 5, 8},
		{"Inserted", func(t *testing.T, evs []rawEvent) []rawEvent {
			fake := rawEvent{10, forged(t, evs[9].data), evs[9].hashes}
			renumber(evs, 9, 1)
			return append(evs[:9], append([]rawEvent{fake}, evs[9:]...)...)
		}, 10, 12},
		{"Swapped", func(t *testing.T, evs []rawEvent) []rawEvent {
			evs[13], evs[14] = evs[14], evs[13]
			evs[13].seq, evs[14].seq = 14, 15
			return evs
		}, 14, 16},
		{"SwappedContent", func(t *testing.T, evs []rawEvent) []rawEvent {
			evs[2].data = evs[1].data
			return evs
		}, 3, 4},
		{"TruncatedEnd", func(t *testing.T, evs []rawEvent) []rawEvent {
			return evs[:18]
		}, 19, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := auditFixture(t)
			if rep := mustVerify(t, f); rep.Checkpoints < 4 {
				t.Fatalf("clean log: only %d checkpoints verified", rep.Checkpoints)
			}
			var export bytes.Buffer
			if _, err := f.g.AuditLogOf().Export(ctx, f.store, &export); err != nil {
				t.Fatal(err)
			}
			if rep, err := auditlog.VerifyExport(bytes.NewReader(export.Bytes()), f.g.AuditLogOf().VerifierKey()); err != nil || !rep.OK() || rep.Checkpoints < 4 {
				t.Fatalf("clean export: %v %+v", err, rep)
			}
			db := rawDB(t, f)
			evs := loadRaw(t, db)
			if len(evs) < 20 || evs[19].seq != 20 {
				t.Fatalf("raw read: %d events", len(evs))
			}
			storeRaw(t, db, evs)
			if rep, err := auditlog.Verify(ctx, f.store, f.g.AuditLogOf().VerifierKey(), auditlog.VerifyOptions{}); err != nil || !rep.OK() {
				t.Fatalf("log rewritten unchanged, one row per event: %v %+v", err, rep)
			}
			storeRaw(t, db, tc.tamper(t, evs))
			rep, err := auditlog.Verify(ctx, f.store, f.g.AuditLogOf().VerifierKey(), auditlog.VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.FirstBad != tc.bad || rep.BadCheckpoint != tc.bcp {
				t.Fatalf("verify: first bad %d (%s), bad checkpoint %d (%s); want %d and %d",
					rep.FirstBad, rep.BadReason, rep.BadCheckpoint, rep.CheckpointReason, tc.bad, tc.bcp)
			}
		})
	}
	t.Run("ByteFlippedInBatch", func(t *testing.T) {
		// Concurrent reads share rows (group commit); flip one byte in the middle of a
		// row's data and the event that holds it is named.
		ctx := context.Background()
		f := auditFixture(t)
		id := f.MustCreate(t, "budi@example.com", jaga.ConsentGiven)
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id})
			}()
		}
		wg.Wait()
		db := rawDB(t, f)
		var first, n int64
		var data []byte
		if err := db.QueryRow(`SELECT first_seq, n, data FROM audit_log WHERE n > 2 ORDER BY n DESC LIMIT 1`).Scan(&first, &n, &data); err != nil {
			t.Fatalf("no batch of several events: %v", err)
		}
		var victim int64
		off := 0
		for seq := first; ; seq++ {
			l, k := binary.Uvarint(data[off:])
			if seq == first+1 {
				victim = seq
				data[off+k+int(l)-1] ^= 1 // the last byte of the row's second event
				break
			}
			off += k + int(l)
		}
		mustExec(t, db, `UPDATE audit_log SET data = ? WHERE first_seq = ?`, data, first)
		rep, err := auditlog.Verify(ctx, f.store, f.g.AuditLogOf().VerifierKey(), auditlog.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.FirstBad != victim {
			t.Fatalf("verify: first bad %d (%s); want %d", rep.FirstBad, rep.BadReason, victim)
		}
	})
}

// TestAuditExportTamper makes the same kinds of edits in an export: verification names
// the first checkpoint that fails, and the first event out of sequence.
func TestAuditExportTamper(t *testing.T) {
	ctx := context.Background()
	f := auditFixture(t)
	var buf bytes.Buffer
	if _, err := f.g.AuditLogOf().Export(ctx, f.store, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	eventLine := func(seq int64) int {
		for i, l := range lines {
			if strings.HasPrefix(l, fmt.Sprintf(`{"type":"event","seq":%d,`, seq)) {
				return i
			}
		}
		t.Fatalf("no line for event %d", seq)
		return 0
	}
	edit := func(l string) string {
		var x auditlog.ExportLine
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatal(err)
		}
		x.Record = forged(t, x.Record)
		b, _ := json.Marshal(x)
		return string(b)
	}
	for _, tc := range []struct {
		name     string
		change   func([]string) []string
		bad, bcp int64
	}{
		{"Clean", func(l []string) []string { return l }, 0, 0},
		{"Edited", func(l []string) []string { i := eventLine(6); l[i] = edit(l[i]); return l }, 0, 8},
		{"Deleted", func(l []string) []string { i := eventLine(5); return append(l[:i], l[i+1:]...) }, 5, 8},
		{"Inserted", func(l []string) []string {
			i := eventLine(10)
			return append(l[:i], append([]string{edit(l[i])}, l[i:]...)...)
		}, 11, 12},
		{"Swapped", func(l []string) []string { i, j := eventLine(14), eventLine(15); l[i], l[j] = l[j], l[i]; return l }, 14, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.change(append([]string(nil), lines...))
			rep, err := auditlog.VerifyExport(strings.NewReader(strings.Join(l, "\n")+"\n"), f.g.AuditLogOf().VerifierKey())
			if err != nil {
				t.Fatal(err)
			}
			if rep.FirstBad != tc.bad || rep.BadCheckpoint != tc.bcp {
				t.Fatalf("first bad %d (%s), bad checkpoint %d (%s); want %d and %d",
					rep.FirstBad, rep.BadReason, rep.BadCheckpoint, rep.CheckpointReason, tc.bad, tc.bcp)
			}
		})
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestAuditRollback restores an older copy of the database after a checkpoint was
// copied to a witness file: the restored log verifies on its own, but not against the
// witnessed checkpoint.
func TestAuditRollback(t *testing.T) {
	ctx := context.Background()
	witness := filepath.Join(t.TempDir(), "witness", "checkpoint")
	f := mustFixtureWith(t, fixtureOptions{Audit: auditlog.Config{Every: 4, Witnesses: []auditlog.Witness{auditlog.FileWitness{Path: witness}}}})
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	backup := filepath.Join(t.TempDir(), "backup.db")
	mustExec(t, rawDB(t, f), `VACUUM INTO ?`, backup)
	var before int64 = lastSeq(t, f)
	for i := 0; i < 6; i++ {
		if _, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.g.AuditLogOf().CheckpointAndWitness(ctx, f.store); err != nil {
		t.Fatal(err)
	}
	notes, err := auditlog.ReadWitness(witness)
	if err != nil {
		t.Fatal(err)
	}
	vkey := f.g.AuditLogOf().VerifierKey()
	c, err := auditlog.OpenCheckpoint(notes[0], vkey)
	if err != nil || c.Size != before+6 {
		t.Fatalf("witnessed checkpoint %+v, %v; want size %d", c, err, before+6)
	}
	if rep, err := auditlog.Verify(ctx, f.store, vkey, auditlog.VerifyOptions{Witnessed: notes}); err != nil || !rep.OK() {
		t.Fatalf("current database against the witness: %v %+v", err, rep)
	}

	restored, err := sqlite.Open(ctx, backup, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if rep, err := auditlog.Verify(ctx, restored, vkey, auditlog.VerifyOptions{}); err != nil || !rep.OK() {
		t.Fatalf("restored copy alone: %v %+v", err, rep)
	}
	rep, err := auditlog.Verify(ctx, restored, vkey, auditlog.VerifyOptions{Witnessed: notes})
	if err != nil {
		t.Fatal(err)
	}
	if rep.BadCheckpoint != before+6 || !strings.Contains(rep.CheckpointReason, "rolled back") {
		t.Fatalf("rolled-back copy: %+v", rep)
	}
}

// TestAuditIndependentVerifier checks an export with a verifier written only from
// docs/audit-verify.md, using tlog and note directly (not package auditlog's verify).
func TestAuditIndependentVerifier(t *testing.T) {
	ctx := context.Background()
	f := auditFixture(t)
	// A bulk event: an import of 40 subjects commits to them by a subject root.
	rows := make([]gate.ImportRow, 40)
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
	// Step 1: the key comes from the log, not from the export.
	verifier, err := note.NewVerifier(f.g.AuditLogOf().VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	var hashes []tlog.Hash
	var n int64
	checked, bulk := 0, 0
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var line struct {
			Type   string `json:"type"`
			Seq    int64  `json:"seq"`
			Record string `json:"record"`
			Size   int64  `json:"size"`
			Note   string `json:"note"`
			Event  struct {
				Action  string `json:"action"`
				ActorID string `json:"actor_id"`
			} `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		switch line.Type {
		case "event":
			if line.Seq != n+1 {
				t.Fatalf("event %d after %d", line.Seq, n)
			}
			rec, err := base64.StdEncoding.DecodeString(line.Record)
			if err != nil {
				t.Fatal(err)
			}
			// Step 4: leaves and stored hashes with tlog.
			hs, err := tlog.StoredHashes(n, rec, tlogHashes(hashes))
			if err != nil {
				t.Fatal(err)
			}
			hashes = append(hashes, hs...)
			n++
			// Step 6: the record's first fields, read as documented.
			if rec[0] != 1 {
				t.Fatalf("event %d: version %d", line.Seq, rec[0])
			}
			_, k := binary.Varint(rec[1:])
			p := 1 + k
			str := func() string {
				l, k := binary.Uvarint(rec[p:])
				s := string(rec[p+k : p+k+int(l)])
				p += k + int(l)
				return s
			}
			actor, _, action := str(), str(), str()
			if actor != line.Event.ActorID || action != line.Event.Action {
				t.Fatalf("event %d: record says %s/%s, the decoded event %s/%s", line.Seq, actor, action, line.Event.ActorID, line.Event.Action)
			}
			for range 4 {
				str()
			}
			_, k = binary.Uvarint(rec[p:])
			p += k
			if rec[p] == 1 {
				bulk++
			}
		case "checkpoint":
			// Step 3: signature, origin, size.
			nt, err := note.Open([]byte(line.Note), note.VerifierList(verifier))
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(nt.Text, "\n")
			if parts[0] != verifier.Name() || parts[1] != fmt.Sprint(line.Size) || line.Size != n {
				t.Fatalf("checkpoint %q at event %d", nt.Text, n)
			}
			root, err := tlog.TreeHash(line.Size, tlogHashes(hashes))
			if err != nil {
				t.Fatal(err)
			}
			if base64.StdEncoding.EncodeToString(root[:]) != parts[2] {
				t.Fatalf("checkpoint %d: root differs", line.Size)
			}
			checked++
		}
	}
	if checked < 5 || bulk != 1 || n < 21 {
		t.Fatalf("checked %d checkpoints, %d bulk events, %d events", checked, bulk, n)
	}
}

type tlogHashes []tlog.Hash

func (h tlogHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = h[x]
	}
	return out, nil
}

// TestAccessHistoryIndex finds a subject's events through the per-subject index (which
// lags by at most IndexEvery events) and in the unindexed tail, a bulk import among them
// with the subject's proof through the import's subject tree.
func TestAccessHistoryIndex(t *testing.T) {
	ctx := context.Background()
	f := mustFixtureWith(t, fixtureOptions{Audit: auditlog.Config{Every: 4, IndexEvery: 5}})
	rows := make([]gate.ImportRow, 40)
	for i := range rows {
		rows[i] = gate.ImportRow{Key: []string{"t", fmt.Sprint(i)}, Channel: jaga.ChannelImport,
			Values: map[string]string{"full_name": fmt.Sprintf("Pelanggan %d", i), "email": fmt.Sprintf("p%d@example.com", i)}}
	}
	res, err := f.g.ImportSubjects(ctx, f.req(jaga.RoleService, jaga.PurposeServiceProvision), rows)
	if err != nil {
		t.Fatal(err)
	}
	id, other := res.Subjects[7], res.Subjects[8]
	support := f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport)
	for i := 0; i < 13; i++ {
		s := id
		if i%2 == 1 {
			s = other
		}
		if _, err := f.g.Read(ctx, gate.ReadRequest{Request: support, Subject: s}); err != nil {
			t.Fatal(err)
		}
	}
	var head jaga.AuditHead
	f.store.View(ctx, func(tx jaga.Tx) error { head, err = tx.AuditHead(ctx); return err })
	if head.IndexedSize == 0 || head.IndexedSize == head.Size {
		t.Fatalf("want a partly indexed log, head %+v", head)
	}
	h, err := f.g.AccessHistory(ctx, gate.AccessHistoryRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: id, Proofs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Entries) != 1+7 || h.Entries[0].Action != jaga.ActionImport {
		t.Fatalf("%d entries, first %+v", len(h.Entries), h.Entries[0])
	}
	c, err := auditlog.OpenCheckpoint(h.Checkpoint.Note, f.g.AuditLogOf().VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range h.Entries {
		if err := tlog.CheckRecord(e.Proof, c.Size, c.Root, e.Seq-1, tlog.RecordHash(e.Record)); err != nil {
			t.Fatalf("event %d: %v", e.Seq, err)
		}
		ev, err := auditlog.Decode(e.Record)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Action == jaga.ActionImport {
			var root tlog.Hash
			copy(root[:], ev.SubjectRoot)
			if ev.SubjectCount != 40 || tlog.CheckRecord(e.SubjectProof, 40, root, int64(e.SubjectPos), auditlog.SubjectLeaf(id)) != nil {
				t.Fatalf("import event: subject proof does not lead to its root")
			}
		} else if len(ev.Subjects) != 1 || ev.Subjects[0] != id {
			t.Fatalf("event %d names %v", e.Seq, ev.Subjects)
		}
	}
	// Pages: one entry at a time reaches the same events (each call adds one more, its
	// own read_audit event).
	var seqs []int64
	for after := int64(0); len(seqs) < len(h.Entries); {
		p, err := f.g.AccessHistory(ctx, gate.AccessHistoryRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: id, After: after, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) == 0 {
			break
		}
		seqs = append(seqs, p.Entries[0].Seq)
		after = p.NextAfter
	}
	if len(seqs) != len(h.Entries) || seqs[len(seqs)-1] != h.Entries[len(h.Entries)-1].Seq {
		t.Fatalf("paged %v, whole %d entries", seqs, len(h.Entries))
	}
}
