// Package readonly makes real files read-only for tests of what Jaga says when it may
// not write its database: mode 0400 for an ordinary user, and the immutable attribute
// (chattr +i) for root, whom file modes do not stop. Everything is undone at cleanup.
//
// Only test files import it. It imports the standard library.
package readonly

import (
	"os"
	"os/exec"
	"testing"
)

// Immediate reports whether Make also stops writes through descriptors that are open
// already (root's immutable attribute does; a mode change stops only new opens).
func Immediate() bool { return os.Geteuid() == 0 }

// Make makes each of paths read-only until the test ends. As root it sets the
// immutable attribute with chattr; where that fails (no chattr, a file system without
// the attribute, no CAP_LINUX_IMMUTABLE) the test fails under CI=true and is skipped
// otherwise, saying why.
func Make(tb testing.TB, paths ...string) {
	tb.Helper()
	for _, p := range paths {
		if os.Geteuid() != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				tb.Fatal(err)
			}
			if err := os.Chmod(p, 0o400); err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { _ = os.Chmod(p, fi.Mode().Perm()) })
			continue
		}
		if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
			msg := "readonly: root needs the immutable attribute to make " + p + " read-only: chattr +i: " + err.Error() + ": " + string(out)
			if os.Getenv("CI") == "true" {
				tb.Fatal(msg)
			}
			tb.Skip(msg)
		}
		tb.Cleanup(func() {
			if out, err := exec.Command("chattr", "-i", p).CombinedOutput(); err != nil {
				tb.Errorf("readonly: chattr -i %s: %v: %s", p, err, out)
			}
		})
	}
}
