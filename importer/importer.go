package importer

import (
	"context"
	"crypto/sha256"
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
// keys (default "crm"): the same source ID in the same source is the same row.
type Options struct {
	Kind    Kind
	Mapping *Mapping
	// Channel is the collection channel of rows without a channel column; default
	// guessed from the file (web_form for the web form's JSON Lines, exhibition for a
	// name with expo or pameran, door_to_door for door, d2d or kunjungan), else import.
	Channel jaga.Channel
	Source  string
	Actor   *jaga.Actor
	Purpose string
	// CollectedAt is the collection time of rows without their own; default the last
	// day a sheet's title names (23:59 WIB), else the time of the import.
	CollectedAt time.Time
	// Required lists fields the source's own form required, beyond full_name and one
	// of email, phone or nik (default: email for the web form's events).
	Required        []string
	BatchSize       int  // rows per transaction (default DefaultBatchSize)
	DeriveBirthDate bool // fill a missing birth_date from the NIK and year_birth
	// AllLines lists every line in Report.Lines; by default only the lines that were
	// quarantined, rejected, flagged for review or left pending.
	AllLines bool
	Progress func(done, total int64)
	// Session carries identity resolution across the files of one command; nil for
	// one of its own.
	Session *gate.IntakeSession

	// contentSum is the SHA-256 of the file's content, set by ImportFile when the file's
	// name may not go into the audit log (auditFileName).
	contentSum []byte
}

// Report is what an import did. The top-level counts are of people rows (every row
// read is exactly one of created, merged, unchanged, quarantined or rejected);
// purchase lines are counted apart in Purchases.
type Report struct {
	RowsRead    int            `json:"rows_read"`
	Created     int            `json:"created"`
	Merged      int            `json:"merged"`
	Unchanged   int            `json:"unchanged"`
	Quarantined int            `json:"quarantined"`
	Rejected    int            `json:"rejected"`
	Purchases   PurchaseCounts `json:"purchases"`
	// Flagged counts rows that raised at least one review flag: people rows, and purchase
	// lines whose description holds an identifier (pii_in_free_text:<kind>).
	Flagged       int            `json:"flagged_for_review"`
	QuarantinedBy map[string]int `json:"quarantined_by_reason"`
	RejectedBy    map[string]int `json:"rejected_by_reason"`
	ReviewBy      map[string]int `json:"review_by_reason"`
	Files         []*FileReport  `json:"files"`
	Lines         []LineReport   `json:"lines"`
	// Failed lists the files of a run that were not imported as a whole: the one whose
	// reading failed (not a text file, no header, …) and those after it. Empty when
	// every file was read.
	Failed []FailedFile `json:"failed,omitempty"`
}

// FailedFile is a file an import run did not import, with why: the error (file name,
// and line or column where it applies; never a value), or that an earlier file failed.
type FailedFile struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// PurchaseCounts counts purchase lines: linked to their customer, pending (no customer
// with that source ID yet: kept encrypted, they link when the customer is imported),
// already stored, rejected, or skipped because the customer was erased; linked +
// pending + unchanged + rejected + erased = rows_read. LinkedPending counts apart the
// lines of earlier runs, pending until now, that this run linked: a customer file
// imported after its purchases links them (and its report says so here), as does a
// purchase file that meets customers stored since its lines were kept.
type PurchaseCounts struct {
	RowsRead      int `json:"rows_read"`
	Linked        int `json:"linked"`
	Pending       int `json:"pending"`
	Unchanged     int `json:"unchanged"`
	Rejected      int `json:"rejected"`
	Erased        int `json:"erased"`
	LinkedPending int `json:"linked_pending"`
}

// FileReport is one file's part of a Report: what was detected about it, how its
// columns were mapped and its counts.
type FileReport struct {
	File        string            `json:"file"`
	Kind        Kind              `json:"kind"`
	Detected    string            `json:"detected"`
	Columns     map[string]string `json:"columns"`
	Channel     jaga.Channel      `json:"channel,omitempty"`
	RowsRead    int               `json:"rows_read"`
	Created     int               `json:"created"`
	Merged      int               `json:"merged"`
	Unchanged   int               `json:"unchanged"`
	Quarantined int               `json:"quarantined"`
	Rejected    int               `json:"rejected"`
	Duration    time.Duration     `json:"duration_ns"`
	// NotProcessed counts, when the run stopped on an error (Report.Failed names it), the
	// rows (or, for a purchase file, lines) read but neither stored, quarantined nor
	// rejected: the batches not committed. Absent when the run ended.
	NotProcessed int `json:"not_processed,omitempty"`
	// StoppedAfterLine is, when the run stopped before the end of the file, the last
	// line it read: the lines after it were not read. Absent when the file was read to
	// its end.
	StoppedAfterLine int `json:"stopped_after_line,omitempty"`
}

// LineReport is the outcome of one line: status created, merged, unchanged,
// quarantined, rejected (people) or linked, pending, rejected (purchases); the subject
// (or quarantine ID); the reasons (never a value) and review flags.
type LineReport struct {
	File    string           `json:"file"`
	Line    int              `json:"line"`
	Status  string           `json:"status"`
	Subject jaga.SubjectID   `json:"subject,omitempty"`
	Reasons []jaga.RowReason `json:"reasons,omitempty"`
	Review  []string         `json:"review,omitempty"`
}

// Error formats "file:line: status: reasons" for the command line.
func (l LineReport) Error() string {
	var rs []string
	for _, r := range l.Reasons {
		if r.Field != "" && r.Field != "row" {
			rs = append(rs, r.Field+": "+r.Reason)
		} else {
			rs = append(rs, r.Reason)
		}
	}
	return fmt.Sprintf("%s:%d: %s: %s", l.File, l.Line, l.Status, strings.Join(rs, "; "))
}

// Add adds o's counts, files and lines to r.
func (r *Report) Add(o *Report) {
	r.RowsRead += o.RowsRead
	r.Created += o.Created
	r.Merged += o.Merged
	r.Unchanged += o.Unchanged
	r.Quarantined += o.Quarantined
	r.Rejected += o.Rejected
	r.Flagged += o.Flagged
	p, q := &r.Purchases, o.Purchases
	p.RowsRead, p.Linked, p.Pending, p.Unchanged, p.Rejected, p.Erased = p.RowsRead+q.RowsRead, p.Linked+q.Linked,
		p.Pending+q.Pending, p.Unchanged+q.Unchanged, p.Rejected+q.Rejected, p.Erased+q.Erased
	p.LinkedPending += q.LinkedPending
	r.QuarantinedBy = addCounts(r.QuarantinedBy, o.QuarantinedBy)
	r.RejectedBy = addCounts(r.RejectedBy, o.RejectedBy)
	r.ReviewBy = addCounts(r.ReviewBy, o.ReviewBy)
	r.Files = append(r.Files, o.Files...)
	r.Lines = append(r.Lines, o.Lines...)
	r.Failed = append(r.Failed, o.Failed...)
}

func addCounts(a, b map[string]int) map[string]int {
	if a == nil {
		a = map[string]int{}
	}
	for k, v := range b {
		a[k] += v
	}
	return a
}

// NewReport returns an empty report.
func NewReport() *Report {
	return &Report{QuarantinedBy: map[string]int{}, RejectedBy: map[string]int{}, ReviewBy: map[string]int{}, Files: []*FileReport{}, Lines: []LineReport{}}
}

// ImportFile imports one file: CSV, XLSX or JSON Lines, detected from the extension
// and the first bytes. Errors: a file that cannot be opened or read, a header that maps
// no usable column, or storage failures; bad rows are quarantined or rejected and
// reported, never returned.
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
	if name := filepath.Base(path); !auditNameSafe(name) {
		// The audit events name the file by its content's hash instead (auditFileName).
		if opts.contentSum, err = contentSum(f); err != nil {
			return nil, err
		}
	}
	return Import(ctx, g, filepath.Base(path), f, st.Size(), opts)
}

// DefaultBatchSize is the rows per transaction of an import that sets no BatchSize.
const DefaultBatchSize = 40000

// Import imports from r; name is the file name used in reports and row keys, size its
// length for progress (0 if unknown).
func Import(ctx context.Context, g *gate.Gate, name string, r io.Reader, size int64, opts Options) (*Report, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		// Large transactions: blind indexes and import keys have random keys, so each
		// insert dirties its own B-tree page; the more rows per commit, the more of
		// them share a page, and each dirty page is written to the WAL once per commit.
		// 1M rows with half duplicates on 2 cores (quiet machine): 9,363 rows/s, 163 s
		// CPU and 3.9 GB peak RSS at 20,000; 10,900 rows/s, 147 s and 4.4 GB at 40,000.
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Source == "" {
		opts.Source = "crm"
	}
	if opts.Purpose == "" {
		opts.Purpose = jaga.PurposeServiceProvision
	}
	if opts.Session == nil {
		opts.Session = g.NewIntakeSession(0)
	}
	// An input that can be read twice (a file) is read once more for the members of
	// JSON Lines; begin is where it began.
	begin := int64(-1)
	if sk, ok := r.(io.Seeker); ok {
		if off, err := sk.Seek(0, io.SeekCurrent); err == nil {
			begin = off
		}
	}
	br := newPeekReader(r)
	head := br.peek(8)
	var src source
	format, byContent, err := contentFormat(name, head)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch format {
	case FormatXLSX:
		src, err = newXLSXSource(br, size, func(h string) bool {
			if opts.Mapping != nil {
				if _, ok := opts.Mapping.Columns[headerKey(h)]; ok {
					return true
				}
			}
			t, ok := GuessTarget(g.Schema(), h)
			return ok && t.Kind != TargetIgnore
		})
	case FormatJSONL:
		var rewind func() (io.Reader, error)
		if begin >= 0 {
			rewind = func() (io.Reader, error) {
				if _, err := r.(io.Seeker).Seek(begin, io.SeekStart); err != nil {
					return nil, err
				}
				return r, nil
			}
		}
		src, err = newJSONLSource(br, rewind)
	default:
		src, err = newCSVSource(br)
		if err != nil && byContent != "" && errNotText(err) {
			err = notWorkbookText(err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	header := src.header()
	var memberLine func(int) int
	if js, ok := src.(*jsonlSource); ok {
		memberLine = js.memberLine
	}
	targets, err := mapHeader(g.Schema(), name, header, memberLine, opts)
	if _, csv := src.(*csvSource); err != nil && csv && len(header) == 1 && !opts.Mapping.has(header[0]) {
		return nil, oneColumnError(name, header[0])
	}
	if err != nil {
		return nil, err
	}
	kind := fileKind(opts.Kind, targets)
	fr := &FileReport{File: name, Kind: kind, Detected: src.detected() + byContent, Columns: map[string]string{}}
	for i, t := range targets {
		fr.Columns[header[i]] = t.String()
	}
	rep := NewReport()
	rep.Files = append(rep.Files, fr)
	im := &run{g: g, ctx: ctx, name: name, header: header, targets: targets, opts: opts, rep: rep, file: fr, kind: kind,
		seen: map[[16]byte]int{}, src: src, detectedMore: byContent}
	if err := im.setup(); err != nil {
		return nil, err
	}
	runErr := im.loop(size)
	if err := im.finish(); err != nil && runErr == nil {
		runErr = err
	}
	// What the reader found while reading (records in another encoding) is known now.
	fr.Detected = src.detected() + im.detectedMore
	if runErr != nil {
		im.stopped()
	}
	rep.Lines = append(rep.Lines, im.rejected...)
	if opts.Progress != nil {
		opts.Progress(size, size)
	}
	slices.SortStableFunc(rep.Lines, func(a, b LineReport) int { return a.Line - b.Line })
	fr.Duration = time.Since(start)
	return rep, runErr
}

// peekReader lets the format be detected from the first bytes without consuming them.
type peekReader struct {
	r   io.Reader
	buf []byte
}

func newPeekReader(r io.Reader) *peekReader { return &peekReader{r: r} }

func (p *peekReader) peek(n int) []byte {
	for len(p.buf) < n {
		b := make([]byte, n-len(p.buf))
		k, err := p.r.Read(b)
		p.buf = append(p.buf, b[:k]...)
		if err != nil {
			break
		}
	}
	return p.buf
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// mapHeader gives each column a target from the mapping or a guess. A column nothing
// fits is an error naming its number, so that no column is dropped silently; map it to
// ignore to skip it. For JSON Lines, memberLine gives the line a column's member first
// appears on: a member nothing fits refuses the file too (as an unknown CSV header
// does: the mapping is the file's, not a line's), naming the member and that line.
func mapHeader(schema *jaga.Schema, name string, header []string, memberLine func(int) int, opts Options) ([]Target, error) {
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
			if strings.TrimSpace(h) == "" {
				t, ok = Target{Kind: TargetIgnore}, true // an empty trailing column
			} else {
				// Column numbers only: in a file without a header row the first row is
				// customer data and must not be echoed.
				unknown = append(unknown, strconv.Itoa(i+1))
				continue
			}
		}
		if t.Kind == TargetField {
			if _, known := schema.Field(t.Name); !known {
				if memberLine != nil {
					return nil, fmt.Errorf("%s:%d: member %q maps to unknown field %s", name, memberLine(i), safeMember(h), t.Name)
				}
				return nil, fmt.Errorf("%s:1:%d: column %q maps to unknown field %s", name, i+1, h, t.Name)
			}
		}
		if t.Kind != TargetIgnore {
			if j, dup := seen[t.String()]; dup {
				if memberLine != nil {
					return nil, fmt.Errorf("%s:%d: member %q maps to %s, as member %q (line %d) does; map one of them to ignore", name, memberLine(i),
						safeMember(h), t, safeMember(header[j-1]), memberLine(j-1))
				}
				return nil, fmt.Errorf("%s:1:%d: column %q maps to %s, as column %d does", name, i+1, h, t, j)
			}
			seen[t.String()] = i + 1
		}
		targets[i] = t
	}
	if len(unknown) > 0 && memberLine != nil {
		return nil, unknownMembers(name, header, unknown, memberLine)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s:1: no field for column %s (headers are not shown, in case the first row is data); the first row must be a header, and a header no field matches needs a mapping file (--mapping) entry, or ignore", name, strings.Join(unknown, ", "))
	}
	return targets, nil
}

// run is one file's import in progress. Rows collect into batches; each batch is
// prepared (validated, normalised, indexed, bad rows sealed) in its own goroutine while
// the batch before commits, and batches commit in file order, so that identity
// resolution sees every earlier row.
type run struct {
	ctx     context.Context
	g       *gate.Gate
	name    string
	header  []string
	targets []Target
	opts    Options
	rep     *Report
	file    *FileReport
	kind    Kind
	src     source

	channel   jaga.Channel
	defaultAt time.Time
	required  []string
	hasEvid   bool
	seen      map[[16]byte]int // hash of a row's cells → its first line
	rowSum    [16]byte         // hash of the current record's cells
	rejected  []LineReport     // the reader's lines; the committer's go to rep.Lines
	cellBuf   []byte           // a row's cells, each followed by a 0 byte, for seen
	specs     []jaga.FieldSpec // the field of each column that maps to one
	rows      []gate.IntakeRow
	purchases []gate.PurchaseRow
	lines     []int
	jobs      chan *job
	done      chan error

	// detectedMore is what the run adds to the source's detected() (a file read by its
	// content, a collection date from a sheet title).
	detectedMore string
	lastLine     int  // the last line read
	eof          bool // the file was read to its end
}

// stopped fills the file report of a run that stopped on an error: how many rows (or
// purchase lines) read were not processed, and where reading stopped when it did
// before the end of the file.
func (im *run) stopped() {
	if im.kind == KindPurchases {
		p := im.rep.Purchases
		im.file.NotProcessed = p.RowsRead - p.Linked - p.Pending - p.Unchanged - p.Rejected - p.Erased
	} else {
		f := im.file
		f.NotProcessed = f.RowsRead - f.Created - f.Merged - f.Unchanged - f.Quarantined - f.Rejected
	}
	if !im.eof {
		im.file.StoppedAfterLine = im.lastLine
	}
}

type job struct {
	lines    []int
	purch    []gate.PurchaseRow
	prepared chan prepared
}

type prepared struct {
	b   *gate.IntakeBatch
	err error
}

func (im *run) setup() error {
	has := map[TargetKind]bool{}
	im.specs = make([]jaga.FieldSpec, len(im.targets))
	for i, t := range im.targets {
		has[t.Kind] = true
		if t.Kind == TargetField {
			im.specs[i], _ = im.g.Schema().Field(t.Name)
		}
	}
	if im.kind == KindPurchases && !has[TargetCustomer] {
		return fmt.Errorf("%s: a purchase file needs a customer_source_id column", im.name)
	}
	if im.kind == KindSubjects && !has[TargetField] {
		return fmt.Errorf("%s: no column maps to a field", im.name)
	}
	im.hasEvid = has[TargetEvidence] || has[TargetNotice]
	im.channel = im.opts.Channel
	if im.channel == "" {
		im.channel = guessChannel(im.name, im.src.shape())
	}
	im.file.Channel = im.channel
	im.required = slices.Clone(im.opts.Required)
	if im.src.shape() == "web_form_events" && len(im.required) == 0 {
		// The web form required an e-mail address (intake README).
		im.required = []string{"email"}
	}
	im.defaultAt = im.opts.CollectedAt
	if im.defaultAt.IsZero() {
		if t, ok := titleDate(im.src.collectedAt()); ok {
			im.defaultAt = t
			more := ", collection date " + t.In(wib).Format("2006-01-02 15:04 WIB") + " from the title"
			im.detectedMore += more
			im.file.Detected += more
		}
	}
	im.jobs = make(chan *job, 1) // one batch prepares while one resolves and one is written
	im.done = make(chan error, 1)
	go im.committer()
	return nil
}

// guessChannel guesses a file's collection channel from its shape and name.
func guessChannel(name, shape string) jaga.Channel {
	if shape == "web_form_events" {
		return jaga.ChannelWebForm
	}
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "expo") || strings.Contains(n, "pameran") || strings.Contains(n, "exhibition"):
		return jaga.ChannelExhibition
	case strings.Contains(n, "door") || strings.Contains(n, "d2d") || strings.Contains(n, "kunjungan"):
		return jaga.ChannelDoorToDoor
	case strings.Contains(n, "web_form") || strings.Contains(n, "webform"):
		return jaga.ChannelWebForm
	case strings.Contains(n, "signup") && strings.Contains(n, "email"):
		return jaga.ChannelEmailSignup
	case strings.Contains(n, "toko") || strings.Contains(n, "store"):
		return jaga.ChannelStoreVisit
	}
	return jaga.ChannelImport
}

func (im *run) loop(size int64) error {
	for {
		if err := im.ctx.Err(); err != nil {
			return err
		}
		rec, err := im.src.next()
		if err == io.EOF {
			im.eof = true
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w", im.name, err)
		}
		im.lastLine = max(rec.line, rec.through)
		if err := im.add(rec); err != nil {
			return err
		}
		if im.opts.Progress != nil && (im.file.RowsRead+im.rep.Purchases.RowsRead)%1000 == 0 {
			im.opts.Progress(im.src.read(), size)
		}
	}
}

// MaxCellBytes is the longest cell an import reads (64 KiB): a longer one is no
// customer value, and its row is rejected with the column named.
const MaxCellBytes = 64 << 10

// auditReason is the reason an import's audit events carry: "import " and the file's
// base name, or a placeholder when the name could hold personal data (auditFileName,
// invariant 6).
func (im *run) auditReason() string {
	return "import " + auditFileName(im.name, im.opts.contentSum)
}

// reject reports a row that cannot be imported at all.
func (im *run) reject(line int, code, why string) {
	if im.kind == KindPurchases {
		im.rep.Purchases.Rejected++
	} else {
		im.rep.Rejected++
		im.file.Rejected++
	}
	im.rep.RejectedBy[code]++
	im.rejected = append(im.rejected, LineReport{File: im.name, Line: line, Status: "rejected",
		Reasons: []jaga.RowReason{{Field: "row", Code: code, Reason: why}}})
}

func (im *run) add(rec record) error {
	if im.kind == KindPurchases {
		im.rep.Purchases.RowsRead++
	} else {
		im.rep.RowsRead++
		im.file.RowsRead++
	}
	if rec.bad != "" {
		code := rec.code
		if code == "" {
			code = "unreadable"
		}
		im.reject(rec.line, code, rec.bad)
		for l := rec.line + 1; l <= rec.through; l++ {
			// Lines swallowed by an unclosed quote: each is a row read and rejected.
			if im.kind == KindPurchases {
				im.rep.Purchases.RowsRead++
			} else {
				im.rep.RowsRead++
				im.file.RowsRead++
			}
			im.reject(l, "unreadable", rec.bad)
		}
		return nil
	}
	if len(rec.cells) != len(im.header) {
		im.reject(rec.line, "columns", fmt.Sprintf("row has %d columns; the header has %d", len(rec.cells), len(im.header)))
		return nil
	}
	for i, c := range rec.cells {
		if len(c) > MaxCellBytes {
			// Never a customer value: refused whole rather than sealed into quarantine.
			im.reject(rec.line, "cell_too_long", fmt.Sprintf("column %d holds %d bytes; at most %d are read", i+1, len(c), MaxCellBytes))
			return nil
		}
	}
	empty := true
	buf := im.cellBuf[:0]
	for _, c := range rec.cells {
		if empty && strings.TrimSpace(c) != "" {
			empty = false
		}
		buf = append(append(buf, c...), 0)
	}
	im.cellBuf = buf
	if empty {
		im.reject(rec.line, "empty", "row is entirely empty")
		return nil
	}
	full := sha256.Sum256(buf)
	copy(im.rowSum[:], full[:])
	if im.kind == KindSubjects {
		// Purchase files repeat identical lines as distinct purchases (intake README).
		sum := im.rowSum
		if first, dup := im.seen[sum]; dup {
			im.reject(rec.line, "duplicate", fmt.Sprintf("exact duplicate of line %d", first))
			return nil
		}
		im.seen[sum] = rec.line
	}
	if im.kind == KindPurchases {
		return im.addPurchase(rec)
	}
	row, bad := im.row(rec)
	if bad != "" {
		im.reject(rec.line, "unreadable", bad)
		return nil
	}
	im.rows = append(im.rows, row)
	im.lines = append(im.lines, rec.line)
	if len(im.rows) >= im.opts.BatchSize {
		return im.flush()
	}
	return nil
}

// marketing purposes are the ones Sec-GPC: 1 withholds consent from (DESIGN.md: a GPC
// signal is a refusal of sale and sharing for marketing).
func marketing(purpose string) bool { return purpose == "cross_selling" }

// row turns one record into an intake row.
func (im *run) row(rec record) (gate.IntakeRow, string) {
	row := gate.IntakeRow{Values: make(map[string]string, len(rec.cells)), Channel: im.channel, File: im.name, Line: rec.line,
		CollectedAt: im.defaultAt, Required: im.required, Review: rec.review}
	var evidence, notice string
	gpc := false
	type consentCell struct {
		purpose string
		status  jaga.ConsentStatus
	}
	var consents []consentCell
	for i, t := range im.targets {
		v := rec.cells[i]
		numeric := rec.numeric != nil && rec.numeric[i]
		switch t.Kind {
		case TargetField:
			if strings.TrimSpace(v) == "" {
				continue
			}
			spec := im.specs[i]
			switch {
			case spec.Type == jaga.TypeNIK:
				if p, ok := nikCell(t.Name, v, numeric); ok {
					row.Problems = append(row.Problems, p)
				}
			case spec.Type == jaga.TypePhone:
				if e164, ok := unverifiedPhone(v); ok {
					if row.Unverified == nil {
						row.Unverified = map[string]string{}
					}
					row.Unverified[t.Name] = e164
					continue
				}
			case spec.Type == jaga.TypeDate && numeric:
				v = excelDate(v)
			case t.Name == "domicile_city":
				v = cityName(v)
			case spec.Type == jaga.TypeNumber && strings.Contains(v, ",") && !strings.Contains(v, "."):
				v = strings.Replace(v, ",", ".", 1) // a decimal comma (Indonesian settings)
			}
			row.Values[t.Name] = v
		case TargetConsent:
			st, ok, err := readConsent(v)
			if err != nil {
				row.Problems = append(row.Problems, jaga.RowReason{Field: "consent_" + t.Name, Code: "invalid_consent", Reason: jaga.ErrorMessage(err)})
				continue
			}
			if ok {
				consents = append(consents, consentCell{t.Name, st})
			}
		case TargetEvidence:
			evidence = strings.TrimSpace(v)
		case TargetNotice:
			notice = strings.TrimSpace(v)
		case TargetGPC:
			gpc = strings.EqualFold(strings.TrimSpace(v), "true") || strings.TrimSpace(v) == "1"
		case TargetChannel:
			if v = strings.TrimSpace(v); v != "" {
				c, ok := channelValue(v)
				if !ok {
					row.Problems = append(row.Problems, jaga.RowReason{Field: "channel", Code: "invalid_channel",
						Reason: "unknown channel; one of " + channelNames() + " (or a Bahasa Indonesia name such as pameran, toko, formulir web)"})
					continue
				}
				row.Channel = c
			}
		case TargetCollectedAt:
			if v = strings.TrimSpace(v); v != "" {
				at, ok := collectedAt(v)
				if !ok {
					row.Problems = append(row.Problems, jaga.RowReason{Field: "collected_at", Code: "invalid_collected_at", Reason: "collection time must be RFC 3339 or a date"})
					continue
				}
				row.CollectedAt = at
			}
		case TargetSourceID:
			if v = strings.TrimSpace(v); v != "" {
				row.Key = []string{im.opts.Source, "source_id", v}
			}
		case TargetCollector:
			// The staff member's name is their personal data; Jaga keeps no staff
			// schema, so it is not stored (the report's columns say so).
		}
	}
	if row.Key == nil {
		// No source ID: the row is known by its content, so that re-running a file
		// imports nothing twice while a new file under an old name (next week's
		// export.csv) is imported in full (exact duplicates within a file are rejected
		// above).
		row.Key = []string{im.opts.Source, "row", string(im.rowSum[:])}
	}
	if notice == "" && strings.HasPrefix(evidence, "notice-") {
		notice = evidence
	}
	if evidence == "" && !im.hasEvid {
		// A sheet with no evidence column (the expo sheet, typed from paper forms): the
		// sheet row is the reference to the paper form.
		evidence = "SHEET-" + refStem(im.name) + "-R" + strconv.Itoa(rec.line)
	}
	for _, c := range consents {
		in := gate.ConsentInput{Purpose: c.purpose, Status: c.status, Evidence: evidence, NoticeVersion: notice, At: row.CollectedAt}
		if gpc && marketing(c.purpose) && c.status == jaga.ConsentGiven {
			in.Flag = jaga.FlagGPC
		}
		row.Consents = append(row.Consents, in)
	}
	if im.opts.DeriveBirthDate && strings.TrimSpace(row.Values["birth_date"]) == "" && strings.TrimSpace(row.Values["nik"]) != "" {
		if nik, err := normalize.NIK(row.Values["nik"]); err == nil {
			year, _ := strconv.Atoi(strings.TrimSpace(row.Values["year_birth"]))
			if bd, _, err := normalize.NIKBirthDate(nik, year); err == nil {
				row.Values["birth_date"] = bd.Format("2006-01-02")
				// Not the source's: a re-import without the option is the same version.
				row.Derived = append(row.Derived, "birth_date")
			}
		}
	}
	return row, ""
}

// refStem turns a file name into letters and digits joined by dashes
// ("expo_signups_2024.xlsx" → "expo-signups-2024"), for evidence references.
func refStem(name string) string {
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	var b strings.Builder
	for _, r := range stem {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func (im *run) addPurchase(rec record) error {
	// A purchase is known by its file, line and content: identical lines are distinct
	// purchases, and a new file under an old name is imported.
	row := gate.PurchaseRow{Key: []string{im.opts.Source, "purchase", im.name, strconv.Itoa(rec.line), string(im.rowSum[:])}, File: im.name, Line: rec.line}
	for i, t := range im.targets {
		v := strings.TrimSpace(rec.cells[i])
		switch t.Kind {
		case TargetCustomer:
			if v == "" {
				im.reject(rec.line, "no_customer", "customer source id is empty")
				return nil
			}
			row.SubjectKey = []string{im.opts.Source, "source_id", v}
		case TargetPurchase:
			if !utf8.ValidString(v) || len(v) > 500 {
				im.reject(rec.line, "invalid_"+t.Name, fmt.Sprintf("column %d: not valid UTF-8 or longer than 500 bytes", i+1))
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
				row.Purchase.Quantity, bad = boundedNumber(v, "quantity", MaxPurchaseQuantity)
			case "unit_price":
				row.Purchase.UnitPrice, bad = boundedNumber(v, "unit price", MaxUnitPrice)
			case "invoice_date":
				row.Purchase.InvoiceDate = v
				bad = invoiceDate(v, im.g.Now())
			}
			if bad != "" {
				im.reject(rec.line, "invalid_"+t.Name, fmt.Sprintf("column %d: %s", i+1, bad))
				return nil
			}
		}
	}
	im.purchases = append(im.purchases, row)
	im.lines = append(im.lines, rec.line)
	if len(im.purchases) >= im.opts.BatchSize {
		return im.flush()
	}
	return nil
}

// flush hands the current batch to the pipeline: prepared in its own goroutine,
// committed in order by the committer.
func (im *run) flush() error {
	if len(im.rows) == 0 && len(im.purchases) == 0 {
		return nil
	}
	// The raw rows are the prepare goroutine's alone: once prepared, only the batch
	// holds their values.
	rows := im.rows
	j := &job{lines: im.lines, purch: im.purchases, prepared: make(chan prepared, 1)}
	im.rows, im.purchases, im.lines = nil, nil, nil
	req := gate.Request{Actor: im.opts.Actor, Purpose: im.opts.Purpose, Reason: im.auditReason()}
	if rows != nil {
		go func() {
			b, err := im.g.PrepareIntake(im.ctx, req, rows)
			j.prepared <- prepared{b, err}
		}()
	} else {
		j.prepared <- prepared{}
	}
	select {
	case im.jobs <- j:
		return nil
	case err := <-im.done:
		// The committer stopped on an error: no more batches.
		im.done <- err
		return err
	}
}

func (im *run) finish() error {
	err := im.flush()
	close(im.jobs)
	if cerr := <-im.done; cerr != nil {
		return cerr
	}
	return err
}

// committer commits batches in order and fills the report. People batches are
// pipelined: batch k+1 is resolved (identity resolution, sealing) while batch k is
// being written, and written once batch k is stored. If batch k's store finds that
// another writer stored one of its people meanwhile (ECONFLICT), batch k and then
// batch k+1 are resolved again and committed one by one; batch k+1's first resolution,
// made against batch k's, is dropped unstored.
func (im *run) committer() {
	var failed error
	var prev *storing
	fail := func(j *job, err error) {
		if failed == nil {
			failed = fmt.Errorf("%s: lines %d-%d: %w", im.name, j.lines[0], j.lines[len(j.lines)-1], err)
		}
	}
	// finish waits for the batch being stored and reports it; it says whether that
	// store had to be redone, in which case next, a batch resolved meanwhile against
	// it, is discarded first.
	finish := func(next *gate.ResolvedIntake) (redone bool) {
		if prev == nil {
			return false
		}
		st := <-prev.done
		if jaga.ErrorCode(st.err) == jaga.ECONFLICT {
			im.opts.Session.Discard(next)
			st.outs, st.err = im.g.CommitIntake(im.ctx, im.opts.Session, prev.b)
			redone = true
		}
		if st.err != nil {
			fail(prev.j, st.err)
		} else {
			im.report(prev.j, st.outs)
		}
		prev = nil
		return redone
	}
	for j := range im.jobs {
		p := <-j.prepared
		if failed != nil {
			continue
		}
		if p.err != nil {
			finish(nil)
			fail(j, p.err)
			continue
		}
		if j.purch != nil {
			finish(nil)
			if failed == nil {
				if err := im.commitPurchases(j); err != nil {
					fail(j, err)
				}
			}
			continue
		}
		r, rerr := im.g.ResolveIntake(im.ctx, im.opts.Session, p.b)
		if finish(r) && rerr == nil {
			// r was resolved against a batch that had to be resolved again.
			outs, err := im.g.CommitIntake(im.ctx, im.opts.Session, p.b)
			if err != nil {
				fail(j, err)
			} else {
				im.report(j, outs)
			}
			continue
		}
		if failed != nil {
			continue
		}
		if rerr != nil {
			fail(j, rerr)
			continue
		}
		st := &storing{j: j, b: p.b, done: make(chan stored, 1)}
		go func() {
			outs, err := im.g.StoreIntake(im.ctx, im.opts.Session, r)
			st.done <- stored{outs, err}
		}()
		prev = st
	}
	finish(nil)
	im.done <- failed
}

// storing is a people batch being written.
type storing struct {
	j    *job
	b    *gate.IntakeBatch
	done chan stored
}

type stored struct {
	outs []gate.IntakeOutcome
	err  error
}

func (im *run) commitPurchases(j *job) error {
	req := gate.Request{Actor: im.opts.Actor, Purpose: im.opts.Purpose, Reason: im.auditReason()}
	var res *gate.PurchaseResult
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		res, err = im.g.ImportPurchases(im.ctx, req, j.purch)
		if jaga.ErrorCode(err) != jaga.ECONFLICT {
			break
		}
	}
	if err != nil {
		return err
	}
	pc := &im.rep.Purchases
	pc.Linked += res.Inserted
	pc.Unchanged += res.Existing
	pc.Erased += res.Erased
	pc.Pending += len(res.Errors)
	pc.LinkedPending += res.LinkedPending
	for _, e := range res.Errors {
		im.rep.Lines = append(im.rep.Lines, LineReport{File: im.name, Line: j.lines[e.Row], Status: "pending",
			Reasons: []jaga.RowReason{{Field: "customer", Code: "pending_customer", Reason: jaga.ErrorMessage(e.Err)}}})
	}
	for _, r := range res.Review {
		// A description that holds an identifier: linked, and its customer flagged.
		im.rep.Flagged++
		for _, why := range r.Reasons {
			im.rep.ReviewBy[why]++
		}
		im.rep.Lines = append(im.rep.Lines, LineReport{File: im.name, Line: j.lines[r.Row], Status: "linked", Review: r.Reasons})
	}
	return nil
}

// report counts a stored people batch's outcomes.
func (im *run) report(j *job, outs []gate.IntakeOutcome) {
	for i, o := range outs {
		review := o.Review
		if len(o.LinkedReview) > 0 {
			// Flags raised by pending purchases this row's customer linked.
			review = append(slices.Clone(o.Review), o.LinkedReview...)
		}
		lr := LineReport{File: im.name, Line: j.lines[i], Status: string(o.Status), Subject: o.Subject, Reasons: o.Reasons, Review: review}
		im.rep.Purchases.LinkedPending += o.LinkedPurchases
		switch o.Status {
		case gate.IntakeCreated:
			im.rep.Created++
			im.file.Created++
		case gate.IntakeMerged:
			im.rep.Merged++
			im.file.Merged++
		case gate.IntakeUnchanged:
			im.rep.Unchanged++
			im.file.Unchanged++
		case gate.IntakeQuarantined:
			im.rep.Quarantined++
			im.file.Quarantined++
			for _, r := range o.Reasons {
				im.rep.QuarantinedBy[r.Code]++
			}
		}
		if len(review) > 0 {
			im.rep.Flagged++
			for _, r := range review {
				im.rep.ReviewBy[r]++
			}
		}
		if im.opts.AllLines || o.Status == gate.IntakeQuarantined || len(review) > 0 {
			im.rep.Lines = append(im.rep.Lines, lr)
		}
	}
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
