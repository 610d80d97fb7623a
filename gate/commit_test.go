package gate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"jaga"
)

// TestCallerLeavingWaitsForTheCommitter: a caller whose context ends while its
// operation runs in the committer does not return until the committer is done with
// the operation, so it never reads what the operation is still writing (the race
// `go test -race` found between PurgeExpiredSignups's count and a cancelled serve).
func TestCallerLeavingWaitsForTheCommitter(t *testing.T) {
	f := MustFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the fixture's Close, which waits for the committer
	n := 0
	returned := make(chan error, 1)
	go func() {
		err := f.g.ExecForTest(ctx, func(context.Context, jaga.Tx) ([]*jaga.AuditEvent, error) {
			close(started)
			<-release
			n = 42
			return nil, nil
		})
		returned <- err
	}()
	<-started
	cancel()
	select {
	case err := <-returned:
		t.Fatalf("the caller returned (%v) while its operation still ran", err)
	case <-time.After(200 * time.Millisecond):
	}
	free()
	if err := <-returned; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("exec: %v", err)
	}
	if n != 42 {
		t.Fatalf("n = %d after the operation ended", n)
	}
	// The committer still serves the next operation.
	if err := f.g.ExecForTest(context.Background(), func(context.Context, jaga.Tx) ([]*jaga.AuditEvent, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
}
