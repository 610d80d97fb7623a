//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// ProcessCPU returns the user and system CPU time the process has used: benchmarks
// report CPU per operation beside the rate, which a busy shared machine distorts less.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
