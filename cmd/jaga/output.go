package main

import (
	"io"
	"os"
)

// stdoutName is how messages name standard output when a path flag is "-".
const stdoutName = "standard output"

// openOutput opens the file a command writes to: path "-" is the command's standard
// output (as scan --redact - and --key-file - read and write the standard streams),
// any other path a file created or truncated with mode 0600. name is how messages name
// it; done closes a file (and reports its write error), and does nothing for stdout.
func (e *env) openOutput(path string) (w io.Writer, name string, done func() error, err error) {
	if path == "-" {
		return e.stdout, stdoutName, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, "", nil, err
	}
	return f, path, f.Close, nil
}
