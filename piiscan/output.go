package piiscan

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// CheckRedactDir checks that writing redacted copies under dir cannot overwrite any of
// the input paths, and returns dir resolved (absolute, symbolic links evaluated; a part
// that does not exist yet is kept as written). It refuses, with an error naming both
// paths, a dir that is an input file, or is or contains an input file or directory —
// "--redact sc3 sc3" would replace each file with its own redacted copy. A dir inside
// an input directory is allowed: ScanPaths skips it when walking.
func CheckRedactDir(dir string, inputs []string) (string, error) {
	out, err := resolvePath(dir)
	if err != nil {
		return "", fmt.Errorf("--redact %s: %w", dir, err)
	}
	for _, in := range inputs {
		rin, err := resolvePath(in)
		if err != nil {
			return "", pathError(in, err)
		}
		if rin == out || within(rin, out) {
			what := "contains"
			if rin == out {
				what = "is"
			}
			return "", fmt.Errorf("--redact %s %s the input %s: input files would be overwritten by their redacted copies; hint: write the redacted copies to a directory outside the scanned paths", dir, what, in)
		}
		if a, err := os.Stat(in); err == nil {
			if b, err := os.Stat(dir); err == nil && os.SameFile(a, b) {
				return "", fmt.Errorf("--redact %s is the input %s; hint: write the redacted copies to a directory outside the scanned paths", dir, in)
			}
		}
	}
	return out, nil
}

// resolvePath returns p absolute with its symbolic links evaluated. Trailing parts that
// do not exist yet (a redaction directory to be created) are appended as they are.
func resolvePath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// within reports whether path lies strictly inside dir (both resolved).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// createTemp creates the temporary file (mode 0600, a hidden name beside dst) that a
// redacted copy is written to and then renamed to dst, so that a failed or interrupted
// scan leaves no half-written copy and an input is never truncated. It refuses a dst
// that is the source file itself (a hard link, for one).
func createTemp(src *os.File, dst string) (*os.File, error) {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if a, err := src.Stat(); err == nil {
		if b, err := os.Stat(dst); err == nil && os.SameFile(a, b) {
			return nil, fmt.Errorf("%s: the redacted copy would overwrite its own input %s", dst, src.Name())
		}
	}
	return os.CreateTemp(dir, "."+filepath.Base(dst)+".jaga-*")
}

// recWriter remembers the first write error, so that a failure to write a redacted copy
// (disk full) stops the scan instead of being reported as a problem with the input.
type recWriter struct {
	w   io.Writer
	err error
}

func (r *recWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil && r.err == nil {
		r.err = err
	}
	return n, err
}
