package pii

import (
	"encoding/binary"
	"errors"
	"io"
)

// Options select what a Scanner reports.
type Options struct {
	// Kinds limits the report to these kinds; nil means every identifier kind
	// (IdentifierKinds), plus Person, Place and Address when Names is set.
	Kinds []Kind
	// Names turns on the person-name, place and address detector (slower than the
	// identifier pass; see the package benchmarks).
	Names bool
}

// Scanner finds personal data. It holds no state between calls and is safe for
// concurrent use.
type Scanner struct {
	want  [numKinds]bool
	names bool // run the name/place/address pass
}

// NewScanner returns a Scanner for o. It fails on a kind outside Kinds, or on Person,
// Place or Address without Names.
func NewScanner(o Options) (*Scanner, error) {
	s := &Scanner{names: o.Names}
	kinds := o.Kinds
	if kinds == nil {
		kinds = IdentifierKinds
		if o.Names {
			kinds = Kinds
		}
	}
	for _, k := range kinds {
		if k == 0 || k >= numKinds {
			return nil, errors.New("pii: unknown kind " + k.String())
		}
		if (k == Person || k == Place || k == Address) && !o.Names {
			return nil, errors.New("pii: kind " + k.String() + " needs Options.Names")
		}
		s.want[k] = true
	}
	return s, nil
}

// MustScanner is NewScanner for options known to be valid; it panics on an error.
func MustScanner(o Options) *Scanner {
	s, err := NewScanner(o)
	if err != nil {
		panic(err)
	}
	return s
}

// Scan returns the findings in text in order of Start, overlapping candidates resolved
// to one finding per span (the more confident, then the longer). Offsets are byte
// offsets into text.
func (s *Scanner) Scan(text []byte) []Finding {
	st := state{s: s, buf: text}
	st.run(0, len(text))
	if s.names {
		st.namesPass(0, len(text))
	}
	return st.out
}

// Window sizes of ScanReader: the bytes kept before the scan position (context words,
// e-mail local parts and IPv6 run back at most lookBehind bytes) and after the scan
// limit (no candidate reaches further forward than lookAhead bytes: URLs are capped at
// maxURL).
const (
	lookBehind = 512
	lookAhead  = 4096
	chunkSize  = 256 << 10
)

// ScanReader scans r as one text with memory bounded by a fixed window (about 260 KiB
// whatever the input size; matches that cross a read boundary are found because the
// window keeps lookBehind bytes before and lookAhead bytes after the scan position). fn
// receives the findings in order of Start with offsets from the start of r; an error
// from fn or r (other than io.EOF) stops the scan and is returned.
func (s *Scanner) ScanReader(r io.Reader, fn func(Finding) error) error {
	return s.scanStream(r, fn, nil)
}

// scanStream is ScanReader; done, if not nil, is called after each window with an
// offset before which no finding will start any more (the input there may be written
// out), and with the input's length at the end.
func (s *Scanner) scanStream(r io.Reader, fn func(Finding) error, done func(upTo int64) error) error {
	st := state{s: s, buf: make([]byte, 0, chunkSize+lookAhead+lookBehind)}
	pos := 0 // scan position in buf
	eof := false
	for !eof {
		// Fill the buffer.
		for len(st.buf) < cap(st.buf) && !eof {
			n, err := r.Read(st.buf[len(st.buf):cap(st.buf)])
			st.buf = st.buf[:len(st.buf)+n]
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		limit := len(st.buf)
		if !eof {
			limit -= lookAhead
		}
		if pos < limit {
			end := st.run(pos, limit)
			if s.names {
				st.namesPass(pos, limit)
			}
			pos = max(end, limit)
		}
		// Hand out the findings no later candidate can overlap.
		safe := st.base + int64(pos) - lookBehind
		if eof {
			safe = 1 << 62
		}
		n := 0
		for n < len(st.out) && st.out[n].End <= safe {
			if err := fn(st.out[n]); err != nil {
				return err
			}
			n++
		}
		st.out = append(st.out[:0], st.out[n:]...)
		if done != nil {
			upTo := min(safe, st.base+int64(len(st.buf)))
			if len(st.out) > 0 {
				upTo = min(upTo, st.out[0].Start)
			}
			if err := done(upTo); err != nil {
				return err
			}
		}
		if eof {
			break
		}
		// Slide the window, keeping lookBehind bytes before pos.
		drop := min(pos, limit) - lookBehind
		if drop > 0 {
			copy(st.buf, st.buf[drop:])
			st.buf = st.buf[:len(st.buf)-drop]
			st.base += int64(drop)
			pos -= drop
		}
	}
	return nil
}

// state is one scan over a window of the input.
type state struct {
	s    *Scanner
	buf  []byte
	base int64     // offset of buf[0] in the input
	out  []Finding // findings so far, sorted by Start, not overlapping

	digits  [24]byte // digits of the number being classified
	cx      ctx      // context of the number being classified, read once (haveCtx)
	haveCtx bool
}

// emit adds a finding for buf[start:end], resolving overlaps with the findings before
// it: the more confident wins, then the longer, then the earlier.
func (st *state) emit(k Kind, start, end int, conf float64, validator, context string) {
	if !st.s.want[k] || start >= end {
		return
	}
	f := Finding{Kind: k, Start: st.base + int64(start), End: st.base + int64(end), Confidence: conf,
		Evidence: Evidence{Validator: validator, Context: context}}
	out := st.out
	// Insertion point: after every finding that starts at or before f (candidates
	// arrive almost in order; an e-mail's local part and the name pass run back).
	i := len(out)
	for i > 0 && out[i-1].Start > f.Start {
		i--
	}
	// out never overlaps itself, so only out[i-1] can cover f's start; any number of
	// later findings can start inside f.
	lo, hi := i, i
	if i > 0 && out[i-1].End > f.Start {
		lo = i - 1
	}
	for hi < len(out) && out[hi].Start < f.End {
		hi++
	}
	for j := lo; j < hi; j++ {
		if better(out[j], f) {
			return
		}
	}
	if lo == hi {
		out = append(out, Finding{})
		copy(out[lo+1:], out[lo:])
	} else {
		out = append(out[:lo+1], out[hi:]...)
	}
	out[lo] = f
	st.out = out
}

// better reports whether a beats b for the same span.
func better(a, b Finding) bool {
	if a.Confidence != b.Confidence {
		return a.Confidence > b.Confidence
	}
	if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
		return la > lb
	}
	return a.Start <= b.Start
}

// Byte classes of the identifier pass: what may start a candidate.
const (
	cNone = iota
	cDigit
	cAt
	cColon
	cDot
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	_ = t[255]
	t['@'] = cAt
	t[':'] = cColon
	t['.'] = cDot
	return t
}()

// SWAR constants (bit twiddling on eight bytes at once).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// between reports, for each byte b of x, whether m < b < n (m, n <= 128), as the high
// bit of that byte ("Determine if a word has a byte between m and n", Sean Eron
// Anderson, Bit Twiddling Hacks). Bytes >= 0x80 never match.
func between(x uint64, m, n uint64) uint64 {
	return (ones*(127+n) - (x & (ones * 127))) & ^x & ((x & (ones * 127)) + ones*(127-m)) & highs
}

// mayStart reports whether one of the eight bytes in x could be of a class other
// than cNone: '.', '/', a digit or ':' (0x2E-0x3A), or '@'. ('/' is a false alarm the
// byte loop then skips.)
func mayStart(x uint64) bool {
	return between(x, 0x2D, 0x3B)|between(x, 0x3F, 0x41) != 0
}

// run scans candidate starts in buf[from:limit) and returns the position after the last
// candidate it consumed (which may lie beyond limit).
func (st *state) run(from, limit int) int {
	buf := st.buf
	i := from
	for i < limit {
		// Eight bytes at a time while none can start a candidate (most text).
		for i+8 <= limit && !mayStart(binary.LittleEndian.Uint64(buf[i:])) {
			i += 8
		}
		if i >= limit {
			break
		}
		c := class[buf[i]]
		if c == cNone {
			i++
			continue
		}
		var next int
		switch c {
		case cDigit:
			next = st.number(i)
		case cAt:
			next = st.email(i)
		case cColon:
			next = st.colon(i)
		case cDot:
			next = st.dot(i)
		}
		if next <= i {
			next = i + 1
		}
		i = next
	}
	return i
}
