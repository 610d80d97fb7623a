package policy

import (
	"path/filepath"
	"strconv"

	"jaga"
)

// FileError is the error of a policy file that does not parse or check (Parse, Load,
// Policy.Check): File is the name Parse was given (for Load, the path), Line and Col the
// 1-based position of the problem (0 when unknown), Msg what is wrong. It wraps the
// EINVALID *jaga.Error whose message is "File:Line:Col: Msg", so that jaga.ErrorCode
// and jaga.ErrorMessage see it as before; a transport that must not show the server's
// paths to a client uses Base instead.
type FileError struct {
	File      string
	Line, Col int
	Msg       string
	err       *jaga.Error
}

// Error returns the wrapped *jaga.Error's text.
func (e *FileError) Error() string { return e.err.Error() }

// Unwrap returns the EINVALID *jaga.Error.
func (e *FileError) Unwrap() error { return e.err }

// Base returns "name:line:col: what is wrong" with the file's base name only (no
// directory), for messages that leave the server.
func (e *FileError) Base() string {
	return location(filepath.Base(e.File), e.Line, e.Col) + ": " + e.Msg
}

// location returns "name:line:col", leaving out a zero line or column.
func location(name string, line, col int) string {
	if line > 0 {
		name += ":" + strconv.Itoa(line)
		if col > 0 {
			name += ":" + strconv.Itoa(col)
		}
	}
	return name
}
