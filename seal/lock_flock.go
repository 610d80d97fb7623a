//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos

package seal

import (
	"os"
	"syscall"
)

// lockFile takes an advisory lock on f (exclusive or shared) that other processes
// respect: it serialises KEK changes and journal appends across jaga processes that
// share a keys directory. The lock ends with unlockFile or when f is closed.
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
