package sqlite_test

import (
	"path/filepath"
	"testing"

	"jaga/sqlstore/storetest"
)

// TestTryLockTwoHandles checks that two stores on one file (two processes) contend for
// a job lock.
func TestTryLockTwoHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "jaga.db")
	storetest.CheckTryLock(t, MustOpenPath(t, path), MustOpenPath(t, path))
}
