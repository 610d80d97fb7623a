package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jaga"
	"jaga/gate"
	"jaga/normalize"
)

// Kind is what a file holds.
type Kind string

// File kinds.
const (
	KindSubjects  Kind = "subjects"
	KindPurchases Kind = "purchases"
)

// Options control an import. Actor and Purpose name who imports and why (default
// purpose service_provision: every imported customer has it). Source namespaces row
// keys (default "crm"): the same source ID in the same source is the same customer.
type Options struct {
	Kind            Kind
	Mapping         *Mapping
	Channel         jaga.Channel // for rows without a channel column (default import)
	Source          string
	Actor           *jaga.Actor
	Purpose         string
	BatchSize       int  // rows per transaction (default 20,000)
	StopOnError     bool // stop at the first bad row instead of reporting it and going on
	DeriveBirthDate bool // fill a missing birth_date from the NIK and year_birth
	Progress        func(done, total int64)
}

// LineError is one row that was not imported: where (file, line, column header and
// number) and why, never the value.
type LineError struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	Header string `json:"header,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Error formats "file:line:column: column "H" (field F): reason".
func (e LineError) Error() string {
	loc := fmt.Sprintf("%s:%d", e.File, e.Line)
	if e.Column > 0 {
		loc += ":" + strconv.Itoa(e.Column)
	}
	switch {
	case e.Header != "" && e.Field != "" && e.Header != e.Field:
		return fmt.Sprintf("%s: column %q (field %s): %s", loc, e.Header, e.Field, e.Reason)
	case e.Header != "":
		return fmt.Sprintf("%s: column %q: %s", loc, e.Header, e.Reason)
	}
	return fmt.Sprintf("%s: %s", loc, e.Reason)
}

// Report is what an import did: rows read, subjects created, rows already imported,
// purchases stored, rows skipped because their customer was erased, failed rows (each
// in Errors) and what was detected about the file.
type Report struct {
	File     string        `json:"file"`
	Kind     Kind          `json:"kind"`
	Detected string        `json:"detected"`
	Rows     int           `json:"rows"`
	Created  int           `json:"created"`
	Existing int           `json:"existing"`
	Erased   int           `json:"erased,omitempty"`
	Failed   int           `json:"failed"`
	Errors   []LineError   `json:"errors,omitempty"`
	Stopped  bool          `json:"stopped,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// ErrRowsFailed is returned (wrapped) by ImportFile when StopOnError is set and a row
// failed.
var ErrRowsFailed = errors.New("import stopped at a bad row")

// ImportFile imports one CSV file. The delimiter (comma, semicolon or tab) is detected
// from the header line and reported in Report.Detected; a UTF-8 byte-order mark is
// skipped. Errors: a file that cannot be read, a header that maps no usable column, or
// storage failures; bad rows are reported, not returned.
func ImportFile(ctx context.Context, g *gate.Gate, path string, opts Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return Import(ctx, g, filepath.Base(path), f, st.Size(), opts)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Import imports CSV from r; name is the file name used in errors and row keys, size
// its length for progress (0 if unknown).
func Import(ctx context.Context, g *gate.Gate, name string, r io.Reader, size int64, opts Options) (*Report, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		// Large transactions: blind indexes and import keys have random keys, so each
		// insert dirties its own B-tree page; the more rows per commit, the more of
		// them share a page (the store measured 10.8k subjects/s at 1M with 2,000 per
		// transaction, 25.7k/s with 20,000).
		opts.BatchSize = 20000
	}
	if opts.Source == "" {
		opts.Source = "crm"
	}
	if opts.Purpose == "" {
		opts.Purpose = jaga.PurposeServiceProvision
	}
	if opts.Channel == "" {
		opts.Channel = jaga.ChannelImport
	}
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 1<<16)
	head, _ := br.Peek(4096)
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	bom := len(head) > 0 && bytes.HasPrefix(mustPeek(br, 3), []byte("\xef\xbb\xbf"))
	if bom {
		br.Discard(3)
	}
	comma := detectComma(head)
	rep := &Report{File: name, Detected: fmt.Sprintf("UTF-8%s, delimiter %s", map[bool]string{true: " with BOM", false: ""}[bom], commaName(comma))}
	cr2 := csv.NewReader(br)
	cr2.Comma = comma
	cr2.FieldsPerRecord = -1
	cr2.ReuseRecord = false
	header, err := cr2.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file", name)
	} else if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	targets, err := mapHeader(g.Schema(), name, header, opts)
	if err != nil {
		return nil, err
	}
	kind := opts.Kind
	if kind == "" {
		kind = KindSubjects
		for _, t := range targets {
			if t.Kind == TargetCustomer {
				kind = KindPurchases
			}
		}
	}
	rep.Kind = kind
	im := &run{g: g, name: name, header: header, targets: targets, opts: opts, rep: rep, ctx: ctx}
	if err := im.check(kind); err != nil {
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rec, err := cr2.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			im.fail(LineError{File: name, Line: pe.Line, Column: pe.Column, Reason: "CSV: " + pe.Err.Error()})
			if opts.StopOnError {
				break
			}
			continue
		} else if err != nil {
			return rep, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr2.FieldPos(0)
		rep.Rows++
		if err := im.add(line, rec); err != nil {
			return rep, err
		}
		if rep.Stopped {
			break
		}
		if opts.Progress != nil && rep.Rows%1000 == 0 {
			opts.Progress(cr.n, size)
		}
	}
	if !rep.Stopped {
		if err := im.flush(); err != nil {
			return rep, err
		}
	}
	if err := im.wait(); err != nil {
		return rep, err
	}
	if opts.Progress != nil {
		opts.Progress(size, size)
	}
	// Batches finish in any order; report bad rows in file order.
	slices.SortStableFunc(rep.Errors, func(a, b LineError) int { return cmp.Compare(a.Line, b.Line) })
	rep.Duration = time.Since(start)
	if rep.Stopped {
		return rep, fmt.Errorf("%s: %w", name, ErrRowsFailed)
	}
	return rep, nil
}

func mustPeek(br *bufio.Reader, n int) []byte {
	b, _ := br.Peek(n)
	return b
}

// detectComma picks the delimiter that occurs most in the first line among comma,
// semicolon and tab (outside quotes).
func detectComma(head []byte) rune {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	best, bestN := ',', -1
	for _, c := range []rune{',', ';', '\t'} {
		n, inQ := 0, false
		for _, b := range line {
			if b == '"' {
				inQ = !inQ
			} else if !inQ && rune(b) == c {
				n++
			}
		}
		if n > bestN {
			best, bestN = c, n
		}
	}
	return best
}

func commaName(c rune) string {
	switch c {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

// mapHeader gives each column a target from the mapping or a guess. A column nothing
// fits is an error naming it, so that no column is dropped silently; map it to ignore
// to skip it.
func mapHeader(schema *jaga.Schema, name string, header []string, opts Options) ([]Target, error) {
	targets := make([]Target, len(header))
	seen := map[string]int{}
	var unknown []string
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%s:1:%d: header is not valid UTF-8", name, i+1)
		}
		t, ok := Target{}, false
		if opts.Mapping != nil {
			t, ok = opts.Mapping.Columns[headerKey(h)]
		}
		if !ok {
			t, ok = GuessTarget(schema, h)
		}
		if !ok {
			// Column numbers only: in a file without a header row the first row is
			// customer data ("Siti Rahayu" looks like a header too), and must not be
			// echoed.
			unknown = append(unknown, strconv.Itoa(i+1))
			continue
		}
		if t.Kind == TargetField {
			if _, known := schema.Field(t.Name); !known {
				return nil, fmt.Errorf("%s:1:%d: column %q maps to unknown field %s", name, i+1, h, t.Name)
			}
		}
		if t.Kind != TargetIgnore {
			if j, dup := seen[t.String()]; dup {
				return nil, fmt.Errorf("%s:1:%d: column %q maps to %s, as column %d does", name, i+1, h, t, j)
			}
			seen[t.String()] = i + 1
		}
		targets[i] = t
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s:1: no field for column %s (headers are not shown, in case the first row is data); the first row must be a header, and a header no field matches needs a mapping file (--mapping) entry, or ignore", name, strings.Join(unknown, ", "))
	}
	return targets, nil
}

// run is one import in progress: rows collect into batches that go to the gate, at most
// three batches in flight so that parsing and sealing overlap committing.
type run struct {
	ctx     context.Context
	g       *gate.Gate
	name    string
	header  []string
	targets []Target
	opts    Options
	rep     *Report

	subjects  []gate.ImportRow
	purchases []gate.PurchaseRow
	lines     []int
	inflight  chan batchResult
	pending   int
}

type batchResult struct {
	lines []int
	subj  *gate.ImportResult
	purch *gate.PurchaseResult
	err   error
}

func (im *run) check(kind Kind) error {
	has := map[TargetKind]bool{}
	for _, t := range im.targets {
		has[t.Kind] = true
	}
	if kind == KindPurchases && !has[TargetCustomer] {
		return fmt.Errorf("%s: a purchase file needs a customer_source_id column", im.name)
	}
	if kind == KindSubjects && !has[TargetField] {
		return fmt.Errorf("%s: no column maps to a field", im.name)
	}
	im.inflight = make(chan batchResult, 3)
	return nil
}

func (im *run) fail(e LineError) {
	im.rep.Failed++
	if len(im.rep.Errors) < 10000 {
		im.rep.Errors = append(im.rep.Errors, e)
	}
	if im.opts.StopOnError {
		im.rep.Stopped = true
	}
}

func (im *run) column(field string) (int, string) {
	for i, t := range im.targets {
		if (t.Kind == TargetField || t.Kind == TargetConsent || t.Kind == TargetPurchase) && t.Name == field ||
			string(t.Kind) == field {
			return i + 1, im.header[i]
		}
	}
	return 0, ""
}

// add turns one record into a row of the current batch.
func (im *run) add(line int, rec []string) error {
	if len(rec) != len(im.header) {
		im.fail(LineError{File: im.name, Line: line, Reason: fmt.Sprintf("row has %d columns; the header has %d", len(rec), len(im.header))})
		return nil
	}
	if im.rep.Kind == KindPurchases {
		return im.addPurchase(line, rec)
	}
	row := gate.ImportRow{Values: make(map[string]string, len(rec)), Channel: im.opts.Channel}
	var evidence string
	type consentCell struct {
		purpose string
		status  jaga.ConsentStatus
	}
	var consents []consentCell
	for i, t := range im.targets {
		v := rec[i]
		switch t.Kind {
		case TargetField:
			row.Values[t.Name] = v
		case TargetConsent:
			st, ok, err := yesNo(v)
			if err != nil {
				im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: err.Error()})
				return nil
			}
			if ok {
				consents = append(consents, consentCell{t.Name, st})
			}
		case TargetEvidence:
			evidence = strings.TrimSpace(v)
		case TargetChannel:
			if v = strings.TrimSpace(v); v != "" {
				if !jaga.Channel(v).Valid() {
					im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: "unknown channel"})
					return nil
				}
				row.Channel = jaga.Channel(v)
			}
		case TargetCollectedAt:
			if v = strings.TrimSpace(v); v != "" {
				at, err := time.Parse(time.RFC3339, v)
				if err != nil {
					im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: "collected_at must be an RFC 3339 time with zone"})
					return nil
				}
				row.CollectedAt = at.UTC()
			}
		case TargetSourceID:
			if v = strings.TrimSpace(v); v != "" {
				row.Key = []string{im.opts.Source, "source_id", v}
			}
		}
	}
	if row.Key == nil {
		row.Key = []string{im.opts.Source, "file", im.name, strconv.Itoa(line)}
	}
	for _, c := range consents {
		in := gate.ConsentInput{Purpose: c.purpose, Status: c.status, Evidence: evidence, At: row.CollectedAt}
		if strings.HasPrefix(evidence, "notice-") {
			in.NoticeVersion = evidence
		}
		row.Consents = append(row.Consents, in)
	}
	if im.opts.DeriveBirthDate && strings.TrimSpace(row.Values["birth_date"]) == "" && strings.TrimSpace(row.Values["nik"]) != "" {
		if nik, err := normalize.NIK(row.Values["nik"]); err == nil {
			year, _ := strconv.Atoi(strings.TrimSpace(row.Values["year_birth"]))
			if bd, _, err := normalize.NIKBirthDate(nik, year); err == nil {
				row.Values["birth_date"] = bd.Format("2006-01-02")
			}
		}
	}
	im.subjects = append(im.subjects, row)
	im.lines = append(im.lines, line)
	if len(im.subjects) >= im.opts.BatchSize {
		return im.flush()
	}
	return nil
}

func (im *run) addPurchase(line int, rec []string) error {
	row := gate.PurchaseRow{Key: []string{im.opts.Source, "purchase", im.name, strconv.Itoa(line)}}
	for i, t := range im.targets {
		v := strings.TrimSpace(rec[i])
		switch t.Kind {
		case TargetCustomer:
			if v == "" {
				im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: "customer source id is empty"})
				return nil
			}
			row.SubjectKey = []string{im.opts.Source, "source_id", v}
		case TargetPurchase:
			if !utf8.ValidString(v) {
				im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: "not valid UTF-8"})
				return nil
			}
			if len(v) > 500 {
				im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: "longer than 500 bytes"})
				return nil
			}
			var bad string
			switch t.Name {
			case "invoice_no":
				row.Purchase.InvoiceNo = v
			case "stock_code":
				row.Purchase.StockCode = v
			case "description":
				row.Purchase.Description = v
			case "quantity":
				row.Purchase.Quantity, bad = number(v, "quantity")
			case "unit_price":
				row.Purchase.UnitPrice, bad = number(v, "unit price")
			case "invoice_date":
				row.Purchase.InvoiceDate = v
				if _, err := time.Parse(time.DateTime, v); err != nil {
					if _, err := time.Parse(time.RFC3339, v); err != nil {
						bad = "invoice date must be YYYY-MM-DD hh:mm:ss (UTC) or RFC 3339"
					}
				}
			}
			if bad != "" {
				im.fail(LineError{File: im.name, Line: line, Column: i + 1, Header: im.header[i], Reason: bad})
				return nil
			}
		}
	}
	im.purchases = append(im.purchases, row)
	im.lines = append(im.lines, line)
	if len(im.purchases) >= im.opts.BatchSize {
		return im.flush()
	}
	return nil
}

// flush sends the current batch to the gate, first collecting a finished batch if three
// are in flight.
func (im *run) flush() error {
	if len(im.subjects) == 0 && len(im.purchases) == 0 {
		return nil
	}
	if im.pending == cap(im.inflight) {
		if err := im.collect(); err != nil {
			return err
		}
	}
	subj, purch, lines := im.subjects, im.purchases, im.lines
	im.subjects, im.purchases, im.lines = nil, nil, nil
	req := gate.Request{Actor: im.opts.Actor, Purpose: im.opts.Purpose, Reason: "import " + im.name}
	im.pending++
	go func() {
		var res batchResult
		res.lines = lines
		for attempt := 0; attempt < 3; attempt++ {
			if subj != nil {
				res.subj, res.err = im.g.ImportSubjects(im.ctx, req, subj)
			} else {
				res.purch, res.err = im.g.ImportPurchases(im.ctx, req, purch)
			}
			// A concurrent importer stored some rows of this batch: look them up again.
			if jaga.ErrorCode(res.err) != jaga.ECONFLICT {
				break
			}
		}
		im.inflight <- res
	}()
	return nil
}

func (im *run) collect() error {
	res := <-im.inflight
	im.pending--
	if res.err != nil {
		return fmt.Errorf("%s: lines %d-%d: %w", im.name, res.lines[0], res.lines[len(res.lines)-1], res.err)
	}
	if r := res.subj; r != nil {
		im.rep.Created += r.Created
		im.rep.Existing += r.Existing
		for _, e := range r.Errors {
			col, h := im.column(e.Field)
			im.fail(LineError{File: im.name, Line: res.lines[e.Row], Column: col, Header: h, Field: e.Field, Reason: jaga.ErrorMessage(e.Err)})
		}
	}
	if r := res.purch; r != nil {
		im.rep.Created += r.Inserted
		im.rep.Existing += r.Existing
		im.rep.Erased += r.Erased
		for _, e := range r.Errors {
			col, h := im.column(string(TargetCustomer))
			im.fail(LineError{File: im.name, Line: res.lines[e.Row], Column: col, Header: h, Reason: jaga.ErrorMessage(e.Err)})
		}
	}
	return nil
}

func (im *run) wait() error {
	var first error
	for im.pending > 0 {
		if err := im.collect(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// number normalises a decimal cell of a purchase line (normalize.Number: no exponents,
// NaN or decimal commas); bad says why it is not one.
func number(v, what string) (n, bad string) {
	n, err := normalize.Number(v)
	if err != nil {
		return "", what + " is not a decimal number"
	}
	return n, ""
}
