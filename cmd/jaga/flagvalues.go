package main

import (
	"errors"
	"strconv"

	"github.com/spf13/pflag"
)

// flagWant is a flag value's own refusal: what the flag takes, as the flag's name
// completes it ("must be an event sequence number, 0 or more").
type flagWant string

func (w flagWant) Error() string { return string(w) }

// flagValueMessage words a flag value that did not parse as "--NAME must be …" or
// "--NAME: want …", never echoing the value (it could be personal data typed in the
// wrong place) nor a Go parser's text (strconv.ParseInt: parsing "abc": …).
func flagValueMessage(e *pflag.InvalidValueError) string {
	name := "--" + e.GetFlag().Name
	var w flagWant
	if errors.As(e, &w) {
		return name + " " + string(w)
	}
	want := "a valid value"
	switch e.GetFlag().Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		want = "a whole number"
	case "float32", "float64":
		want = "a number"
	case "bool":
		want = "true or false"
	case "duration":
		want = "a duration such as 72h, 30m or 10s"
	}
	return name + ": want " + want
}

// seqFlag is a flag holding an audit event sequence number (0 or more).
type seqFlag int64

const errSeq = flagWant("must be an event sequence number, 0 or more")

func (s *seqFlag) String() string { return strconv.FormatInt(int64(*s), 10) }
func (s *seqFlag) Type() string   { return "SEQ" }
func (s *seqFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return errSeq
	}
	*s = seqFlag(n)
	return nil
}

// usageError is a command line that does not fit the command (missing arguments):
// Main prints msg and hint and exits with status 2, as for cobra's own usage errors.
type usageError struct{ msg, hint string }

func (e usageError) Error() string { return e.msg }
