package pii

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mode is how Redact replaces a finding.
type Mode uint8

// The redaction modes.
const (
	// Mask replaces every letter and digit by "•" and keeps separators and length
	// in runes ("0812-3456-7890" → "••••-••••-••••").
	Mask Mode = iota + 1
	// Label replaces the finding by its kind in brackets ("[NIK]", "[EMAIL]").
	Label
	// Token replaces the finding by a Jaga token from Redaction.Tokenizer, which an
	// authorised actor can resolve through the gate (DESIGN.md: tokens are random and
	// stored as blind index → subject).
	Token
)

// ParseMode parses "mask", "label" or "token".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "mask":
		return Mask, nil
	case "label":
		return Label, nil
	case "token":
		return Token, nil
	}
	return 0, fmt.Errorf("unknown redaction mode %q (mask, label or token)", s)
}

// Tokenizer turns a found value into a Jaga token. The gate implements it: it records
// the value under a random token (sealed, blind-indexed, audited) so that an actor
// with a purpose that allows it can resolve the token later. Tokenize must return
// valid UTF-8 without the value in it, and its errors must not contain the value
// (invariant 6).
type Tokenizer interface {
	Tokenize(ctx context.Context, kind Kind, value []byte) (string, error)
}

// Redaction says how to redact: the mode, and for Token the Tokenizer.
type Redaction struct {
	Mode      Mode
	Tokenizer Tokenizer
}

// replacement returns what replaces value.
func (rd Redaction) replacement(ctx context.Context, k Kind, value []byte) (string, error) {
	switch rd.Mode {
	case Mask:
		var b strings.Builder
		for len(value) > 0 {
			r, n := utf8.DecodeRune(value)
			switch {
			case r == utf8.RuneError && n <= 1:
				b.WriteString("•") // an invalid byte: masked, never copied
			case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
				b.WriteString("•")
			default:
				b.WriteRune(r)
			}
			value = value[n:]
		}
		return b.String(), nil
	case Label:
		return "[" + strings.ToUpper(k.String()) + "]", nil
	case Token:
		if rd.Tokenizer == nil {
			return "", errors.New("pii: token redaction without a Tokenizer")
		}
		tok, err := rd.Tokenizer.Tokenize(ctx, k, value)
		if err != nil {
			return "", fmt.Errorf("pii: tokenizing a %s: %w", k, err)
		}
		if !utf8.ValidString(tok) {
			return "", fmt.Errorf("pii: the tokenizer returned invalid UTF-8 for a %s", k)
		}
		return tok, nil
	}
	return "", fmt.Errorf("pii: unknown redaction mode %d", rd.Mode)
}

// Redact returns text with each finding replaced as rd says. findings must be sorted
// by Start, not overlap and lie inside text (as Scan returns them); otherwise Redact
// returns an error naming the finding's index.
func Redact(ctx context.Context, text []byte, findings []Finding, rd Redaction) ([]byte, error) {
	out := make([]byte, 0, len(text))
	var at int64
	for i, f := range findings {
		if f.Start < at || f.End < f.Start || f.End > int64(len(text)) {
			return nil, fmt.Errorf("pii: finding %d [%d,%d) is out of order or outside the text of %d bytes", i, f.Start, f.End, len(text))
		}
		rep, err := rd.replacement(ctx, f.Kind, text[f.Start:f.End])
		if err != nil {
			return nil, err
		}
		out = append(out, text[at:f.Start]...)
		out = append(out, rep...)
		at = f.End
	}
	return append(out, text[at:]...), nil
}

// RedactReader copies r to w with every finding replaced as rd says, in a bounded
// window like ScanReader, and returns the number of findings per kind.
func (s *Scanner) RedactReader(ctx context.Context, r io.Reader, w io.Writer, rd Redaction) (map[Kind]int, error) {
	counts := map[Kind]int{}
	var pend []byte // input not yet written, from offset off
	var off int64
	tee := io.TeeReader(r, writerFunc(func(p []byte) { pend = append(pend, p...) }))
	writeTo := func(upTo int64) error {
		n := int(upTo - off)
		if n <= 0 {
			return nil
		}
		if _, err := w.Write(pend[:n]); err != nil {
			return err
		}
		pend = pend[:copy(pend, pend[n:])]
		off = upTo
		return nil
	}
	err := s.scanStream(tee, func(f Finding) error {
		if err := writeTo(f.Start); err != nil {
			return err
		}
		rep, err := rd.replacement(ctx, f.Kind, pend[:f.End-off])
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, rep); err != nil {
			return err
		}
		pend = pend[:copy(pend, pend[f.End-off:])]
		off = f.End
		counts[f.Kind]++
		return nil
	}, writeTo)
	if err != nil {
		return nil, err
	}
	return counts, writeTo(off + int64(len(pend)))
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
