package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"jaga/internal/readonly"
	"jaga/sqlstore"
	"jaga/sqlstore/sqlite"
)

// TestDatabaseErrorReadOnlyDir: a data/ directory jaga may not write (the immutable
// attribute for root, mode 0400 otherwise) is an error that names the database file,
// not a bare "open writer: unable to open database file (14)", with the hint that says
// SQLite needs to create its -wal and -shm there and names the immutable attribute.
func TestDatabaseErrorReadOnlyDir(t *testing.T) {
	unsetenv(t, "JAGA_DATABASE_URL")
	unsetenv(t, "JAGA_DATABASE_URL_FILE")
	dir := t.TempDir()
	if _, errs, code := runMain(t, "actors", "add", "--dir", dir, "--name", "Rina", "--role", "support"); code != 0 {
		t.Fatalf("actors add: %d %s", code, errs)
	}
	data := filepath.Join(dir, "data")
	db := filepath.Join(data, "jaga.db")
	readonly.Make(t, data)
	_, errs, code := runMain(t, "actors", "list", "--dir", dir)
	for _, want := range []string{
		"jaga: error: database error: ",
		db + ": ",
		"\njaga: hint: the user running jaga must be able to write DIR/data and the files in it (SQLite creates jaga.db-wal and jaga.db-shm beside jaga.db)",
		"the immutable attribute (lsattr -d DIR/data DIR/data/*; chattr -i)",
	} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
	}
	if strings.Contains(errs, "open writer: ") {
		t.Errorf("stderr %q: the step names no file", errs)
	}
}

// TestDatabaseErrorReadOnlyMount: a vault on a file system mounted read-only (EROFS) is
// an error with the read-only-mount hint the README promises. Hint checks the message
// for a StepError holding EROFS; Mount makes a real one (a tmpfs remounted read-only),
// so it needs root with CAP_SYS_ADMIN and skips, saying why, without.
func TestDatabaseErrorReadOnlyMount(t *testing.T) {
	unsetenv(t, "JAGA_DATABASE_URL")
	unsetenv(t, "JAGA_DATABASE_URL_FILE")
	t.Run("Hint", func(t *testing.T) {
		err := fmt.Errorf("%w", sqlstore.NewStepError(sqlite.Dialect, "open database file for reading and writing",
			&fs.PathError{Op: "open", Path: "/srv/jaga/data/jaga.db", Err: syscall.EROFS}))
		got := databaseCause("database error", err)
		want := "database error: open database file for reading and writing: open /srv/jaga/data/jaga.db: read-only file system\nhint: " + readOnlyMountHint
		if got != want {
			t.Errorf("databaseCause = %q, want %q", got, want)
		}
	})
	t.Run("Mount", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("mounting a read-only file system needs root")
		}
		mnt := t.TempDir()
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
			// A container without CAP_SYS_ADMIN may not mount even as root; the Hint
			// subtest checks the same message without a mount.
			t.Skipf("mount tmpfs (needs CAP_SYS_ADMIN): %v: %s", err, out)
		}
		t.Cleanup(func() {
			if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", mnt, err, out)
			}
		})
		dir := filepath.Join(mnt, "vault")
		if _, errs, code := runMain(t, "actors", "add", "--dir", dir, "--name", "Rina", "--role", "support"); code != 0 {
			t.Fatalf("actors add: %d %s", code, errs)
		}
		if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
			t.Fatalf("remount read-only: %v: %s", err, out)
		}
		_, errs, code := runMain(t, "actors", "list", "--dir", dir)
		for _, want := range []string{
			"jaga: error: database error: open database file for reading and writing: open " + filepath.Join(dir, "data", "jaga.db") + ": read-only file system\n",
			"jaga: hint: the file system that holds DIR/data is mounted read-only: jaga writes its database even to read",
		} {
			if code != 1 || !strings.Contains(errs, want) {
				t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
			}
		}
	})
}
