package seal_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/seal"
)

// MustAppendErasure appends one erasure to the journal.
func MustAppendErasure(tb testing.TB, k *seal.Keyring, s jaga.SubjectID, at time.Time) {
	tb.Helper()
	if err := k.AppendErasure(s, at); err != nil {
		tb.Fatalf("AppendErasure(%s): %v", s, err)
	}
}

// journalWith returns a keyring whose journal holds n erasures, and the journal's path.
func journalWith(tb testing.TB, n int) (*seal.Keyring, string) {
	tb.Helper()
	dir := MustKeysDir(tb)
	k := MustOpen(tb, dir)
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, jaga.WIB)
	for i := range n {
		MustAppendErasure(tb, k, Subject(i+1), base.Add(time.Duration(i)*time.Minute))
	}
	return k, filepath.Join(dir, seal.ErasureJournalFile)
}

func readLines(tb testing.TB, path string) []string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.SplitAfter(string(b), "\n")
}

func writeLines(tb testing.TB, path string, lines []string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// wantJournalError checks that Erasures fails naming line.
func wantJournalError(tb testing.TB, k *seal.Keyring, line string) {
	tb.Helper()
	got, err := k.Erasures()
	if !errors.Is(err, seal.ErrJournal) {
		tb.Fatalf("Erasures = %d entries, %v; want ErrJournal", len(got), err)
	}
	if !strings.Contains(err.Error(), "erasure-journal line "+line+":") {
		tb.Errorf("error %q does not name line %s", err, line)
	}
}

func TestJournal(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		k := MustOpen(t, MustKeysDir(t))
		got, err := k.Erasures()
		if err != nil || len(got) != 0 {
			t.Errorf("Erasures = %v, %v; want none", got, err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		k, path := journalWith(t, 5)
		got, err := k.Erasures()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("%d entries, want 5", len(got))
		}
		for i, e := range got {
			want := time.Date(2025, 3, 1, 1, i, 0, 0, time.UTC)
			if e.Subject != Subject(i+1) || !e.At.Equal(want) || e.At.Location() != time.UTC {
				t.Errorf("entry %d = %v %v, want %v %v", i, e.Subject, e.At, Subject(i+1), want)
			}
		}
		line := regexp.MustCompile(`^sub_[0-9a-f]{32} \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [A-Za-z0-9+/]{43}=\n$`)
		for i, l := range readLines(t, path)[:5] {
			if !line.MatchString(l) {
				t.Errorf("line %d = %q", i+1, l)
			}
		}
		if got := mode(t, path); got != 0o600 {
			t.Errorf("journal mode %04o, want 0600", got)
		}
		// Another process opening the directory reads the same journal.
		again, err := MustOpen(t, filepath.Dir(path)).Erasures()
		if err != nil || len(again) != 5 {
			t.Errorf("reopened: %d entries, %v", len(again), err)
		}
	})

	t.Run("SubSecondTruncated", func(t *testing.T) {
		k := MustOpen(t, MustKeysDir(t))
		MustAppendErasure(t, k, Subject(1), time.Date(2025, 1, 2, 3, 4, 5, 999, time.UTC))
		got, err := k.Erasures()
		if err != nil || !got[0].At.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("Erasures = %v, %v", got, err)
		}
	})

	t.Run("ErrEdited", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		lines[2] = strings.Replace(lines[2], string(Subject(3)), string(Subject(9)), 1)
		writeLines(t, path, lines)
		wantJournalError(t, k, "3")
	})

	t.Run("ErrEditedTime", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		lines[3] = strings.Replace(lines[3], "2025-03-01", "2025-03-02", 1)
		writeLines(t, path, lines)
		wantJournalError(t, k, "4")
	})

	t.Run("ErrEditedMAC", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		b := []byte(lines[4])
		b[len(b)-5] ^= 1 // one base64 character
		lines[4] = string(b)
		writeLines(t, path, lines)
		wantJournalError(t, k, "5")
	})

	t.Run("ErrDeletedMiddle", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		writeLines(t, path, append(lines[:1:1], lines[2:]...))
		wantJournalError(t, k, "2")
	})

	t.Run("ErrDeletedFirst", func(t *testing.T) {
		k, path := journalWith(t, 5)
		writeLines(t, path, readLines(t, path)[1:])
		wantJournalError(t, k, "1")
	})

	t.Run("ErrReordered", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		lines[1], lines[2] = lines[2], lines[1]
		writeLines(t, path, lines)
		wantJournalError(t, k, "2")
	})

	t.Run("ErrInserted", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		forged := lines[0] // a valid line of this journal, replayed later
		writeLines(t, path, append(lines[:3:3], append([]string{forged}, lines[3:]...)...))
		wantJournalError(t, k, "4")
	})

	t.Run("ErrTruncatedInTheMiddle", func(t *testing.T) {
		k, path := journalWith(t, 5)
		lines := readLines(t, path)
		lines[2] = lines[2][:30] + "\n"
		writeLines(t, path, lines)
		wantJournalError(t, k, "3")
	})

	t.Run("ErrBlankLine", func(t *testing.T) {
		k, path := journalWith(t, 3)
		lines := readLines(t, path)
		writeLines(t, path, append(lines[:2:2], append([]string{"\n"}, lines[2:]...)...))
		wantJournalError(t, k, "3")
	})

	t.Run("ErrOtherVault", func(t *testing.T) {
		_, path := journalWith(t, 3)
		dir := MustKeysDir(t)
		k := MustOpen(t, dir)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		writeLines(t, filepath.Join(dir, seal.ErasureJournalFile), []string{string(b)})
		wantJournalError(t, k, "1")
		if err := k.AppendErasure(Subject(9), time.Now()); err != nil {
			t.Fatal(err) // appending still works; verifying keeps failing
		}
		wantJournalError(t, k, "1")
	})

	t.Run("TornLastLine", func(t *testing.T) {
		k, path := journalWith(t, 3)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(string(Subject(4)) + " 2025-03-0") // a crash during an append
		f.Close()
		got, err := k.Erasures()
		if err != nil || len(got) != 3 {
			t.Fatalf("Erasures with a torn tail = %d entries, %v; want 3", len(got), err)
		}
		MustAppendErasure(t, k, Subject(5), time.Now())
		got, err = k.Erasures()
		if err != nil || len(got) != 4 || got[3].Subject != Subject(5) {
			t.Fatalf("Erasures after an append = %v, %v", got, err)
		}
	})

	t.Run("TornOnlyLine", func(t *testing.T) {
		dir := MustKeysDir(t)
		k := MustOpen(t, dir)
		writeLines(t, filepath.Join(dir, seal.ErasureJournalFile), []string{string(Subject(1)) + " 20"})
		MustAppendErasure(t, k, Subject(2), time.Now())
		got, err := k.Erasures()
		if err != nil || len(got) != 1 || got[0].Subject != Subject(2) {
			t.Fatalf("Erasures = %v, %v", got, err)
		}
	})

	t.Run("ErrFileMode", func(t *testing.T) {
		k, path := journalWith(t, 1)
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := k.Erasures()
		wantInvalid(t, err, "chmod 600")
		wantInvalid(t, k.AppendErasure(Subject(2), time.Now()), "chmod 600")
	})

	t.Run("ErrDeletedFile", func(t *testing.T) {
		k, path := journalWith(t, 1)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		_, err := k.Erasures()
		wantInvalid(t, err, "restore")
		wantInvalid(t, k.AppendErasure(Subject(2), time.Now()), "restore")
	})

	t.Run("ErrInvalidSubject", func(t *testing.T) {
		k := MustOpen(t, MustKeysDir(t))
		if err := k.AppendErasure("siti@example.com", time.Now()); jaga.ErrorCode(err) != jaga.EINVALID {
			t.Errorf("AppendErasure(not an id) = %v, want EINVALID", err)
		}
	})

	t.Run("ConcurrentProcesses", func(t *testing.T) {
		dir := MustKeysDir(t)
		ks := []*seal.Keyring{MustOpen(t, dir), MustOpen(t, dir), MustOpen(t, dir)}
		const each = 30
		var wg sync.WaitGroup
		for p, k := range ks {
			wg.Go(func() {
				for i := range each {
					if err := k.AppendErasure(Subject(p*1000+i), time.Now()); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		got, err := ks[0].Erasures()
		if err != nil || len(got) != len(ks)*each {
			t.Fatalf("Erasures = %d entries, %v; want %d", len(got), err, len(ks)*each)
		}
	})
}
