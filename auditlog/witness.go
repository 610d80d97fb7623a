package auditlog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Witness keeps a copy of the log's checkpoints outside the database, so that a
// rollback of the whole database (a restored older copy) shows as a stored log shorter
// than, or different from, a checkpoint held elsewhere.
type Witness interface {
	// Witness hands over a signed checkpoint note.
	Witness(ctx context.Context, note []byte) error
	// String names the witness in errors (a path or URL, never a value).
	String() string
}

// FileWitness writes the latest checkpoint to a file (atomically: a temporary file in
// the same directory, synced, then renamed), for `jaga audit verify --witness FILE`. It
// never goes back: a checkpoint smaller than the one it holds (a database restored from
// an older copy), or of the same size with another root (a forked log), is refused and
// the file kept.
type FileWitness struct{ Path string }

// Witness implements Witness.
func (w FileWitness) Witness(_ context.Context, note []byte) error {
	c, err := ParseCheckpoint(noteText(note))
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(w.Path); err == nil {
		if prev, err := ParseCheckpoint(noteText(old)); err == nil {
			switch {
			case c.Size < prev.Size:
				return fmt.Errorf("holds a checkpoint of size %d, larger than the log's %d: the database was rolled back", prev.Size, c.Size)
			case c.Size == prev.Size && c.Root != prev.Root:
				return fmt.Errorf("holds another checkpoint of size %d: the log forked", c.Size)
			}
		}
	}
	dir := filepath.Dir(w.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".checkpoint-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(note); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), w.Path)
}

// String names the witness by its path.
func (w FileWitness) String() string { return "file " + w.Path }

// HTTPWitness POSTs each checkpoint note (text/plain) to URL; any 2xx is success.
type HTTPWitness struct {
	URL    string
	Client *http.Client // default: 10s timeout
}

// Witness implements Witness.
func (w HTTPWitness) Witness(ctx context.Context, note []byte) error {
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(note))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// String names the witness by its URL.
func (w HTTPWitness) String() string { return "url " + w.URL }

// noteText returns the text of a signed note (before its blank line and signatures).
func noteText(note []byte) string {
	if i := bytes.Index(note, []byte("\n\n")); i >= 0 {
		return string(note[:i+1])
	}
	return string(note)
}

// ReadWitness reads the checkpoint notes of a witness file (one or more notes).
func ReadWitness(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	notes := splitNotes(b)
	if len(notes) == 0 {
		return nil, fmt.Errorf("%s: no checkpoint", path)
	}
	return notes, nil
}
