package gate_test

import (
	"context"
	"testing"
	"time"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
)

// checkpoints lists every stored checkpoint straight from the store (a gate call would
// itself be audited and so feed the loop it watches).
func checkpoints(tb testing.TB, f *fixture) []*jaga.AuditCheckpoint {
	tb.Helper()
	ctx := context.Background()
	var cps []*jaga.AuditCheckpoint
	if err := f.store.View(ctx, func(tx jaga.Tx) (err error) { cps, err = tx.AuditCheckpoints(ctx, 0, 1000); return err }); err != nil {
		tb.Fatal(err)
	}
	return cps
}

// waitCheckpoint polls until the latest checkpoint covers size events, failing after a
// generous deadline (the loop's speed is not what is tested).
func waitCheckpoint(tb testing.TB, f *fixture, size int64) []*jaga.AuditCheckpoint {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cps := checkpoints(tb, f)
		if len(cps) > 0 && cps[len(cps)-1].Size >= size {
			return cps
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no checkpoint of size %d within 30s: %d checkpoints", size, len(cps))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCheckpointInterval shows the T-seconds path of "checkpoints every N events or T
// seconds" (issue 5): with N far away, the background loop signs a checkpoint over the
// events that came within one interval, and signs none while no event comes.
func TestCheckpointInterval(t *testing.T) {
	ctx := context.Background()
	const interval = 20 * time.Millisecond
	f := mustFixtureWith(t, fixtureOptions{Audit: auditlog.Config{Every: 1 << 40, Interval: interval}})
	sub := f.MustCreate(t, "rina.interval@example.com", jaga.ConsentGiven)

	// The fixture's events (actors, demo registry, the create) get a checkpoint without
	// reaching N.
	cps := waitCheckpoint(t, f, auditSize(t, f))
	size := auditSize(t, f)
	if last := cps[len(cps)-1]; last.Size != size || size >= 1<<40 {
		t.Fatalf("checkpoint of size %d, log of %d", last.Size, size)
	}

	// No event: many intervals pass and no checkpoint is added.
	time.Sleep(25 * interval)
	if again := checkpoints(t, f); len(again) != len(cps) || again[len(again)-1].Size != size || auditSize(t, f) != size {
		t.Fatalf("with no event the checkpoints went from %d to %d (log %d → %d)", len(cps), len(again), size, auditSize(t, f))
	}

	// One event: the next checkpoint covers it.
	if _, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub}); err != nil {
		t.Fatal(err)
	}
	if auditSize(t, f) != size+1 {
		t.Fatalf("a read wrote %d events", auditSize(t, f)-size)
	}
	cps = waitCheckpoint(t, f, size+1)
	if last := cps[len(cps)-1]; last.Size != size+1 {
		t.Fatalf("checkpoint of size %d after one event on %d", last.Size, size)
	}
	// It is a signed checkpoint of that tree.
	c, err := auditlog.OpenCheckpoint(cps[len(cps)-1].Note, f.g.AuditLogOf().VerifierKey())
	if err != nil || c.Size != size+1 {
		t.Fatalf("checkpoint %+v: %v", c, err)
	}
}
