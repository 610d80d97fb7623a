package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jaga"
	"jaga/auditlog"
	"jaga/demodata"
	"jaga/importer"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
)

// nodeCall is one API call to a node: status, decoded body and its Jaga-Request-Id.
type nodeCall struct {
	status int
	body   map[string]any
	reqID  string
}

func call(t *testing.T, base, method, path, key, purpose, body string) nodeCall {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return nodeCall{}
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Jaga-Purpose", purpose)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return nodeCall{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c := nodeCall{status: resp.StatusCode, reqID: resp.Header.Get("Jaga-Request-Id")}
	_ = json.Unmarshal(b, &c.body)
	return c
}

// customersCSV writes the bundled customers' header and data rows [from, to) to a file.
func customersCSV(t *testing.T, from, to int) string {
	t.Helper()
	lines := strings.SplitAfter(string(demodata.CustomersCSV), "\n")
	var b strings.Builder
	b.WriteString(lines[0])
	for _, l := range lines[1+from : 1+to] {
		b.WriteString(l)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("customers_%d_%d.csv", from, to))
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTwoNodesOnePostgres is the "must show" 2: two `jaga serve` processes (the
// built binary) on one PostgreSQL database and one shared keys/, while two `jaga
// import` processes import overlapping customer files, serve concurrent creates,
// updates of the same subjects and reads. At the end: no duplicate subject, no lost
// write, and an audit log that verifies and holds the event of every call made to
// either node. Then two key rotations are started at once on the two nodes' vault:
// one runs, the other is refused, and both nodes keep reading every subject.
func TestTwoNodesOnePostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	env := []string{"JAGA_DATABASE_URL=" + url, "JAGA_KEY_RELOAD=200ms", "JAGA_DIR=" + dir}
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	mustRun := func(args ...string) string {
		out, errOut, err := run(args...)
		if err != nil {
			t.Fatalf("jaga %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	svc := strings.TrimSpace(mustRun("actors", "add", "--name", "shop web", "--role", "service"))
	nodes := []string{
		startJaga(t, bin, env, "serve", "--addr", "127.0.0.1:0"),
		startJaga(t, bin, env, "serve", "--addr", "127.0.0.1:0"),
	}

	var mu sync.Mutex
	var reqIDs []string
	record := func(c nodeCall) nodeCall {
		if c.reqID != "" {
			mu.Lock()
			reqIDs = append(reqIDs, c.reqID)
			mu.Unlock()
		}
		return c
	}
	create := func(node int, name string) jaga.SubjectID {
		body := fmt.Sprintf(`{"fields": {"full_name": %q, "email": "%s@example.id"}, "channel": "api"}`, name, strings.ReplaceAll(strings.ToLower(name), " ", "."))
		c := record(call(t, nodes[node], "POST", "/v1/subjects", svc, jaga.PurposeServiceProvision, body))
		if c.status != 201 {
			t.Errorf("create on node %d: %d %v", node, c.status, c.body)
			return ""
		}
		id, _ := c.body["id"].(string)
		return jaga.SubjectID(id)
	}
	// Subjects both nodes will update at once.
	var shared []jaga.SubjectID
	for i := range 6 {
		shared = append(shared, create(i%2, fmt.Sprintf("Shared Pelanggan %d", i)))
	}

	const creates, rounds = 15, 4
	created := make([][]jaga.SubjectID, 2)
	var wg sync.WaitGroup
	// Two importers (nodes of their own) with overlapping files: rows 0-699 and 400-1099.
	importErrs := make([]error, 2)
	for i, f := range []string{customersCSV(t, 0, 700), customersCSV(t, 400, 1100)} {
		wg.Go(func() {
			if _, errOut, err := run("import", f); err != nil {
				importErrs[i] = fmt.Errorf("import %s: %v: %s", filepath.Base(f), err, errOut)
			}
		})
	}
	for n := range nodes {
		wg.Go(func() { // creates
			for i := range creates {
				if id := create(n, fmt.Sprintf("Node%d Pelanggan %d", n, i)); id != "" {
					mu.Lock()
					created[n] = append(created[n], id)
					mu.Unlock()
				}
			}
		})
		wg.Go(func() { // node 0 changes addresses, node 1 names, of the same subjects
			for r := range rounds {
				for _, id := range shared {
					body := fmt.Sprintf(`{"fields": {"address": "Jl. Node %d No. %d"}}`, n, r)
					if n == 1 {
						body = fmt.Sprintf(`{"fields": {"full_name": "Nama Node %d Putaran %d"}}`, n, r)
					}
					if c := record(call(t, nodes[n], "PATCH", "/v1/subjects/"+string(id), svc, jaga.PurposeServiceProvision, body)); c.status != 204 {
						t.Errorf("patch on node %d: %d %v", n, c.status, c.body)
					}
				}
			}
		})
		wg.Go(func() { // reads
			for range rounds {
				for _, id := range shared {
					if c := record(call(t, nodes[n], "GET", "/v1/subjects/"+string(id), svc, jaga.PurposeServiceProvision, "")); c.status != 200 {
						t.Errorf("read on node %d: %d %v", n, c.status, c.body)
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range importErrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	st, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	t.Run("NoDuplicateSubjects", func(t *testing.T) {
		want := 1100 + len(shared) + len(created[0]) + len(created[1])
		if err := st.View(ctx, func(tx jaga.Tx) error {
			n, err := tx.CountSubjects(ctx)
			if err == nil && n != want {
				t.Errorf("%d subjects, want %d (1100 distinct customers imported from both files, the rest created)", n, want)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(created[0]) != creates || len(created[1]) != creates {
			t.Errorf("created %d and %d, want %d on each node", len(created[0]), len(created[1]), creates)
		}
	})
	t.Run("NoLostWrites", func(t *testing.T) {
		for _, id := range shared {
			c := call(t, nodes[0], "GET", "/v1/subjects/"+string(id), svc, jaga.PurposeServiceProvision, "")
			fields, _ := c.body["fields"].(map[string]any)
			if fields["address"] != fmt.Sprintf("Jl. Node 0 No. %d", rounds-1) || fields["full_name"] != fmt.Sprintf("Nama Node 1 Putaran %d", rounds-1) {
				t.Errorf("subject %s after concurrent updates from both nodes: %v", id, fields)
			}
		}
		for n, ids := range created {
			for _, id := range ids {
				if c := call(t, nodes[1-n], "GET", "/v1/subjects/"+string(id), svc, jaga.PurposeServiceProvision, ""); c.status != 200 {
					t.Errorf("subject created on node %d not readable on node %d: %d", n, 1-n, c.status)
				}
			}
		}
	})
	t.Run("AuditHasEveryEventAndVerifies", func(t *testing.T) {
		out := mustRun("audit", "verify")
		if !strings.Contains(out, "audit log ok") {
			t.Fatalf("audit verify: %s", out)
		}
		logged := map[string]bool{}
		imports := 0
		if err := st.View(ctx, func(tx jaga.Tx) error {
			return tx.ScanAudit(ctx, 0, func(r *jaga.AuditRecord) error {
				e, err := auditlog.Event(r)
				if err != nil {
					return err
				}
				logged[e.RequestID] = true
				if e.Action == jaga.ActionImport && e.Count > 0 {
					imports++
				}
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		prefixes := map[string]bool{}
		for _, id := range reqIDs {
			if !logged[id] {
				t.Errorf("call %s has no audit event", id)
			}
			prefixes[id[:strings.LastIndex(id, "_")]] = true
		}
		if len(prefixes) != 2 {
			t.Errorf("request IDs from %d processes, want both nodes", len(prefixes))
		}
		if imports < 2 {
			t.Errorf("%d import events that created subjects, want one from each importer", imports)
		}
	})

	t.Run("KeyRotationWithTwoNodes", func(t *testing.T) {
		type result struct {
			out, errOut string
			err         error
		}
		res := make([]result, 2)
		var rw sync.WaitGroup
		for i := range res {
			rw.Go(func() {
				o, e, err := run("keys", "rotate", "--grace", "1s")
				res[i] = result{o, e, err}
			})
		}
		rw.Wait()
		ok, refused := 0, 0
		for _, r := range res {
			switch {
			case r.err == nil && strings.Contains(r.out, "re-wrapped"):
				ok++
			case r.err != nil && strings.Contains(r.errOut, "another key rotation is running"):
				refused++
			default:
				t.Errorf("keys rotate: %v\n%s%s", r.err, r.out, r.errOut)
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("%d rotations ran and %d were refused, want one each", ok, refused)
		}
		out := mustRun("keys", "rewrap", "--dry-run")
		if !strings.Contains(out, ", 0 not under the primary") {
			t.Fatalf("after rotation: %s", out)
		}
		// Both nodes open every re-wrapped data key (they reload keys/ on an unknown ID).
		for n := range nodes {
			for _, id := range append(append([]jaga.SubjectID{}, shared...), created[n]...) {
				if c := call(t, nodes[n], "GET", "/v1/subjects/"+string(id), svc, jaga.PurposeServiceProvision, ""); c.status != 200 {
					t.Fatalf("read on node %d after rotation: %d %v", n, c.status, c.body)
				}
			}
		}
	})
}

// TestConcurrentImportsOneSubject imports one customer file through two vaults (two
// nodes) on one PostgreSQL database at once, three times each: every customer is
// created exactly once, whichever node wins, and the other's import finds it
// (import keys are unique in the database; the importer re-reads after a conflict).
func TestConcurrentImportsOneSubject(t *testing.T) {
	t.Parallel()
	created, existing := 0, 0
	for _, rep := range importOnTwoNodes(t, 3, func(int, int) importer.Options {
		return importer.Options{Actor: cliActor, BatchSize: 64}
	}) {
		created += rep.Created
		existing += rep.Unchanged
	}
	if created != 300 || existing != 5*300 {
		t.Fatalf("created %d and found %d existing over 6 imports of 300 customers; want 300 and 1500", created, existing)
	}
}

// TestConcurrentResolutionOneSubject imports the same 300 people through two nodes at
// once as two different sources (so their import keys differ and only identity
// resolution by blind index can tell they are the same people): each person ends as
// one subject, the other node's rows merge into it.
func TestConcurrentResolutionOneSubject(t *testing.T) {
	t.Parallel()
	created, merged := 0, 0
	for _, rep := range importOnTwoNodes(t, 2, func(node, run int) importer.Options {
		return importer.Options{Actor: cliActor, BatchSize: 32, Source: fmt.Sprintf("branch%d_run%d", node, run)}
	}) {
		created += rep.Created
		merged += rep.Merged
	}
	if created != 300 || merged != 3*300 {
		t.Fatalf("created %d, merged %d over 4 imports of the same 300 people as 4 sources; want 300 and 900", created, merged)
	}
}

// importOnTwoNodes imports one file of 300 customers through two vaults (two nodes) on
// one new PostgreSQL database, runs times each and all at once, with the options opts
// gives for each node and run; it returns the reports of the imports that succeeded
// (a failed one fails the test) after checking that the database holds 300 subjects.
func importOnTwoNodes(t *testing.T, runs int, opts func(node, run int) importer.Options) []*importer.Report {
	t.Helper()
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	f := customersCSV(t, 0, 300)
	vs := []*vault{openVaultDB(t, dir, url), openVaultDB(t, dir, url)}
	defer vs[0].Close()
	defer vs[1].Close()
	var mu sync.Mutex
	var reps []*importer.Report
	var wg sync.WaitGroup
	for n, v := range vs {
		for run := range runs {
			wg.Go(func() {
				rep, err := importer.ImportFile(context.Background(), v.gate, f, opts(n, run))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				reps = append(reps, rep)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if err := vs[0].store.View(context.Background(), func(tx jaga.Tx) error {
		n, err := tx.CountSubjects(context.Background())
		if err == nil && n != 300 {
			t.Errorf("%d subjects, want 300", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return reps
}
