// Package gate is the one gate of Jaga (DESIGN.md invariant 1): plaintext personal data
// leaves the storage layer only through it. Every call names an actor (who), a purpose
// (why) and the subjects and fields (what). The gate decides per field (policy and
// purpose registry, consent, restriction), appends one audit event in the same database
// transaction as the data it reads or writes, commits (synced) and only then decrypts
// what was allowed and masks what must be masked.
//
// Transactions are grouped (group commit): concurrent calls share one transaction and
// one fsync, each still writing its own audit event before any plaintext leaves.
//
// gate may import the root package, seal, policy, normalize, pii and the standard library. It
// is the only package besides cmd/jaga that imports seal.
package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"jaga"
	"jaga/auditlog"
	"jaga/policy"
	"jaga/seal"
)

// Config is what a Gate needs. Store, Keys and Policy are required; Schema defaults to
// jaga.DefaultSchema, Purposes to jaga.DefaultPurposes, Clock to jaga.SystemClock.
// Purposes seed the purpose registry of a vault whose registry is empty; afterwards the
// registry in the database is the source (purpose.go).
type Config struct {
	Store    jaga.Store
	Keys     *seal.Keyring
	Policy   *policy.Policy
	Schema   *jaga.Schema
	Purposes []jaga.Purpose
	Clock    jaga.Clock
	Logger   *slog.Logger
	// MaxBatch is the most operations grouped into one transaction (default 128).
	MaxBatch int
	// RegistryRefresh is how often the gate compares its cached purpose registry with the
	// registry version in the database, to see changes made by other nodes (default 1s;
	// changes made through this gate apply at once).
	RegistryRefresh time.Duration
	// Controller names the controller in privacy notices and consent receipts.
	Controller Controller
	// CommitDelay is how long the committer of a busy gate waits for more operations
	// before it commits a batch (PostgreSQL's commit_delay); default 200µs, negative
	// for none. An idle gate never waits.
	CommitDelay time.Duration
	// Audit configures the audit log (checkpoint interval, witnesses); its Signer
	// defaults to Keys.AuditSigner().
	Audit auditlog.Config
}

// Gate is the one gate. It is safe for concurrent use; Close stops its committer.
type Gate struct {
	store  jaga.Store
	keys   *seal.Keyring
	policy *policyRef
	schema *jaga.Schema
	// sortedNames are the schema's names by name (contentNames).
	sortedNames []string
	contentOnce sync.Once
	reg         registryCache
	ctrl        Controller
	clock       jaga.Clock
	log         *slog.Logger

	ops      chan *op
	maxBatch int
	stop     chan struct{}
	exited   chan struct{} // closed when commitLoop has returned
	wg       sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
	auth     authCache
	plans    sync.Map // planKey → *plan
	covered  sync.Map // purpose IDs → fields they cover (map[string]bool)

	intakeMu sync.Mutex // serialises identity resolution and its commit (intake.go)
	audit    auditState
	sync     *syncer
	// lastBatch is the size of the committer's last batch (committer goroutine only).
	lastBatch   int
	commitDelay time.Duration
	binding     Binding // how New found the vault binding (vaultbinding.go)
}

// New checks cfg and starts the gate's committer.
func New(cfg Config) (*Gate, error) {
	if cfg.Store == nil || cfg.Keys == nil || cfg.Policy == nil {
		return nil, errors.New("gate: Store, Keys and Policy are required")
	}
	if cfg.Schema == nil {
		cfg.Schema = jaga.DefaultSchema()
	}
	if cfg.Purposes == nil {
		cfg.Purposes = jaga.DefaultPurposes()
	}
	if cfg.Clock == nil {
		cfg.Clock = jaga.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 128
	}
	if cfg.RegistryRefresh <= 0 {
		cfg.RegistryRefresh = time.Second
	}
	if cfg.CommitDelay == 0 {
		cfg.CommitDelay = 200 * time.Microsecond
	}
	g := &Gate{
		store: cfg.Store, keys: cfg.Keys, policy: newPolicyRef(cfg.Policy), schema: cfg.Schema,
		ctrl: cfg.Controller.withDefaults(), clock: cfg.Clock, log: cfg.Logger,
		ops: make(chan *op, 4*cfg.MaxBatch), maxBatch: cfg.MaxBatch, stop: make(chan struct{}), exited: make(chan struct{}), commitDelay: cfg.CommitDelay,
	}
	g.reg.refresh = cfg.RegistryRefresh
	for _, p := range cfg.Purposes {
		if !p.Basis.Valid() {
			return nil, fmt.Errorf("gate: purpose %s: %w", p.ID, jaga.FieldError("lawful_basis", "purpose %s has no valid lawful basis (UU PDP Art 20, R-5)", p.ID))
		}
	}
	if cfg.Audit.Signer == nil {
		cfg.Audit.Signer = cfg.Keys.AuditSigner()
	}
	// Before anything is written: keys/ of another vault must not touch this database.
	if err := g.bindKeys(context.Background(), cfg.Audit.Signer.PublicKey()); err != nil {
		return nil, err // a *ForeignKeysError is read by operators as it is
	}
	if err := g.openRegistry(context.Background(), cfg.Purposes); err != nil {
		return nil, fmt.Errorf("gate: purpose registry: %w", err)
	}
	if err := g.startAudit(cfg.Audit); err != nil {
		return nil, err
	}
	g.startSyncer()
	g.wg.Add(1)
	go g.commitLoop()
	return g, nil
}

// Close stops the committer after the operations already queued. Calls after Close
// return EINTERNAL.
func (g *Gate) Close() error {
	g.closeMu.Lock()
	defer g.closeMu.Unlock()
	if !g.closed {
		g.closed = true
		close(g.stop)
		g.wg.Wait()
		g.stopSyncer()
		return g.stopAudit()
	}
	return nil
}

// Schema returns the gate's schema.
func (g *Gate) Schema() *jaga.Schema { return g.schema }

// op is one gate operation run inside a grouped transaction. run does reads, decisions
// and writes; it reports domain outcomes (refusals) through its own fields and returns
// an error only for a failure that must roll the transaction back. It returns the audit
// events to append.
type op struct {
	ctx  context.Context
	run  func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)
	done chan error
	// resolve: the batch takes the store's resolution lock before any of its
	// operations runs (execResolving, serial.go).
	resolve bool
}

// exec queues run and waits until its transaction is committed (and synced) or failed.
func (g *Gate) exec(ctx context.Context, run func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)) error {
	return g.execOp(ctx, opWrite, run)
}

// execRead is exec for operations that only read data. In the benchmark-only
// jaga_noaudit build they run in a read transaction without the committer.
func (g *Gate) execRead(ctx context.Context, run func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)) error {
	return g.execOp(ctx, opRead, run)
}

func (g *Gate) execOp(ctx context.Context, kind opKind, run func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)) error {
	if kind == opRead && !auditEnabled {
		return g.store.View(ctx, func(tx jaga.Tx) error {
			_, err := run(ctx, tx)
			return err
		})
	}
	o := &op{ctx: ctx, run: run, done: make(chan error, 1), resolve: kind == opResolve}
	select {
	case g.ops <- o:
	case <-g.stop:
		return jaga.Errorf(jaga.EINTERNAL, "gate closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-o.done:
		return err
	case <-ctx.Done():
	case <-g.exited:
	}
	// The caller left, or the gate closed. The operation may still be running in the
	// committer, writing the caller's variables, so wait until the committer is done
	// with it: it checks the context before running an operation and one already
	// running ends with its transaction, so the wait is short. If the operation
	// committed, its audit event is written and nil is returned although the caller
	// left, which is the safe direction.
	select {
	case err := <-o.done:
		return err
	case <-g.exited:
		select {
		case err := <-o.done:
			return err
		default:
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return jaga.Errorf(jaga.EINTERNAL, "gate closed")
	}
}

func (g *Gate) commitLoop() {
	defer g.wg.Done()
	defer close(g.exited)
	batch := make([]*op, 0, g.maxBatch)
	for {
		var first *op
		select {
		case first = <-g.ops:
		case <-g.stop:
			// Drain what is queued so no caller waits forever.
			for {
				select {
				case o := <-g.ops:
					g.commit([]*op{o})
				default:
					return
				}
			}
		}
		batch = g.gather(append(batch[:0], first))
		g.commit(batch)
	}
}

// commit runs a batch in one transaction. If the transaction fails, each operation is
// retried alone so that one failing operation cannot fail the others.
func (g *Gate) commit(batch []*op) {
	live := batch[:0:0]
	for _, o := range batch {
		if err := o.ctx.Err(); err != nil {
			o.done <- err
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		return
	}
	err := g.update(context.Background(), func(tx jaga.Tx) error {
		if err := lockResolutionFirst(tx, live); err != nil {
			return err
		}
		var events []*jaga.AuditEvent
		for _, o := range live {
			evs, err := o.run(o.ctx, tx)
			if err != nil {
				return err
			}
			events = append(events, evs...)
		}
		return g.appendAudit(context.Background(), tx, events)
	})
	if err == nil {
		g.release(live)
		return
	}
	if len(live) == 1 {
		live[0].done <- err
		return
	}
	for _, o := range live {
		g.commit([]*op{o})
	}
}

// parallel runs fn(i) for i in [0,n) on up to GOMAXPROCS-1 goroutines (at least one):
// it prepares and seals an import batch while the committer writes the batch before,
// and the committer — the one writer — needs a core of its own (1M-subject import on 2
// cores: 16,912/s with one sealing worker, 15,166/s with two).
func parallel(n int, fn func(i int)) {
	parallelOn(max(1, runtime.GOMAXPROCS(0)-1), n, fn)
}

// parallelOn runs fn(i) for i in [0,n) on up to workers goroutines, in contiguous
// chunks; fewer than 64 items run on the caller's goroutine.
func parallelOn(workers, n int, fn func(i int)) {
	if n < 64 || workers == 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func (g *Gate) now() time.Time { return g.clock.Now().UTC().Truncate(time.Microsecond) }

// Now returns the gate's clock reading (UTC, microseconds), the "now" of its time
// checks: a transport that checks a time member itself (jaga.CheckRecordTime) checks it
// against the same clock as the gate.
func (g *Gate) Now() time.Time { return g.now() }
