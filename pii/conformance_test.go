package pii

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"jaga/normalize"
)

// conformanceKinds maps a conformance file to the kind it tests. Presidio tests one
// recogniser at a time, so each file runs a scanner limited to that kind (a URL around
// an IP literal would otherwise win the span from the IP).
var conformanceKinds = map[string]Kind{
	"presidio_email.jsonl":        Email,
	"presidio_credit_card.jsonl":  Card,
	"presidio_url.jsonl":          URL,
	"presidio_ip_address.jsonl":   IP,
	"presidio_phone.jsonl":        Phone,
	"python_stdnum_id_nik.jsonl":  NIK,
	"python_stdnum_id_npwp.jsonl": NPWP,
}

// mustPass are the files that must pass completely, apart from the differences listed
// in knownDifferences (issue 8, must-show 1).
var mustPass = map[string]bool{
	"presidio_email.jsonl": true, "presidio_credit_card.jsonl": true, "presidio_url.jsonl": true,
	"presidio_ip_address.jsonl": true, "python_stdnum_id_nik.jsonl": true, "python_stdnum_id_npwp.jsonl": true,
}

// minPass is the floor of passing cases for the files that need not pass completely.
// Presidio's phone cases are mostly national numbers of other countries written
// without "+" ("(415) 555-0132", "09-7625400"): Jaga reads a number without a country
// code as Indonesian (its contact rules are Indonesian, DESIGN.md), so it finds the
// "+"-prefixed international ones only.
var minPass = map[string]int{"presidio_phone.jsonl": 4}

// knownDifferences are the cases where Jaga deliberately answers differently from the
// upstream test, keyed by file and text, with the reason.
var knownDifferences = map[string]string{
	// Presidio's URL regex takes the quotes around a quoted URL into the span; a quote
	// is not part of a URL (RFC 3986 appendix C: quotes delimit URIs in text), so Jaga
	// reports the URL without them and redaction leaves the quotes in place.
	`presidio_url.jsonl|"https://presidio.dataprivacystack.org/"`: "span without the quotes",
	`presidio_url.jsonl|'https://presidio.dataprivacystack.org/'`: "span without the quotes",
}

type confCase struct {
	Text     string          `json:"text"`
	Expected json.RawMessage `json:"expected"`
	Mode     string          `json:"mode"`
	Meta     map[string]any  `json:"meta"`
}

type confSpan struct {
	Type       string `json:"type"`
	Start, End int
	Value      string `json:"value"`
}

// TestConformance runs the cases taken from Presidio's and python-stdnum's test suites
// (../shared/data/conformance, see its SOURCES.md) and reports a score per file.
func TestConformance(t *testing.T) {
	files := make([]string, 0, len(conformanceKinds))
	for f := range conformanceKinds {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(file, ".jsonl"), func(t *testing.T) {
			path := sharedFile(t, "conformance/"+file)
			kind := conformanceKinds[file]
			sc := MustScanner(Options{Kinds: []Kind{kind}})
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var pass, fail, known, skipped int
			sn := bufio.NewScanner(f)
			sn.Buffer(nil, 1<<20)
			for line := 1; sn.Scan(); line++ {
				var c confCase
				if err := json.Unmarshal(sn.Bytes(), &c); err != nil {
					t.Fatalf("%s:%d: %v", file, line, err)
				}
				ok, why, skip := runConformance(sc, kind, c)
				reason, isKnown := knownDifferences[file+"|"+c.Text]
				switch {
				case skip:
					skipped++
				case ok && isKnown:
					t.Errorf("%s:%d: listed as a known difference (%s) but now passes; remove it", file, line, reason)
				case ok:
					pass++
				case isKnown:
					known++
				default:
					fail++
					if mustPass[file] {
						t.Errorf("%s:%d: %s", file, line, why)
					} else {
						t.Logf("%s:%d: %s", file, line, why)
					}
				}
			}
			if err := sn.Err(); err != nil {
				t.Fatal(err)
			}
			if pass < minPass[file] {
				t.Errorf("%s: %d cases pass, floor %d", file, pass, minPass[file])
			}
			t.Logf("SCORE %-28s pass %3d  fail %3d  known-difference %d  not-applicable %d", file, pass, fail, known, skipped)
		})
	}
}

// runConformance checks one case; skip is true for "attribute" cases Jaga has no
// counterpart for.
func runConformance(sc *Scanner, kind Kind, c confCase) (ok bool, why string, skip bool) {
	switch c.Mode {
	case "validate":
		var exp []confSpan
		if err := json.Unmarshal(c.Expected, &exp); err != nil {
			return false, err.Error(), false
		}
		var got bool
		switch kind {
		case NIK:
			got = ValidNIK(c.Text)
		case NPWP:
			got = ValidNPWP(c.Text)
		default:
			return false, "", true
		}
		if got != (len(exp) > 0) {
			return false, fmt.Sprintf("valid = %v, upstream %v", got, len(exp) > 0), false
		}
		return true, "", false
	case "attribute":
		if call, _ := c.Meta["call"].(string); call == "nik.get_birth_date" {
			want, _ := c.Meta["want"].(string)
			b, _, err := normalize.NIKBirthDateAt(c.Text, 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			got := "error"
			if err == nil {
				got = fmt.Sprintf("datetime.date(%d, %d, %d)", b.Year(), int(b.Month()), b.Day())
			}
			if strings.HasPrefix(want, "Traceback") {
				want = "error"
			}
			return got == want, fmt.Sprintf("birth date %s, upstream %s", got, want), false
		}
		return false, "", true // NPWP formatting: not a detection question
	}
	var exp []confSpan
	if err := json.Unmarshal(c.Expected, &exp); err != nil {
		return false, err.Error(), false
	}
	found := sc.Scan([]byte(c.Text))
	if inc, _ := c.Meta["spans_incomplete"].(bool); inc {
		n, _ := c.Meta["expected_count"].(float64)
		return len(found) == int(n), fmt.Sprintf("%d findings, upstream counts %d", len(found), int(n)), false
	}
	want := map[[2]int]bool{}
	for _, s := range exp {
		want[[2]int{byteOffset(c.Text, s.Start), byteOffset(c.Text, s.End)}] = true
	}
	got := map[[2]int]bool{}
	for _, f := range found {
		got[[2]int{int(f.Start), int(f.End)}] = true
	}
	for k := range want {
		if !got[k] {
			return false, fmt.Sprintf("missed %s at [%d,%d) in %q", kind, k[0], k[1], c.Text), false
		}
	}
	for k := range got {
		if !want[k] {
			return false, fmt.Sprintf("extra %s %q in %q", kind, c.Text[k[0]:k[1]], c.Text), false
		}
	}
	return true, "", false
}

// byteOffset converts a code-point offset (the fixtures count like Python) to bytes.
func byteOffset(s string, cp int) int {
	b := 0
	for i := 0; i < cp && b < len(s); i++ {
		_, n := utf8.DecodeRuneInString(s[b:])
		b += n
	}
	return b
}
