package gate

import (
	"strings"

	"jaga"
)

// maxActorName is the longest actor name, in bytes.
const maxActorName = 100

// actorName trims name and checks it is a display name: 1 to maxActorName bytes of
// jaga.PrintableText, so that actors list, the console and audit views show it as
// written and a name cannot carry a terminal escape sequence. Errors are
// EUNPROCESSABLE naming the field name, saying what is allowed, never the name.
func actorName(name string) (string, error) {
	name = strings.TrimSpace(name)
	const want = "an actor's name is printable text of 1 to 100 bytes (letters, digits, spaces, punctuation)"
	switch {
	case name == "":
		return "", jaga.FieldError("name", "blank; %s", want)
	case !jaga.PrintableText(name):
		return "", jaga.FieldError("name", "holds a control character (newline, tab, escape, …) or is not UTF-8; %s", want)
	case len(name) > maxActorName:
		return "", jaga.FieldError("name", "longer than 100 bytes; %s", want)
	}
	return name, nil
}
