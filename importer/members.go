package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"jaga"
)

// unknownMembers is the error for JSON Lines members no field fits: each member named
// (a member name is the file's vocabulary, not a customer value; one that looks like
// personal data is withheld) with the line it first appears on, in line order; the
// error starts with the file and the first such line.
func unknownMembers(name string, header []string, cols []string, memberLine func(int) int) error {
	type member struct {
		name string
		line int
	}
	ms := make([]member, 0, len(cols))
	for _, c := range cols {
		i, _ := strconv.Atoi(c)
		ms = append(ms, member{safeMember(header[i-1]), memberLine(i - 1)})
	}
	slices.SortStableFunc(ms, func(a, b member) int { return a.line - b.line })
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("member %q on line %d names no field", m.name, m.line)
	}
	return fmt.Errorf("%s:%d: %s; add it to the mapping file (--mapping) as a field or ignore, or to the schema", name, ms[0].line, strings.Join(parts, ", "))
}

// safeMember returns a JSON member name for an error or report: the name as written
// when it is short printable text that does not look like personal data (an e-mail
// address or a long digit run used as a key, jaga.LooksPersonal), else "(name withheld)"
// (invariant 6).
func safeMember(n string) string {
	if n == "" || len(n) > 64 || !utf8.ValidString(n) || jaga.LooksPersonal(n) || strings.IndexFunc(n, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "(name withheld)"
	}
	return n
}
