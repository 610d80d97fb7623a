package gate_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
)

// Two gates on one PostgreSQL database, as two Jaga nodes (docs/postgres.md): the
// identity checks that are serialised by SQLite's one writer must be serialised by the
// store's resolution lock there (gate/serial.go). Each race is made deterministic:
// holdBatch holds one node's transaction open just after the operation under test ran
// in it, the other node's operation then either finishes (the old code: it did not
// wait, and read around the uncommitted write) or waits for the resolution lock, and
// only then is the first transaction committed.

// pgNodes is a PostgreSQL database with two gates (nodes) over it, sharing keys/.
type pgNodes struct {
	g     [2]*gate.Gate
	st    [2]*postgres.DB
	keys  *seal.Keyring // node 1's
	db    *sql.DB       // a connection of the test's own, to watch pg_locks
	svc   *jaga.Actor
	dpo   *jaga.Actor
	dbOID uint32
}

func mustPGNodes(t *testing.T) *pgNodes {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	n := &pgNodes{db: pgtest.Open(t, url)}
	for i := range n.g {
		keys, err := seal.Open(filepath.Join(dir, "keys"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { keys.Close() })
		st, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { g.Close() })
		if i == 0 {
			if err := g.SeedDemo(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n.g[i], n.st[i], n.keys = g, st, keys
	}
	var err error
	if n.svc, _, err = n.g[0].CreateActor(ctx, gate.Request{}, "test service", jaga.RoleService); err != nil {
		t.Fatal(err)
	}
	if n.dpo, _, err = n.g[0].CreateActor(ctx, gate.Request{}, "test dpo", jaga.RoleDPO); err != nil {
		t.Fatal(err)
	}
	if err := n.db.QueryRow(`SELECT oid FROM pg_database WHERE datname = current_database()`).Scan(&n.dbOID); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *pgNodes) service() gate.Request {
	return gate.Request{Actor: n.svc, Purpose: jaga.PurposeServiceProvision}
}

// pause is a committer operation that holds its batch's transaction open until
// released.
type pause struct {
	in, out chan struct{}
	release func()
}

func newPause() *pause {
	p := &pause{in: make(chan struct{}), out: make(chan struct{})}
	p.release = sync.OnceFunc(func() { close(p.out) })
	return p
}

// queue returns a step for batch that queues p on g.
func (p *pause) queue(g *gate.Gate) func() {
	return func() {
		_ = g.ExecForTest(context.Background(), func(context.Context, jaga.Tx) ([]*jaga.AuditEvent, error) {
			close(p.in)
			<-p.out
			return nil, nil
		})
	}
}

// batch runs steps, each a call into g that queues one committer operation, so that
// their operations run in one batch in the order given: the committer is held busy
// while each step is started and queued, then let go. done[i] is closed when step i
// has returned.
func batch(t *testing.T, g *gate.Gate, steps ...func()) (done []<-chan struct{}) {
	t.Helper()
	busy := newPause()
	go busy.queue(g)()
	<-busy.in
	for i, step := range steps {
		finished := make(chan struct{})
		go func() { defer close(finished); step() }()
		waitFor(t, fmt.Sprintf("step %d to queue", i), func() bool { return g.QueuedForTest() == i+1 })
		done = append(done, finished)
	}
	busy.release()
	return done
}

// holdBatch starts op (one call into g that queues one committer operation) so that
// its operation runs in a batch with a pause after it: the batch's transaction stays
// open, op's writes uncommitted, until release is called. done is closed when op has
// returned.
func holdBatch(t *testing.T, g *gate.Gate, op func()) (release func(), done <-chan struct{}) {
	t.Helper()
	hold := newPause()
	steps := batch(t, g, op, hold.queue(g))
	select {
	case <-hold.in:
	case <-steps[0]:
		t.Fatal("the operation returned before its batch was held")
	case <-time.After(30 * time.Second):
		t.Fatal("the held batch never ran")
	}
	return hold.release, steps[0]
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// race runs op (on the other node) while a batch is held and waits until it has
// either returned or is waiting for an advisory lock of this database (the resolution
// lock: the held batch holds no other); it reports whether it waited. The caller then
// releases the held batch and waits on the returned channel.
func (n *pgNodes) race(t *testing.T, op func()) (waited bool, done <-chan struct{}) {
	t.Helper()
	finished := make(chan struct{})
	go func() { defer close(finished); op() }()
	waitFor(t, "the other node's operation to end or wait for a lock", func() bool {
		select {
		case <-finished:
			return true
		default:
		}
		var waiting int
		if err := n.db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = $1`, n.dbOID).Scan(&waiting); err != nil {
			t.Error(err)
			return true
		}
		waited = waiting > 0
		return waited
	})
	return waited, finished
}

func wait(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s never returned", what)
	}
}

func createReq(n *pgNodes, email, nik string) gate.CreateRequest {
	v := map[string]string{"full_name": "Rina Sari", "email": email}
	if nik != "" {
		v["nik"] = nik
	}
	return gate.CreateRequest{Request: n.service(), Values: v, Channel: jaga.ChannelAPI}
}

// subjectsWith returns the live subjects whose blind index of field is the one of v.
func subjectsWith(t *testing.T, st jaga.Store, keys func(field, v string) []byte, field, v string) []jaga.SubjectID {
	t.Helper()
	var ids []jaga.SubjectID
	if err := st.View(context.Background(), func(tx jaga.Tx) (err error) {
		ids, err = tx.FindByIndex(context.Background(), field, keys(field, v))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestCreateSerialisedAcrossNodes: concurrent creates of one NIK spread over two nodes
// store one subject, every other create is 409 identifier_exists; and a create of the
// same name and e-mail on one node while another node's create of it is uncommitted
// waits for it, then is refused.
func TestCreateSerialisedAcrossNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := mustPGNodes(t)
	t.Run("ConcurrentNIK", func(t *testing.T) {
		// Rounds of a NIK each: one round interleaves only now and then without the lock.
		const rounds, per = 10, 12
		for round := range rounds {
			nik := fmt.Sprintf("32730557128500%02d", 10+round)
			var wg sync.WaitGroup
			errs := make([]error, 2*per)
			start := make(chan struct{})
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = n.g[i%2].Create(ctx, createReq(n, fmt.Sprintf("rina%d.%d@example.com", round, i), nik))
				}()
			}
			close(start)
			wg.Wait()
			created := 0
			for i, err := range errs {
				switch e := jaga.AsError(err); {
				case err == nil:
					created++
				case e == nil || e.Code != jaga.ECONFLICT || e.Reason != gate.ReasonIdentifierExists || e.Field != "nik":
					t.Errorf("round %d, create %d on node %d: %v; want stored or 409 identifier_exists on nik", round, i, i%2, err)
				}
			}
			stored := subjectsWith(t, n.st[0], n.keys.BlindIndex, "nik", nik)
			if created != 1 || len(stored) != 1 {
				t.Fatalf("round %d: %d creates succeeded, %d subjects hold the NIK; want 1 and 1", round, created, len(stored))
			}
		}
	})
	t.Run("HeldEmail", func(t *testing.T) {
		var first error
		release, firstDone := holdBatch(t, n.g[0], func() {
			_, first = n.g[0].Create(ctx, createReq(n, "sari@example.com", ""))
		})
		var second error
		waited, secondDone := n.race(t, func() {
			_, second = n.g[1].Create(ctx, createReq(n, "SARI@example.com", ""))
		})
		release()
		wait(t, "the held create", firstDone)
		wait(t, "the other node's create", secondDone)
		if first != nil {
			t.Fatalf("held create: %v", first)
		}
		if e := jaga.AsError(second); e == nil || e.Code != jaga.ECONFLICT || e.Field != "email" {
			t.Errorf("create of the same name and e-mail on node 2: %v (waited for the lock: %v); want 409 on email", second, waited)
		}
		if ids := subjectsWith(t, n.st[1], n.keys.BlindIndex, "email", "sari@example.com"); len(ids) != 1 {
			t.Errorf("%d subjects with the e-mail; want 1", len(ids))
		}
	})
}

// intakeCustomer commits one customer row with source ID cust on g.
func intakeCustomer(ctx context.Context, g *gate.Gate, req gate.Request, cust, email string) ([]gate.IntakeOutcome, error) {
	b, err := g.PrepareIntake(ctx, req, []gate.IntakeRow{{Key: []string{"test", "source_id", cust}, File: "customers.csv", Line: 2,
		Values: map[string]string{"full_name": "Rina Sari", "email": email}, Channel: jaga.ChannelStoreVisit}})
	if err != nil {
		return nil, err
	}
	return g.CommitIntake(ctx, g.NewIntakeSession(0), b)
}

// importPurchases imports rows on g, again on ECONFLICT as the importer does.
func importPurchases(ctx context.Context, g *gate.Gate, req gate.Request, rows []gate.PurchaseRow) (res *gate.PurchaseResult, err error) {
	for range 3 {
		if res, err = g.ImportPurchases(ctx, req, rows); jaga.ErrorCode(err) != jaga.ECONFLICT {
			break
		}
	}
	return res, err
}

// pendingLeft returns how many purchase lines are still pending.
func pendingLeft(t *testing.T, st jaga.Store) int {
	t.Helper()
	var k int
	if err := st.View(context.Background(), func(tx jaga.Tx) (err error) {
		k, err = tx.CountPendingPurchases(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestPendingPurchasesAcrossNodes: a purchase import that finds no customer and a
// customer import that links pending lines, on two nodes at once, in either order of
// their transactions, leave no line pending whose customer exists: each line is
// linked to customer c1 (pendingRows' c2 never comes and stays pending).
func TestPendingPurchasesAcrossNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, held := range []string{"PurchasesHeld", "CustomerHeld"} {
		t.Run(held, func(t *testing.T) {
			n := mustPGNodes(t)
			rows := pendingRows()[:2] // c1's two lines
			var (
				purch   *gate.PurchaseResult
				out     []gate.IntakeOutcome
				pErr    error
				cErr    error
				release func()
				heldOp  <-chan struct{}
				waited  bool
				otherOp <-chan struct{}
			)
			buy := func() { purch, pErr = importPurchases(ctx, n.g[0], n.service(), rows) }
			join := func() { out, cErr = intakeCustomer(ctx, n.g[1], n.service(), "c1", "rina@example.com") }
			if held == "PurchasesHeld" {
				release, heldOp = holdBatch(t, n.g[0], buy)
				waited, otherOp = n.race(t, join)
			} else {
				release, heldOp = holdBatch(t, n.g[1], join)
				waited, otherOp = n.race(t, buy)
			}
			release()
			wait(t, "the held import", heldOp)
			wait(t, "the other node's import", otherOp)
			if pErr != nil || cErr != nil {
				t.Fatalf("purchases: %v; customer: %v", pErr, cErr)
			}
			if len(out) != 1 || out[0].Status != gate.IntakeCreated {
				t.Fatalf("customer: %+v", out)
			}
			ps, err := n.g[0].Purchases(ctx, gate.ReadRequest{Request: n.service(), Subject: out[0].Subject})
			if err != nil {
				t.Fatal(err)
			}
			if left := pendingLeft(t, n.st[0]); left != 0 || len(ps) != 2 {
				t.Fatalf("%d lines still pending, %d purchases of the customer (waited for the lock: %v; purchases %+v, customer %+v); want 0 and 2",
					left, len(ps), waited, purch, out[0])
			}
		})
	}
}

// TestQuarantineErasureAcrossNodes: a row quarantined on one node with the e-mail of a
// subject erased at the same time on another node is discarded with the erasure
// (invariant 4), as it is on SQLite, where the two cannot interleave.
func TestQuarantineErasureAcrossNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := mustPGNodes(t)
	sub, err := n.g[1].Create(ctx, gate.CreateRequest{Request: n.service(), Channel: jaga.ChannelAPI,
		Values: map[string]string{"full_name": "Kartika Sari", "email": "kartika@example.com", "phone": "081234567830"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.g[0].PrepareIntake(ctx, n.service(), []gate.IntakeRow{{File: "expo.csv", Line: 3, Channel: jaga.ChannelExhibition,
		Values: map[string]string{"full_name": "Kartika Sari", "email": " KARTIKA@Example.com ", "nik": "3273"}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []gate.IntakeOutcome
	var qErr, eErr error
	release, quarantined := holdBatch(t, n.g[0], func() { out, qErr = n.g[0].CommitIntake(ctx, n.g[0].NewIntakeSession(0), b) })
	waited, erased := n.race(t, func() { eErr = n.g[1].Erase(ctx, gate.Request{Actor: n.dpo, Purpose: jaga.PurposeDSR}, sub) })
	release()
	wait(t, "the held quarantine", quarantined)
	wait(t, "the erasure", erased)
	if qErr != nil || eErr != nil {
		t.Fatalf("quarantine: %v; erasure: %v", qErr, eErr)
	}
	if len(out) != 1 || out[0].Status != gate.IntakeQuarantined {
		t.Fatalf("intake: %+v; want the row quarantined", out)
	}
	var r *jaga.QuarantinedRow
	if err := n.st[0].View(ctx, func(tx jaga.Tx) (err error) {
		r, err = tx.QuarantinedRow(ctx, out[0].Subject)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if r.Status != jaga.QuarantineDiscarded || len(r.Sealed) != 0 || len(r.WrappedDEK) != 0 {
		t.Fatalf("the quarantined row of the erased subject's e-mail: status %s, %d sealed bytes (the erasure waited for the lock: %v); want discarded, shredded",
			r.Status, len(r.Sealed), waited)
	}
}

// TestResolutionLockFirstInBatch: a batch with an operation that needs the resolution
// lock (a create) takes it before its first operation runs, so before a subject row
// an update earlier in the batch locks (the lock order of gate/serial.go): while the
// batch is held between the update and the create, the lock is held already.
func TestResolutionLockFirstInBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := mustPGNodes(t)
	g := n.g[0]
	x, err := g.Create(ctx, createReq(n, "dewi@example.com", ""))
	if err != nil {
		t.Fatal(err)
	}
	granted := func() int {
		var k int
		if err := n.db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = $1`, n.dbOID).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	before := granted()
	mid := newPause()
	var uErr, cErr error
	done := batch(t, g,
		func() {
			uErr = g.Update(ctx, gate.UpdateRequest{Request: n.service(), Subject: x, Set: map[string]string{"domicile_city": "Kota Bandung"}})
		},
		mid.queue(g),
		func() { _, cErr = g.Create(ctx, createReq(n, "ayu@example.com", "")) })
	select {
	case <-mid.in:
	case <-time.After(30 * time.Second):
		t.Fatal("the batch never reached its pause")
	}
	held := granted() - before
	mid.release()
	wait(t, "the update", done[0])
	wait(t, "the create", done[2])
	if uErr != nil || cErr != nil {
		t.Fatalf("update: %v; create: %v", uErr, cErr)
	}
	if held != 1 {
		t.Fatalf("%d advisory locks held between the batch's update and its create; want 1, the resolution lock taken before the update", held)
	}
}
