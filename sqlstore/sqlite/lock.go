package sqlite

import (
	"context"
	"errors"
	"os"

	"jaga"
)

// TryLock takes the job lock name (jaga.Store.TryLock) as an exclusive advisory lock
// (flock) on the file <database>.lock-<name> beside the database: every process that
// opens the same database file, and every call in this one, contends for it, and the
// kernel releases it when the process dies. Where the platform has no flock, only calls
// in this process contend.
func (db *DB) TryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	if !jaga.ValidName(name) {
		return nil, false, &jaga.Error{Code: jaga.EINVALID, Field: "name", Message: "lock name must be snake_case"}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(db.path+".lock-"+name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, internalf("lock "+name, err)
	}
	held, err := tryLockFile(f)
	if err != nil || !held {
		f.Close()
		if err != nil {
			return nil, false, internalf("lock "+name, err)
		}
		return nil, false, nil
	}
	return func() { _ = errors.Join(unlockFile(f), f.Close()) }, true, nil
}
