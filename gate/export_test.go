package gate

import (
	"context"

	"jaga"
)

// ExecForTest runs run through the committer as the gate's operations do.
func (g *Gate) ExecForTest(ctx context.Context, run func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error)) error {
	return g.exec(ctx, run)
}

// QueuedForTest returns how many operations wait for the committer (not yet in a
// batch), so that a test can line operations up in one batch.
func (g *Gate) QueuedForTest() int { return len(g.ops) }
