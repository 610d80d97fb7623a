//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos)

package sqlite

import (
	"os"
	"sync"
)

// held are the lock files taken in this process where there is no flock: only calls in
// this process contend, so run one jaga process per database there.
var held sync.Map

func tryLockFile(f *os.File) (bool, error) {
	_, taken := held.LoadOrStore(f.Name(), true)
	return !taken, nil
}

func unlockFile(f *os.File) error {
	held.Delete(f.Name())
	return nil
}
