package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/auditlog"
)

type checkpointJSON struct {
	Size int64
	Note string
}

// root opens a checkpoint note with the served key and returns its root.
func (e *env) root(t *testing.T, key string, cp checkpointJSON) tlog.Hash {
	t.Helper()
	c, err := auditlog.OpenCheckpoint([]byte(cp.Note), key)
	if err != nil || c.Size != cp.Size {
		t.Fatalf("checkpoint %d: %+v %v", cp.Size, c, err)
	}
	return c.Root
}

func TestAuditProofs(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	auditor := e.keys[jaga.RoleAuditor]
	key := strings.TrimSpace(string(e.do(t, call{method: "GET", path: "/v1/audit/key"}).want(t, 200).body))
	if _, err := note.NewVerifier(key); err != nil {
		t.Fatalf("GET /v1/audit/key: %q: %v", key, err)
	}
	for range 3 {
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti), key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).want(t, 200)
	}
	if _, err := e.gate.AuditLogOf().Checkpoint(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi), key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).want(t, 200)
	}
	if _, err := e.gate.AuditLogOf().Checkpoint(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	var cps struct{ Checkpoints []checkpointJSON }
	e.do(t, call{method: "GET", path: "/v1/audit/checkpoints", key: auditor}).want(t, 200).decode(t, &cps)
	if len(cps.Checkpoints) != 2 {
		t.Fatalf("checkpoints %+v", cps)
	}
	old, cur := cps.Checkpoints[0], cps.Checkpoints[1]

	t.Run("Inclusion", func(t *testing.T) {
		for _, seq := range []int64{1, old.Size, old.Size + 1} {
			var p struct {
				Seq        int64
				Record     []byte
				LeafHash   tlog.Hash `json:"leaf_hash"`
				Checkpoint checkpointJSON
				Proof      tlog.RecordProof
			}
			e.do(t, call{method: "GET", path: fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d", seq), key: auditor}).want(t, 200).decode(t, &p)
			if p.Checkpoint.Size != cur.Size || tlog.RecordHash(p.Record) != p.LeafHash {
				t.Fatalf("seq %d: %+v", seq, p)
			}
			if err := tlog.CheckRecord(p.Proof, p.Checkpoint.Size, e.root(t, key, p.Checkpoint), seq-1, p.LeafHash); err != nil {
				t.Fatalf("seq %d: %v", seq, err)
			}
		}
		e.do(t, call{method: "GET", path: fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d&size=%d", old.Size+1, old.Size), key: auditor}).wantProblem(t, 400, jaga.EINVALID, "seq", "")
		e.do(t, call{method: "GET", path: "/v1/audit/proof/inclusion?seq=1&size=3", key: auditor}).wantProblem(t, 404, jaga.ENOTFOUND, "", "")
		e.do(t, call{method: "GET", path: "/v1/audit/proof/inclusion?seq=0", key: auditor}).wantProblem(t, 400, jaga.EINVALID, "seq", "")
		r := e.do(t, call{method: "GET", path: "/v1/audit/proof/inclusion?seq=1", key: e.keys[jaga.RoleSupport]})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "role_not_allowed")
		e.audited(t, r, jaga.ActionReadAudit, "deny:role_not_allowed")
	})
	t.Run("Consistency", func(t *testing.T) {
		var p struct {
			From, To checkpointJSON
			Proof    tlog.TreeProof
		}
		r := e.do(t, call{method: "GET", path: fmt.Sprintf("/v1/audit/proof/consistency?from=%d", old.Size), key: auditor}).want(t, 200)
		r.decode(t, &p)
		if err := tlog.CheckTree(p.Proof, p.To.Size, e.root(t, key, p.To), p.From.Size, e.root(t, key, p.From)); err != nil {
			t.Fatal(err)
		}
		e.audited(t, r, jaga.ActionReadAudit, "allow")
		e.do(t, call{method: "GET", path: fmt.Sprintf("/v1/audit/proof/consistency?from=%d&to=%d", cur.Size, old.Size), key: auditor}).wantProblem(t, 400, jaga.EINVALID, "from", "")
		// The order is said first, also when from is no checkpoint at all.
		e.do(t, call{method: "GET", path: fmt.Sprintf("/v1/audit/proof/consistency?from=%d&to=%d", cur.Size+1000, old.Size), key: auditor}).wantProblem(t, 400, jaga.EINVALID, "from", "")
	})
}

func TestAccessHistory(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	dpo := e.keys[jaga.RoleDPO]
	e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "?fields=full_name", key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).want(t, 200)
	type history struct {
		Lang    string
		Entries []struct {
			Seq          int64
			Role         string
			RoleLabel    string `json:"role_label"`
			Action       string
			ActionLabel  string `json:"action_label"`
			PurposeLabel string `json:"purpose_label"`
			Fields       []string
			Record       []byte
			LeafHash     *tlog.Hash       `json:"leaf_hash"`
			Proof        tlog.RecordProof `json:"proof"`
			SubjectPos   *int             `json:"subject_position"`
			SubjectProof tlog.RecordProof `json:"subject_proof"`
		}
		Key        string `json:"verifier_key"`
		Checkpoint *checkpointJSON
	}
	path := "/v1/subjects/" + string(f.siti) + "/access-history"
	t.Run("Bahasa", func(t *testing.T) {
		var h history
		r := e.do(t, call{method: "GET", path: path, key: dpo, purpose: jaga.PurposeDSR}).want(t, 200)
		r.decode(t, &h)
		if h.Lang != "id" || len(h.Entries) < 2 || h.Entries[0].Action != jaga.ActionImport {
			t.Fatalf("history %+v", h)
		}
		last := h.Entries[len(h.Entries)-1]
		if last.RoleLabel != "layanan pelanggan" || last.ActionLabel != "melihat data" || strings.Join(last.Fields, ",") != "full_name" {
			t.Fatalf("support read shown as %+v", last)
		}
		if strings.Contains(string(r.body), e.actors[jaga.RoleSupport].Name) {
			t.Fatal("history names the staff member")
		}
		e.audited(t, r, jaga.ActionReadAudit, "allow")
	})
	t.Run("English", func(t *testing.T) {
		var h history
		e.do(t, call{method: "GET", path: path, key: dpo, purpose: jaga.PurposeDSR, header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"}}).want(t, 200).decode(t, &h)
		if h.Lang != "en" || len(h.Entries) < 3 || h.Entries[2].Action != jaga.ActionRead || h.Entries[2].PurposeLabel != "customer support" {
			t.Fatalf("history %+v", h)
		}
	})
	t.Run("DownloadWithProofs", func(t *testing.T) {
		var h history
		r := e.do(t, call{method: "GET", path: path + "?download=1&lang=en", key: dpo, purpose: jaga.PurposeDSR}).want(t, 200)
		r.decode(t, &h)
		if h.Checkpoint == nil || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %+v", h)
		}
		root := e.root(t, h.Key, *h.Checkpoint)
		for _, en := range h.Entries {
			if err := tlog.CheckRecord(en.Proof, h.Checkpoint.Size, root, en.Seq-1, tlog.RecordHash(en.Record)); err != nil {
				t.Fatalf("entry %d: %v", en.Seq, err)
			}
			ev, err := auditlog.Decode(en.Record)
			if err != nil {
				t.Fatal(err)
			}
			if ev.SubjectRoot != nil {
				// The path through the event's subject tree to this subject.
				var sr tlog.Hash
				copy(sr[:], ev.SubjectRoot)
				if err := tlog.CheckRecord(en.SubjectProof, int64(ev.SubjectCount), sr, int64(*en.SubjectPos), auditlog.SubjectLeaf(f.siti)); err != nil {
					t.Fatalf("entry %d subject proof: %v", en.Seq, err)
				}
			} else if len(ev.Subjects) == 0 || ev.Subjects[0] != f.siti {
				t.Fatalf("entry %d names %v", en.Seq, ev.Subjects)
			}
		}
	})
	t.Run("ErrPurpose", func(t *testing.T) {
		r := e.do(t, call{method: "GET", path: path, key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "purpose_not_allowed")
		e.audited(t, r, jaga.ActionReadAudit, "deny:purpose_not_allowed")
		e.do(t, call{method: "GET", path: path + "?lang=fr", key: dpo, purpose: jaga.PurposeDSR}).wantProblem(t, 400, jaga.EINVALID, "lang", "")
	})
}

// TestAuditStream follows the log over HTTP: the existing events, then a new one.
func TestAuditStream(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/audit/stream", nil)
	req.Header.Set("Authorization", "Bearer "+e.keys[jaga.RoleAuditor])
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	var seq int64
	sawOpen, read := false, false
	rid := ""
	for sc.Scan() {
		var ev jaga.AuditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Seq != seq+1 {
			t.Fatalf("event %d after %d", ev.Seq, seq)
		}
		seq = ev.Seq
		if ev.Action == jaga.ActionReadAudit && !sawOpen {
			sawOpen = true
			r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi), key: e.keys[jaga.RoleSupport], purpose: jaga.PurposeCustomerSupport}).want(t, 200)
			rid = r.header.Get("Jaga-Request-Id")
		}
		if ev.RequestID == rid && ev.Action == jaga.ActionRead {
			read = true
			break
		}
	}
	if !read {
		t.Fatalf("stream ended (%v) before the new read", sc.Err())
	}
}
