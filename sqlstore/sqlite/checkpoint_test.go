package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointAfterLargeWAL: once the -wal file has grown past walKickBytes (say by
// an import), later small commits must still be checkpointed together, not one by one.
// The file keeps its size when the WAL starts over, and a rule that looked at the size
// alone checkpointed after every commit.
func TestCheckpointAfterLargeWAL(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "data", "jaga.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE scratch (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	// One large commit grows the WAL past walKickBytes: checkpointed at once.
	big := make([]byte, walKickBytes/8)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		big[0] = byte(i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (?)`, big); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.ckpt.kick()
	waitRuns(t, db.ckpt, 1)

	// Many small commits: at most one checkpoint per checkpointEvery, plus the one a
	// kick may start right away.
	before := db.ckpt.runs.Load()
	start := time.Now()
	const commits = 200
	for i := range commits {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO scratch (b) VALUES (?)`, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		db.ckpt.kick()
		time.Sleep(time.Millisecond) // let the checkpointer see each kick
	}
	runs := db.ckpt.runs.Load() - before
	if limit := 2 + int64(time.Since(start)/checkpointEvery); runs > limit {
		t.Errorf("%d small commits after a large WAL ran %d checkpoints, want at most %d", commits, runs, limit)
	}
}

func waitRuns(t *testing.T, c *checkpointer, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.runs.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint after a commit of more than walKickBytes")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
