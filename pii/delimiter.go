package pii

// delimiterCandidates are the delimiters SniffDelimiter chooses from, in the order that
// breaks a tie.
var delimiterCandidates = [...]byte{',', ';', '\t', '|'}

// SniffRecords is how many records at the head of a file SniffDelimiter reads (20).
const SniffRecords = 20

// SniffDelimiter detects the field delimiter of a CSV file from its head (the first
// bytes, up to SniffHead, in UTF-8 or another ASCII-compatible encoding: decode UTF-16
// first, pii.DecodeHead; a leading UTF-8 byte-order mark is skipped). It returns one of
// ',' (comma), ';' (semicolon), '\t' (tab) or '|' (pipe), never anything else, and ','
// for an empty head or a file of one column.
//
// For each candidate it splits the first SniffRecords records as a CSV reader would
// with that delimiter — RFC 4180 §2 quoting: a field that starts with '"' runs to the
// next '"' that is followed by the delimiter or a line end, holding delimiters, line
// breaks and doubled quotes ("") meanwhile; a '"' inside an unquoted field is a plain
// character; empty lines are skipped; a CR before LF ends the line with it — so that a
// comma inside a quoted cell of a semicolon file, or a quoted address spanning lines,
// is not counted. The last record is left out when the head does not end with a line
// break and holds other records (it may be cut off). A candidate counts only if its
// most common field count (the modal count) is above 1. Among those it prefers, in
// this order: the one whose every record has the modal count (a consistent field
// count); the larger share of records with the modal count; more records read (a
// delimiter that misreads quotes swallows lines into a quoted field that never closes);
// the larger modal count (the delimiter that occurs most); the candidate order above. One exception: when
// the choice is comma, every comma in those records stands between two digits and
// semicolon splits every record into the same count above 1, the commas are decimal
// commas and semicolon is returned (Excel writes ';' as the list separator in locales
// with a decimal comma, Indonesian among them).
func SniffDelimiter(head []byte) rune {
	if len(head) >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf {
		head = head[3:]
	}
	best := -1
	var stats [len(delimiterCandidates)]delimStats
	for i, d := range delimiterCandidates {
		stats[i] = countFields(head, d, SniffRecords)
		if stats[i].mode > 1 && (best < 0 || stats[i].better(stats[best])) {
			best = i
		}
	}
	switch {
	case best < 0:
		return ','
	case delimiterCandidates[best] == ',' && stats[0].decimal == stats[0].delims &&
		stats[1].mode > 1 && stats[1].consistent():
		return ';'
	}
	return rune(delimiterCandidates[best])
}

// delimStats is how one candidate delimiter splits the head's first records.
type delimStats struct {
	records int // records read
	mode    int // the most common number of fields per record (the larger on a tie)
	agree   int // records with mode fields
	delims  int // delimiters outside quotes in those records
	decimal int // of them, those between two ASCII digits
}

func (s delimStats) consistent() bool { return s.agree == s.records }

// better reports whether s is a better choice than t (both with mode > 1).
func (s delimStats) better(t delimStats) bool {
	if s.consistent() != t.consistent() {
		return s.consistent()
	}
	if a, b := s.agree*t.records, t.agree*s.records; a != b {
		return a > b
	}
	if s.records != t.records {
		return s.records > t.records
	}
	return s.mode > t.mode
}

// countFields splits up to max records of head with delimiter d (see SniffDelimiter)
// and counts their fields.
func countFields(head []byte, d byte, max int) delimStats {
	var counts []int
	var delims, decimal []int
	i := 0
	cut := false
	for i < len(head) && len(counts) < max {
		if head[i] == '\n' {
			i++
			continue
		}
		if head[i] == '\r' && i+1 < len(head) && head[i+1] == '\n' {
			i += 2
			continue
		}
		fields, n, dec := 1, 0, 0
		start, inQ, ended := true, false, false
		for i < len(head) && !ended {
			c := head[i]
			switch {
			case inQ:
				if c == '"' {
					if i+1 < len(head) && head[i+1] == '"' {
						i++
					} else if j := i + 1; j == len(head) || head[j] == d || head[j] == '\n' ||
						head[j] == '\r' && (j+1 == len(head) || head[j+1] == '\n') {
						inQ = false
					}
				}
			case c == d:
				fields++
				n++
				if i > 0 && isDigit(head[i-1]) && i+1 < len(head) && isDigit(head[i+1]) {
					dec++
				}
				start = true
				i++
				continue
			case c == '\n':
				ended = true
			case c == '"' && start:
				inQ = true
			}
			start = false
			i++
		}
		if !ended {
			cut = true
		}
		counts = append(counts, fields)
		delims = append(delims, n)
		decimal = append(decimal, dec)
	}
	if cut && len(counts) > 1 {
		counts, delims, decimal = counts[:len(counts)-1], delims[:len(delims)-1], decimal[:len(decimal)-1]
	}
	s := delimStats{records: len(counts)}
	freq := map[int]int{}
	for k, c := range counts {
		freq[c]++
		s.delims += delims[k]
		s.decimal += decimal[k]
	}
	for c, f := range freq {
		if f > s.agree || f == s.agree && c > s.mode {
			s.mode, s.agree = c, f
		}
	}
	return s
}
