package gate

import (
	"context"
	"sync"
	"time"

	"jaga"
)

// syncer makes committed batches durable and only then releases their callers: the
// committer commits batch N without waiting for the disk (jaga.DeferredSyncStore) and
// goes on with batch N+1 while the syncer flushes, one flush covering every batch
// committed before it. At most two batches are committed and not yet durable: one
// being flushed, one waiting for the next flush; the committer waits for a slot, and
// operations queue meanwhile, so that batches grow with the load instead of shrinking
// to one operation each. So an audit event is still durable before any plaintext leaves
// (invariant 1), and the disk's flush latency no longer bounds the gate's rate. A store
// without deferred sync commits durably and its callers are released at once.
type syncer struct {
	st      jaga.DeferredSyncStore
	slots   chan struct{} // batches committed and not yet durable, at most cap
	mu      sync.Mutex
	pending []*op
	batches int
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// startSyncer starts the syncer when the store can defer its flush.
func (g *Gate) startSyncer() {
	st, ok := g.store.(jaga.DeferredSyncStore)
	if !ok {
		return
	}
	g.sync = &syncer{st: st, slots: make(chan struct{}, 2), wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go g.sync.run()
}

// stopSyncer flushes and releases what is pending, after the committer stopped.
func (g *Gate) stopSyncer() {
	if g.sync != nil {
		close(g.sync.stop)
		<-g.sync.done
	}
}

// update runs fn in one transaction: without the flush when the syncer does it.
// With the syncer, it first takes a slot, which release (or a failure) gives back.
func (g *Gate) update(ctx context.Context, fn func(jaga.Tx) error) error {
	if g.sync == nil {
		return g.store.Update(ctx, fn)
	}
	g.sync.slots <- struct{}{}
	err := g.sync.st.UpdateNoSync(ctx, fn)
	if err != nil {
		<-g.sync.slots
	}
	return err
}

// release reports success to the operations of a committed batch once it is durable.
func (g *Gate) release(ops []*op) {
	if g.sync == nil {
		for _, o := range ops {
			o.done <- nil
		}
		return
	}
	g.sync.mu.Lock()
	g.sync.pending = append(g.sync.pending, ops...)
	g.sync.batches++
	g.sync.mu.Unlock()
	select {
	case g.sync.wake <- struct{}{}:
	default:
	}
}

func (s *syncer) run() {
	defer close(s.done)
	for {
		select {
		case <-s.wake:
		case <-s.stop:
			s.flush()
			return
		}
		s.flush()
	}
}

// flush syncs once for every operation pending now and releases them with its result.
func (s *syncer) flush() {
	s.mu.Lock()
	ops, batches := s.pending, s.batches
	s.pending, s.batches = nil, 0
	s.mu.Unlock()
	if len(ops) == 0 {
		return
	}
	err := s.st.Sync(context.Background())
	for range batches {
		<-s.slots
	}
	for _, o := range ops {
		o.done <- err
	}
}

// commitSiblings is how many operations the last batch must have had for the
// committer to wait Config.CommitDelay for more (PostgreSQL's commit_siblings).
const commitSiblings = 4

// gather adds to batch what is queued and, while the gate is busy (the last batch had
// commitSiblings operations or more), what arrives within the commit delay, up to
// MaxBatch operations: one transaction, one page of the audit log and one flush then
// serve more callers. An idle gate (batches of one) never waits.
func (g *Gate) gather(batch []*op) []*op {
	var timer *time.Timer
	var expire <-chan time.Time
	if g.lastBatch >= commitSiblings && g.commitDelay > 0 {
		timer = time.NewTimer(g.commitDelay)
		defer timer.Stop()
		expire = timer.C
	}
	for len(batch) < g.maxBatch {
		select {
		case o := <-g.ops:
			batch = append(batch, o)
			continue
		default:
		}
		if expire == nil {
			break
		}
		select {
		case o := <-g.ops:
			batch = append(batch, o)
			continue
		case <-expire:
		}
		break
	}
	g.lastBatch = len(batch)
	return batch
}
