package policy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	yaml4 "go.yaml.in/yaml/v4"
)

// syntaxError locates a YAML syntax error of data at the problem itself: the line and
// column where the parser found what it did not expect (a key indented deeper or
// shallower than its siblings, a tab). go.yaml.in/yaml/v3, which Parse decodes with,
// names only the line where the enclosing block began (often line 1 or 2 of a
// mis-indented file); v4's LoadError carries both marks. ok is false when v4 finds no
// syntax error with a position, and the caller keeps v3's line.
func syntaxError(data []byte) (p pos, msg string, ok bool) {
	var n yaml4.Node
	var le *yaml4.LoadError
	if !errors.As(yaml4.Unmarshal(data, &n), &le) || le.Mark.Line <= 0 {
		return pos{}, "", false
	}
	p, msg = pos{le.Mark.Line, le.Mark.Column}, le.Message
	if le.ContextMsg == "" || le.ContextMark.Line <= 0 {
		return p, msg, true
	}
	if le.Mark.Index >= len(bytes.TrimRight(data, " \t\r\n")) {
		// The file ended inside a construct (an unclosed [ or a key without its colon):
		// the construct's start is the place to look.
		return pos{le.ContextMark.Line, le.ContextMark.Column}, fmt.Sprintf("%s (%s; the file ends before it is complete)", msg, le.ContextMsg), true
	}
	msg = fmt.Sprintf("%s (%s that starts at line %d)", msg, le.ContextMsg, le.ContextMark.Line)
	if strings.Contains(le.ContextMsg, "block") {
		msg += ": is this line indented like the keys of that block?"
	}
	return p, msg, true
}
