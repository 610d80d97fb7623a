package gate

import (
	"context"

	"jaga"
)

// Checks that depend on who exists, across nodes sharing one database.
//
// On SQLite one writer runs at a time, so a gate transaction that checks "does a
// subject (or row) with this identity exist?" and then writes sees every write before
// it. On PostgreSQL several nodes commit at once at READ COMMITTED: two transactions can
// each check, not see the other's uncommitted write, and both write. Every such
// read-then-write takes the store's resolution lock (jaga.Tx.LockResolution, an
// advisory transaction lock on PostgreSQL, a no-op on SQLite) before its check, on
// both sides of the race, so that the later one's check runs after the earlier one
// committed:
//
//   - creating a subject (Create: the NIK, e-mail and phone check of checkExisting)
//     against another create or an import of the same person;
//   - keeping purchase lines pending because no customer holds their source key
//     (pendingBatch.store) against an import that gives a subject that key and links
//     the lines pending for it (resolveIntake's write);
//   - quarantining a row with blind indexes or a source key (an intake batch's
//     write, QuarantineFix, the start-up jobs that key and index old rows) against an
//     erasure that discards the open rows sharing them (Erase, ReplayErasures).
//
// Lock order, the same in every gate transaction so that two nodes cannot wait for each
// other: the resolution lock first, before the operations of the batch run (so before
// any subject row an update or erasure locks, SELECT … FOR UPDATE), and the audit-log
// lock (jaga.Tx's LockAudit, taken by AppendAudit) last, when the batch's events are
// appended after every operation ran (commit). A batch with an operation that needs the
// resolution lock takes it before its first operation (lockResolutionFirst), not when
// that operation's turn comes: an operation before it in the same batch may have locked
// a subject row that a transaction of another node, holding the resolution lock, waits
// for.

// opKind says how the committer runs an operation (execOp).
type opKind uint8

const (
	opWrite   opKind = iota // a write transaction of the committer
	opRead                  // reads only (a read transaction in the jaga_noaudit build)
	opResolve               // a write whose batch takes the resolution lock first
)

// execResolving is exec for an operation that checks identities and then writes on
// what it found: its batch takes the store's resolution lock before any operation runs.
// run takes it too, before its check (a no-op when held), so that the check is under
// the lock wherever run is called from.
func (g *Gate) execResolving(ctx context.Context, run func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)) error {
	return g.execOp(ctx, opResolve, run)
}

// lockResolutionFirst takes the resolution lock in tx when an operation of the batch
// needs it, before the batch's first operation runs (see the lock order above).
func lockResolutionFirst(tx jaga.Tx, batch []*op) error {
	for _, o := range batch {
		if o.resolve {
			return tx.LockResolution(context.Background())
		}
	}
	return nil
}
