//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos)

package seal

import "os"

// lockFile is a no-op where the standard library has no flock: there only the
// in-process mutexes serialise KEK changes and journal appends, so run one jaga process
// per keys directory.
func lockFile(f *os.File, exclusive bool) error { return nil }

func unlockFile(f *os.File) error { return nil }
