package normalize

import (
	"strings"
)

// Answer is a yes/no value read from a form or spreadsheet column, with a third state
// for no answer at all.
type Answer int

// The three states of an Answer. AnswerAbsent is the zero value.
const (
	AnswerAbsent Answer = iota // blank: nothing was answered
	AnswerYes
	AnswerNo
)

// String returns "absent", "yes" or "no".
func (a Answer) String() string {
	switch a {
	case AnswerYes:
		return "yes"
	case AnswerNo:
		return "no"
	}
	return "absent"
}

// YesNo reads a yes/no answer such as a consent column ("Setuju Penawaran (Y/T)"),
// trimmed and case-insensitively: Y, Ya, Yes, 1, true → AnswerYes; T, Tidak, N, No, 0,
// false → AnswerNo; blank (empty or white space only) → AnswerAbsent. T is Tidak (no), as
// on Indonesian forms, never "true". What an answer means for consent is the caller's
// rule (DESIGN.md: a T or N is recorded as refused, a blank records nothing).
//
// Errors (EUNPROCESSABLE, Field "consent", Reason "consent_invalid"): anything else
// (a tick mark, "Y/T", "maybe"), never guessed.
func YesNo(raw string) (Answer, error) {
	s := strings.TrimSpace(raw)
	if len(s) > 8 {
		return AnswerAbsent, yesNoErr()
	}
	switch strings.ToLower(s) {
	case "":
		return AnswerAbsent, nil
	case "y", "ya", "yes", "1", "true":
		return AnswerYes, nil
	case "t", "tidak", "n", "no", "0", "false":
		return AnswerNo, nil
	}
	return AnswerAbsent, yesNoErr()
}

func yesNoErr() error {
	return failReason("consent", "consent_invalid", "consent answer must be Y/Ya/Yes/1/true, T/Tidak/N/No/0/false or blank")
}
