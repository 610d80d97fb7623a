package gate

import (
	"slices"
	"strings"

	"jaga"
)

// Identifiers are the fields by which a subject is found (look-ups by blind index) and
// signs in to the privacy portal to exercise their rights (UU PDP Arts 5-13): email,
// phone and nik. Intake requires at least one valid value of them, and a subject keeps
// at least one: a change that would remove the last is refused (RemovesLastIdentifier);
// erasure is the way to remove a subject's data entirely.
var Identifiers = []string{"email", "phone", "nik"}

// RemovesLastIdentifier reports which identifier a change would remove last: given the
// identifiers a subject has now (has) and a change that sets the fields of set with a
// non-blank value and removes the fields of remove and those set to a blank value, it
// returns the last field of Identifiers (in that order) that the subject has and the
// change removes, when the change leaves the subject with none; "" when one is left, or
// when the change removes none that the subject has (a subject stored without one
// before this rule is not blocked from other changes).
func RemovesLastIdentifier(has func(field string) bool, set map[string]string, remove []string) string {
	last := ""
	for _, f := range Identifiers {
		v, setting := set[f]
		removing := slices.Contains(remove, f) || setting && strings.TrimSpace(v) == ""
		switch {
		case setting && !removing:
			return "" // a new value keeps it
		case removing:
			if has(f) {
				last = f
			}
		case has(f):
			return "" // untouched, it stays
		}
	}
	return last
}

// LastIdentifierError is the EUNPROCESSABLE error, naming field, for a change that would
// leave a subject without email, phone and nik (RemovesLastIdentifier).
func LastIdentifierError(field string) error {
	return jaga.FieldError(field, "a subject keeps at least one of email, phone or nik, by which they are found and sign in to the privacy portal; "+
		"give a new value, or remove all of the subject's data by erasure")
}
