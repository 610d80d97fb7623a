package sqlite

import (
	"context"
	"database/sql"
	"os"
	"sync/atomic"
	"time"
)

// Checkpointing. With wal_autocheckpoint on, the commit that pushes the WAL past the
// limit also copies the whole WAL into the database file, so that one Update (often a
// gate batch of reads waiting for its audit event) takes many times longer than the
// others. Here a connection of its own checkpoints in the background right after each
// commit, overlapping the writer's next transaction.
//
// Small commits (a gate batch of reads and their audit events, a thousand a second)
// are checkpointed together at most every checkpointEvery; a commit that makes the -wal
// file grow by walKickBytes since the last checkpoint is checkpointed at once. The size
// that counts is the growth, not the file's size: the file keeps its size when the WAL
// starts over (journal_size_limit truncates only beyond walLimitBytes), so a vault whose
// WAL once grew past walKickBytes would otherwise checkpoint after every commit (it
// did: 2,140 checkpoints for 3,137 gate batches, a fifth of the read path's CPU).
//
// A PASSIVE checkpoint waits for nobody, but the writer starts the WAL over only when a
// commit finds every earlier frame copied; a writer that commits while a checkpoint is
// still copying makes the WAL grow instead. journal_size_limit truncates the WAL file
// whenever it starts over, so a file larger than walRestartBytes means that has not
// happened for a while, and the checkpointer then runs a RESTART checkpoint, which
// waits for the writer's transaction to end, copies everything and makes the next
// commit start the WAL over. Compact still truncates the WAL itself.
const (
	walLimitBytes   = 64 << 20  // journal_size_limit
	walRestartBytes = 256 << 20 // beyond this, checkpoint in RESTART mode
	checkpointIdle  = 5 * time.Second
	walKickBytes    = 8 << 20 // growth of the -wal file that is checkpointed at once
	checkpointEvery = 500 * time.Millisecond
)

type checkpointer struct {
	db    *sql.DB // one connection
	wal   string  // path of the -wal file
	kicks chan struct{}
	stop  chan struct{}
	done  chan struct{}
	runs  atomic.Int64 // checkpoints run, for tests
}

func newCheckpointer(db *sql.DB, path string) *checkpointer {
	c := &checkpointer{db: db, wal: path + "-wal", kicks: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// kick asks for a checkpoint now; it never blocks.
func (c *checkpointer) kick() {
	select {
	case c.kicks <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-c.stop
		cancel()
	}()
	idle := time.NewTimer(checkpointIdle)
	defer idle.Stop()
	var (
		last     time.Time
		lastSize int64 // size of the -wal file at the last checkpoint
	)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kicks:
		case <-idle.C:
		}
		mode := "PASSIVE"
		fi, err := os.Stat(c.wal)
		switch {
		case err == nil && fi.Size() > walRestartBytes:
			mode = "RESTART"
		case err == nil && fi.Size() < lastSize+walKickBytes && time.Since(last) < checkpointEvery:
			// A checkpoint, with its fsync of the database file, after each small
			// commit would double the writes. Let them gather.
			idle.Reset(checkpointEvery)
			continue
		}
		last = time.Now()
		if err == nil {
			lastSize = fi.Size()
		}
		c.runs.Add(1)
		// Errors (SQLITE_BUSY while Compact checkpoints, say) are left for the next
		// round: a checkpoint copies what is committed, nothing depends on one run.
		_, _ = c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`)
		idle.Reset(checkpointIdle)
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
