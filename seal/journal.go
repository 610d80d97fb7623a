package seal

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"jaga"
)

// journalMACPrefix starts the message of every erasure-journal MAC.
const journalMACPrefix = "jaga/erasure/v1|"

// maxJournalLine bounds a journal line: a subject ID (36 bytes), a time (20), a MAC (44)
// and separators fit in 103 bytes.
const maxJournalLine = 256

// JournalEntry is one line of the erasure journal (invariant 4): the subject erased and
// when, in UTC to the second. It holds no personal value.
type JournalEntry struct {
	Subject jaga.SubjectID
	At      time.Time
}

// AppendErasure appends the erasure of subject at time at (UTC, to the second) to
// keys/erasure-journal and syncs it before returning, so that start-up can re-apply it
// after an older data backup is restored. Each line is
//
//	<subject> <RFC 3339 UTC time> <base64 HMAC-SHA256>
//
// with the MAC, under journal.key, over "jaga/erasure/v1|" ‖ the previous line's MAC (32
// bytes; nothing for the first line) ‖ subject ‖ "|" ‖ time, so that editing, deleting,
// inserting or reordering a line is detected. Appends are serialised in this process by a
// mutex and across processes by an advisory lock and O_APPEND. A torn last line, left by
// a crash during an earlier append that therefore never succeeded, is cut off first. An
// invalid subject ID is an EINVALID *jaga.Error; a last line that does not parse wraps
// ErrJournal.
func (k *Keyring) AppendErasure(subject jaga.SubjectID, at time.Time) error {
	if err := checkSubject(subject); err != nil {
		return err
	}
	ts := at.UTC().Format(time.RFC3339)

	k.journalMu.Lock()
	defer k.journalMu.Unlock()
	path := filepath.Join(k.dir, ErasureJournalFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return missing(k.dir, ErasureJournalFile)
	} else if err != nil {
		return fmt.Errorf("seal: open %s: %w", ErasureJournalFile, err)
	}
	defer f.Close()
	if err := lockFile(f, true); err != nil {
		return fmt.Errorf("seal: lock %s: %w", ErasureJournalFile, err)
	}
	defer unlockFile(f)
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("seal: stat %s: %w", ErasureJournalFile, err)
	}
	if err := checkPerm(k.dir, path, fi); err != nil {
		return err
	}
	prev, err := k.lastJournalMAC(f, fi.Size())
	if err != nil {
		return err
	}
	mac := journalMAC(hmac.New(sha256.New, k.journalKey), prev, string(subject), ts)
	line := make([]byte, 0, maxJournalLine)
	line = append(line, subject...)
	line = append(line, ' ')
	line = append(line, ts...)
	line = append(line, ' ')
	line = base64.StdEncoding.AppendEncode(line, mac)
	line = append(line, '\n')
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("seal: append to %s: %w", ErasureJournalFile, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("seal: sync %s: %w", ErasureJournalFile, err)
	}
	return nil
}

// lastJournalMAC returns the MAC of the journal's last line (nil for an empty journal),
// cutting off a torn last line first.
func (k *Keyring) lastJournalMAC(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	n := min(size, 16*maxJournalLine)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil {
		return nil, fmt.Errorf("seal: read %s: %w", ErasureJournalFile, err)
	}
	if buf[len(buf)-1] != '\n' {
		i := bytes.LastIndexByte(buf, '\n')
		if i < 0 && n < size {
			return nil, fmt.Errorf("seal: %s ends in a line longer than %d bytes: %w", ErasureJournalFile, n, ErrJournal)
		}
		if err := f.Truncate(size - n + int64(i) + 1); err != nil {
			return nil, fmt.Errorf("seal: cut the torn last line of %s: %w", ErasureJournalFile, err)
		}
		k.log().Warn("seal: cut a torn last line off the erasure journal (a crash during an append)")
		buf = buf[:i+1]
		if len(buf) == 0 {
			return nil, nil
		}
	}
	line := buf[:len(buf)-1]
	i := bytes.LastIndexByte(line, '\n')
	if i < 0 && n < size {
		return nil, fmt.Errorf("seal: %s ends in a line longer than %d bytes: %w", ErasureJournalFile, n, ErrJournal)
	}
	_, _, mac, err := parseJournalLine(line[i+1:])
	if err != nil {
		return nil, fmt.Errorf("seal: %s: last line: %s: %w", ErasureJournalFile, err, ErrJournal)
	}
	return mac, nil
}

// Erasures reads the erasure journal and verifies every line's MAC and the chain, so
// that start-up can re-apply the erasures (invariant 4). An edited, inserted, deleted or
// reordered line, or one cut short in the middle of the file, is an error wrapping
// ErrJournal that names the first line that does not verify ("erasure-journal line 7").
// A final line without a newline is a torn append that never succeeded and is left out.
// Cutting whole lines off the end cannot be detected by the chain alone: compare with
// the store's erasure tombstones.
func (k *Keyring) Erasures() ([]JournalEntry, error) {
	path := filepath.Join(k.dir, ErasureJournalFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missing(k.dir, ErasureJournalFile)
	} else if err != nil {
		return nil, fmt.Errorf("seal: open %s: %w", ErasureJournalFile, err)
	}
	defer f.Close()
	if err := lockFile(f, false); err != nil {
		return nil, fmt.Errorf("seal: lock %s: %w", ErasureJournalFile, err)
	}
	defer unlockFile(f)
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: stat %s: %w", ErasureJournalFile, err)
	}
	if err := checkPerm(k.dir, path, fi); err != nil {
		return nil, err
	}

	k.journalMu.Lock()
	h := hmac.New(sha256.New, k.journalKey)
	k.journalMu.Unlock()
	var (
		out  []JournalEntry
		prev []byte
		r    = bufio.NewReaderSize(f, 64<<10)
	)
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadSlice('\n')
		if err == io.EOF {
			if len(line) > 0 {
				k.log().Warn("seal: erasure journal ends in a torn line (a crash during an append), left out", "line", lineNo)
			}
			return out, nil
		}
		bad := func(reason string) error {
			return fmt.Errorf("seal: %s line %d: %s: %w", ErasureJournalFile, lineNo, reason, ErrJournal)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, bad("line too long")
		} else if err != nil {
			return nil, fmt.Errorf("seal: read %s: %w", ErasureJournalFile, err)
		}
		subject, ts, mac, err := parseJournalLine(line[:len(line)-1])
		if err != nil {
			return nil, bad(err.Error())
		}
		want := journalMAC(h, prev, string(subject), ts)
		if !hmac.Equal(mac, want) {
			return nil, bad("MAC does not verify (this line or one before it was edited, inserted, deleted or reordered)")
		}
		at, _ := time.Parse(time.RFC3339, ts) // checked by parseJournalLine
		out = append(out, JournalEntry{Subject: subject, At: at})
		prev = mac
	}
}

// parseJournalLine splits a journal line (without its newline) into subject, time and
// MAC, checking each one's shape.
func parseJournalLine(line []byte) (jaga.SubjectID, string, []byte, error) {
	parts := bytes.Split(line, []byte{' '})
	if len(parts) != 3 {
		return "", "", nil, errors.New("want three fields separated by single spaces")
	}
	subject := jaga.SubjectID(parts[0])
	if !subject.Valid() {
		return "", "", nil, errors.New("malformed subject id")
	}
	ts := string(parts[1])
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil || at.UTC().Format(time.RFC3339) != ts {
		return "", "", nil, errors.New("malformed time (want RFC 3339 in UTC to the second)")
	}
	mac := make([]byte, base64.StdEncoding.DecodedLen(len(parts[2])))
	n, err := base64.StdEncoding.Decode(mac, parts[2])
	if err != nil || n != sha256.Size {
		return "", "", nil, errors.New("malformed MAC")
	}
	return subject, ts, mac[:n], nil
}

// journalMAC computes a journal line's MAC with h (an HMAC-SHA256 under journal.key).
func journalMAC(h hash.Hash, prev []byte, subject, ts string) []byte {
	h.Reset()
	h.Write([]byte(journalMACPrefix))
	h.Write(prev)
	h.Write([]byte(subject))
	h.Write([]byte{'|'})
	h.Write([]byte(ts))
	return h.Sum(nil)
}
