package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"jaga/pii"
	"jaga/strictjson"
)

// record is one data row of a source: its line (the CSV line the record starts on,
// the sheet row, the JSON Lines line), its cells aligned with the header, which cells
// were number cells (XLSX only), and, for a row that cannot be read at all, why.
type record struct {
	line    int
	cells   []string
	numeric []bool
	bad     string
	// code is the rejection reason code of bad ("" is unreadable), such as
	// duplicate_member for a JSON line that names a member twice.
	code string
	// through, for an unreadable record, is the last line it swallowed (an unclosed
	// quote runs to the end of the file): each line up to it is reported rejected.
	through int
	// review lists review reasons the reader found (mixed_encoding).
	review []string
}

// source reads the rows of one file.
type source interface {
	header() []string
	next() (record, error) // io.EOF at the end
	// detected says what was detected about the file (encoding, delimiter, line ends,
	// title rows), for the report.
	detected() string
	read() int64 // bytes consumed so far, for progress (0 if unknown)
	// collectedAt is the collection time a source states for rows without their own
	// (the expo sheet's title names its last day), or "".
	collectedAt() string
	// shape names a known source shape ("web_form_events") or "".
	shape() string
}

// Format is a file format the importer reads.
type Format string

// Formats, detected from the file name's extension and its first bytes.
const (
	FormatCSV   Format = "csv"
	FormatXLSX  Format = "xlsx"
	FormatJSONL Format = "jsonl"
)

// detectFormat picks the format from the extension, then from the first bytes: "PK" is
// a zip (XLSX), "{" (after a UTF-8 byte-order mark or white space, or right after a
// UTF-16 byte-order mark) a JSON Lines file, anything else CSV.
func detectFormat(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return FormatXLSX
	case ".jsonl", ".ndjson":
		return FormatJSONL
	case ".csv", ".tsv", ".txt":
		return FormatCSV
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX
	case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"), []byte("{")),
		bytes.HasPrefix(head, []byte("\xff\xfe{\x00")), bytes.HasPrefix(head, []byte("\xfe\xff\x00{")):
		return FormatJSONL
	}
	return FormatCSV
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

// csvSource reads CSV: delimiter (comma, semicolon, tab or pipe, by pii.SniffDelimiter
// on the first records), encoding (UTF-8 with or without BOM; UTF-16 with or without
// BOM, as Excel's "Unicode text" and some Windows tools write it; else Windows-1252,
// which Excel writes on Windows with Indonesian settings) and line ends are detected
// from the first 64 KiB; quoted fields may hold
// delimiters, doubled quotes and line breaks (RFC 4180). A file with NUL bytes that is
// not UTF-16 is refused as not text (pii.ErrNotText).
//
// UTF-8 and Windows-1252 are told apart record by record (textRecord), as the CSV
// reader splits them, so that a file with rows pasted from several sources into one
// export (mixed encodings) loses no character: a record that is valid UTF-8 is read as
// UTF-8, and in one that is not, each byte that is not part of a valid UTF-8 sequence
// is read as Windows-1252. The file's encoding is UTF-8 unless its head holds bytes
// that are not UTF-8 and no valid multi-byte UTF-8 sequence (a pure Windows-1252 export,
// read as before); the records in the other encoding are listed in detected() and
// flagged for review (mixedEncodingFlag), never read silently.
type csvSource struct {
	cr    *countingReader
	r     *csv.Reader
	hdr   []string
	enc   pii.Encoding
	comma rune
	// perRecord: UTF-8 or Windows-1252, read as bytes and decoded record by record
	// (UTF-16 is decoded as a stream before the CSV reader).
	perRecord bool
	desc      string // what follows the encoding in detected()
	// other lists the lines of records in the other encoding than enc's (its first
	// maxOtherLines), otherN counts them all.
	other  []int
	otherN int
}

// mixedEncodingFlag is the review reason of a row whose record is not in the file's
// encoding: bytes that are not UTF-8 in a UTF-8 file (read as Windows-1252), or valid
// multi-byte UTF-8 in a Windows-1252 file (read as UTF-8). Staff check that its names
// read right.
const mixedEncodingFlag = "mixed_encoding"

// maxOtherLines is how many lines in the other encoding detected() names.
const maxOtherLines = 10

func newCSVSource(r io.Reader) (*csvSource, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 1<<16)
	head, _ := br.Peek(1 << 16)
	// The same rule as jaga scan (pii.SniffEncoding): a BOM means UTF-8 or UTF-16, NUL
	// bytes UTF-16 without BOM or not text, else bytes that are not UTF-8 Windows-1252.
	e, err := pii.SniffText(head)
	if err != nil {
		return nil, err
	}
	if e == pii.UTF8BOM {
		_, _ = br.Discard(3)
		head = head[3:]
	}
	var in io.Reader = br
	perRecord := e == pii.UTF8 || e == pii.UTF8BOM || e == pii.Windows1252
	if e == pii.Windows1252 && hasMultiByteUTF8(head) {
		// Valid multi-byte UTF-8 beside bytes that are not UTF-8: a UTF-8 file with
		// records in Windows-1252 (mixed encodings), not a Windows-1252 export.
		e = pii.UTF8
	}
	if e.Decoded() && !perRecord {
		in = pii.DecodeReader(br, e)
		head = pii.DecodeHead(head, e)
	}
	comma := pii.SniffDelimiter(head)
	ends := "LF"
	if i := bytes.IndexByte(head, '\n'); i > 0 && head[i-1] == '\r' {
		ends = "CRLF"
	}
	rd := csv.NewReader(in)
	rd.Comma = comma
	rd.FieldsPerRecord = -1
	s := &csvSource{cr: cr, r: rd, enc: e, comma: comma, perRecord: perRecord}
	quoted := bytes.Contains(head, []byte{'"'})
	s.desc = fmt.Sprintf(", delimiter %s, %s line ends", commaName(comma), ends)
	if quoted {
		s.desc += ", quoted fields"
	}
	hdr, err := rd.Read()
	if err == io.EOF {
		return nil, errors.New("empty file")
	} else if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	line, _ := rd.FieldPos(0)
	s.hdr, _ = s.text(hdr, line)
	return s, nil
}

func (s *csvSource) header() []string    { return s.hdr }
func (s *csvSource) read() int64         { return s.cr.n }
func (s *csvSource) collectedAt() string { return "" }
func (s *csvSource) shape() string       { return "" }

// detected says "CSV, <encoding>, delimiter …", the encoding followed, when records in
// the other encoding were read so far, by how many and on which lines ("UTF-8 with 2
// lines in Windows-1252 (lines 3, 9; flagged mixed_encoding)").
func (s *csvSource) detected() string {
	enc := s.enc.String()
	if s.otherN > 0 {
		other, plural := "Windows-1252", "line"
		if s.enc == pii.Windows1252 {
			other = "UTF-8"
		}
		if s.otherN > 1 {
			plural = "lines"
		}
		nums := make([]string, len(s.other))
		for i, l := range s.other {
			nums[i] = strconv.Itoa(l)
		}
		list := strings.Join(nums, ", ")
		if s.otherN > len(s.other) {
			list += fmt.Sprintf(" and %d more", s.otherN-len(s.other))
		}
		enc += fmt.Sprintf(" with %d %s in %s (%s %s; each row flagged %s)", s.otherN, plural, other, plural, list, mixedEncodingFlag)
	}
	return "CSV, " + enc + s.desc
}

// text returns the cells of the record on line as text (textRecord) and whether the
// record is in the other encoding than the file's, which it counts.
func (s *csvSource) text(cells []string, line int) ([]string, bool) {
	if !s.perRecord {
		return cells, false
	}
	multi, invalid := textRecord(cells, s.enc == pii.Windows1252)
	other := invalid && s.enc != pii.Windows1252 || multi && s.enc == pii.Windows1252
	if other {
		s.otherN++
		if len(s.other) < maxOtherLines {
			s.other = append(s.other, line)
		}
	}
	return cells, other
}

// textRecord decodes in place the cells of a record read as bytes: each byte that is
// not part of a valid UTF-8 sequence is read as Windows-1252 (which maps every byte to
// a character, so the cells are valid UTF-8 afterwards), valid UTF-8 is kept. It
// reports whether the record held a byte that is not UTF-8 and whether it held a valid
// multi-byte UTF-8 sequence (looked for in valid cells only when findMulti is set, for
// a Windows-1252 file). A record without the former is left as it is; one without the
// latter is read exactly as a Windows-1252 decoder reads it.
func textRecord(cells []string, findMulti bool) (multi, invalid bool) {
	for i, c := range cells {
		if utf8.ValidString(c) {
			if findMulti && !multi {
				multi = hasMultiByteUTF8([]byte(c))
			}
			continue
		}
		invalid = true
		var b strings.Builder
		b.Grow(len(c) + 8)
		for j := 0; j < len(c); {
			r, n := utf8.DecodeRuneInString(c[j:])
			switch {
			case r == utf8.RuneError && n == 1:
				b.WriteRune(charmap.Windows1252.DecodeByte(c[j]))
			default:
				multi = multi || n > 1
				b.WriteString(c[j : j+n])
			}
			j += n
		}
		cells[i] = b.String()
	}
	return multi, invalid
}

// hasMultiByteUTF8 reports whether b holds a valid UTF-8 sequence of two bytes or more.
func hasMultiByteUTF8(b []byte) bool {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, n := utf8.DecodeRune(b[i:]) // 1 for a byte that is not UTF-8
		if n > 1 {
			return true
		}
		i += n
	}
	return false
}

func (s *csvSource) next() (record, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		return record{}, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// encoding/csv resumes at the next line after a parse error; a quote that is
		// never closed takes every line after it, which are then reported one by one.
		bad := "CSV: " + pe.Err.Error() + " (column " + strconv.Itoa(pe.Column) + ")"
		if pe.Line > pe.StartLine {
			bad = fmt.Sprintf("CSV: a quoted field in the record starting on line %d is not closed (%v at line %d, column %d); lines %d-%d could not be read",
				pe.StartLine, pe.Err, pe.Line, pe.Column, pe.StartLine, pe.Line)
		}
		return record{line: pe.StartLine, bad: bad, through: pe.Line}, nil
	} else if err != nil {
		return record{}, err
	}
	line, _ := s.r.FieldPos(0)
	out := record{line: line}
	var other bool
	if out.cells, other = s.text(rec, line); other {
		out.review = []string{mixedEncodingFlag}
	}
	return out, nil
}

func commaName(c rune) string {
	switch c {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	case '|':
		return "pipe"
	}
	return "comma"
}

// xlsxSource reads the first sheet of a workbook with excelize. Title rows above the
// header are skipped: the header is the first row of which at least half the non-empty
// cells (and at least two) name a known column (GuessTarget or the mapping). Cells are
// read raw (a date cell gives its serial number) and flagged when they are number cells,
// so that a 16-digit NIK typed into a number cell can be quarantined
// (nik_precision_lost) and a phone that lost its leading 0 recovered.
type xlsxSource struct {
	rows    [][]string
	numeric [][]bool
	hdr     []string
	hdrRow  int
	i       int
	desc    string
	title   string
	size    int64
}

func newXLSXSource(r io.Reader, size int64, known func(string) bool) (*xlsxSource, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		// The library's message may quote the workbook's own XML (cell text); it stays
		// out of errors, reports and logs (invariant 6).
		return nil, errors.New("not a readable XLSX workbook (damaged, encrypted or not XLSX)")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("workbook has no sheet")
	}
	sheet := sheets[0]
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errors.New("the first sheet could not be read (damaged workbook)")
	}
	s := &xlsxSource{rows: rows, size: size, hdrRow: -1}
	for i, row := range rows {
		nonEmpty, hits := 0, 0
		for _, c := range row {
			if strings.TrimSpace(c) == "" {
				continue
			}
			nonEmpty++
			if known(c) {
				hits++
			}
		}
		if hits >= 2 && hits*2 >= nonEmpty {
			s.hdrRow = i
			break
		}
		if nonEmpty > 0 {
			s.title += " " + strings.Join(row, " ")
		}
	}
	if s.hdrRow < 0 {
		return nil, errors.New("first sheet: no header row found (a row whose cells name known columns); add a mapping file")
	}
	s.hdr = rows[s.hdrRow]
	s.numeric = make([][]bool, len(rows))
	for i := s.hdrRow + 1; i < len(rows); i++ {
		s.numeric[i] = make([]bool, len(rows[i]))
		for j, c := range rows[i] {
			if c == "" {
				continue
			}
			axis, _ := excelize.CoordinatesToCellName(j+1, i+1)
			t, err := f.GetCellType(sheet, axis)
			if err != nil {
				return nil, fmt.Errorf("first sheet, cell %s: its type could not be read (damaged workbook)", axis)
			}
			s.numeric[i][j] = t == excelize.CellTypeNumber || t == excelize.CellTypeUnset && looksNumber(c)
		}
	}
	s.i = s.hdrRow + 1
	s.desc = fmt.Sprintf("XLSX, sheet %q, %d title rows above the header (row %d)", sheet, s.hdrRow, s.hdrRow+1)
	return s, nil
}

func looksNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func (s *xlsxSource) header() []string    { return s.hdr }
func (s *xlsxSource) detected() string    { return s.desc }
func (s *xlsxSource) collectedAt() string { return s.title }
func (s *xlsxSource) shape() string       { return "" }
func (s *xlsxSource) read() int64 {
	if len(s.rows) == 0 {
		return s.size
	}
	return s.size * int64(s.i) / int64(len(s.rows))
}

func (s *xlsxSource) next() (record, error) {
	if s.i >= len(s.rows) {
		return record{}, io.EOF
	}
	i := s.i
	s.i++
	cells := make([]string, len(s.hdr))
	numeric := make([]bool, len(s.hdr))
	copy(cells, s.rows[i])
	copy(numeric, s.numeric[i])
	rec := record{line: i + 1, cells: cells, numeric: numeric}
	if len(s.rows[i]) > len(s.hdr) {
		for _, c := range s.rows[i][len(s.hdr):] {
			if strings.TrimSpace(c) != "" {
				rec.bad = fmt.Sprintf("row has %d cells; the header has %d", len(s.rows[i]), len(s.hdr))
			}
		}
	}
	return rec, nil
}

// jsonlSource reads JSON Lines: one object per line. Objects are flattened into columns
// (nested objects join their keys with "."; "fields.email" becomes "email" and
// "consents.cross_selling" becomes "consent_cross_selling", the web form's shape), in
// the order of first appearance in the whole file when it can be read twice (a file on
// disk: newJSONLSource's rewind), else in the first 1,000 lines (a pipe), where a later
// line with a member not seen by then is rejected, naming the member. A line that is not a JSON
// object is a record with bad set; so is a line that names a member twice (at any depth,
// compared without case as the API's strictjson does), with code duplicate_member: it
// is rejected whole, never read as "last wins".
//
// JSON text is UTF-8 (RFC 8259 §8.1); a UTF-8 byte-order mark is skipped, and UTF-16
// (with a byte-order mark, or without one when pii.SniffText tells it by its NUL bytes,
// as for CSV) is decoded with pii.DecodeReader, the CSV reader's path. A file whose
// head is not valid UTF-8 is read as UTF-8 all the same, each line that is not valid
// UTF-8 rejected with its line number (JSON is never read as Windows-1252). UTF-32 and
// binary files are refused whole, with the reason (jsonlEncoding).
type jsonlSource struct {
	cr    *countingReader
	sc    *bufio.Scanner
	hdr   []string
	col   map[string]int
	line  int
	ahead []string // lines read to build the header
	first []int    // the line each header column's member first appears on
	kind  string
	enc   pii.Encoding
}

// jsonlAhead is how many lines a JSON Lines source reads ahead for its columns when
// the input cannot be read twice.
const jsonlAhead = 1000

// newJSONLSource reads the columns of JSON Lines from r. With rewind (an input that can
// be read twice), it first reads every line of r for its members, then reads the lines
// again from rewind's reader, so that a member first given on line 500,000 is a column
// like any other (mapped, or refusing the file when it names no field, as an unknown
// CSV header does). Without rewind, the columns are those of the first jsonlAhead
// lines. Errors: an unreadable encoding, a line longer than 1 MiB (with its line
// number), "empty file" for an input of blank lines only (as for CSV), no JSON object
// in the lines read for the columns.
func newJSONLSource(r io.Reader, rewind func() (io.Reader, error)) (*jsonlSource, error) {
	if rewind == nil {
		return openJSONL(r, nil)
	}
	all, err := openJSONL(r, nil)
	if err != nil {
		return nil, err
	}
	// openJSONL read the first lines ahead; the rest are read here for their members.
	for all.sc.Scan() {
		all.line++
		all.addLine(all.sc.Text(), len(all.ahead)+all.line)
	}
	if err := all.sc.Err(); err != nil {
		return nil, all.scanErr(err)
	}
	again, err := rewind()
	if err != nil {
		return nil, fmt.Errorf("JSON Lines: read the file again after its members: %w", err)
	}
	return openJSONL(again, all)
}

// openJSONL opens JSON Lines on r and reads up to jsonlAhead lines ahead for their
// columns, which start as known's when known is not nil (the whole file's, read before).
func openJSONL(r io.Reader, known *jsonlSource) (*jsonlSource, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, pii.SniffHead)
	head, _ := br.Peek(pii.SniffHead)
	enc, err := jsonlEncoding(head)
	if err != nil {
		return nil, err
	}
	var in io.Reader = br
	switch {
	case enc == pii.UTF8BOM:
		_, _ = br.Discard(3)
	case enc.Decoded():
		in = pii.DecodeReader(br, enc)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	s := &jsonlSource{cr: cr, sc: sc, col: map[string]int{}, enc: enc}
	if known != nil {
		s.col, s.hdr, s.first = known.col, known.hdr, known.first
	}
	for len(s.ahead) < jsonlAhead && sc.Scan() {
		l := sc.Text()
		s.ahead = append(s.ahead, l)
		if known == nil {
			s.addLine(l, len(s.ahead))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, s.scanErr(err)
	}
	if len(s.hdr) == 0 {
		blank := len(s.ahead) < jsonlAhead // the whole input was read
		for _, l := range s.ahead {
			blank = blank && strings.TrimSpace(l) == ""
		}
		switch {
		case blank:
			return nil, errors.New("empty file") // as for an empty CSV file
		case known != nil:
			return nil, errors.New("no JSON object in the file")
		}
		return nil, errors.New("no JSON object in the first 1,000 lines")
	}
	if _, ok := s.col["submitted_at"]; ok {
		if _, ok := s.col["notice_version"]; ok {
			s.kind = "web_form_events"
		}
	}
	return s, nil
}

// jsonlEncoding returns the encoding of a JSON Lines file from its head: what
// pii.SniffText says, except that Windows-1252 (a head that is not valid UTF-8) is read
// as UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8; the lines that are
// not are rejected one by one). It refuses UTF-32, by its byte-order mark (Unicode 15.0
// §23.8: 00 00 FE FF big-endian, FF FE 00 00 little-endian, which a UTF-16LE reader
// would take for its own mark followed by NUL), and a file that is not text
// (pii.ErrNotText); the error holds no byte of the content.
func jsonlEncoding(head []byte) (pii.Encoding, error) {
	for _, u := range []struct{ bom, name string }{{"\xff\xfe\x00\x00", "UTF-32LE"}, {"\x00\x00\xfe\xff", "UTF-32BE"}} {
		if bytes.HasPrefix(head, []byte(u.bom)) {
			return 0, fmt.Errorf("JSON Lines in %s (byte-order mark at offset 0) cannot be read; save it as UTF-8 (RFC 8259 §8.1) or UTF-16", u.name)
		}
	}
	e, err := pii.SniffText(head)
	if err != nil {
		return 0, fmt.Errorf("JSON Lines: %w", err)
	}
	if e == pii.Windows1252 {
		e = pii.UTF8
	}
	return e, nil
}

func jsonColumn(prefix, k string) string {
	switch prefix {
	case "", "fields.":
		return k
	case "consents.":
		return "consent_" + k
	}
	return prefix + k
}

// addLine adds the columns of line l (number line) when it is a JSON object.
func (s *jsonlSource) addLine(l string, line int) {
	var obj map[string]any
	if json.Unmarshal([]byte(l), &obj) == nil {
		s.addColumns("", obj, line)
	}
}

// scanErr words a line scanner's error: a line over the 1 MiB limit is named by its
// number (the one after the lines read so far, ahead included).
func (s *jsonlSource) scanErr(err error) error {
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("line %d is longer than 1 MiB; no customer record is that long (is it JSON Lines, one object per line?)", s.line+len(s.ahead)+1)
	}
	return err
}

func (s *jsonlSource) addColumns(prefix string, obj map[string]any, line int) {
	for _, k := range sortedKeys(obj) {
		if sub, ok := obj[k].(map[string]any); ok {
			s.addColumns(prefix+k+".", sub, line)
			continue
		}
		c := jsonColumn(prefix, k)
		if _, ok := s.col[c]; !ok {
			s.col[c] = len(s.hdr)
			s.hdr = append(s.hdr, c)
			s.first = append(s.first, line)
		}
	}
}

// memberLine returns the line header column i's member first appears on.
func (s *jsonlSource) memberLine(i int) int { return s.first[i] }

func (s *jsonlSource) header() []string    { return s.hdr }
func (s *jsonlSource) read() int64         { return s.cr.n }
func (s *jsonlSource) collectedAt() string { return "" }
func (s *jsonlSource) shape() string       { return s.kind }
func (s *jsonlSource) detected() string {
	d := "JSON Lines, " + s.enc.String()
	if s.kind != "" {
		d += ", shape " + s.kind
	}
	return d
}

func (s *jsonlSource) next() (record, error) {
	var l string
	switch {
	case len(s.ahead) > 0:
		l, s.ahead = s.ahead[0], s.ahead[1:]
	case s.sc.Scan():
		l = s.sc.Text()
	default:
		if err := s.sc.Err(); err != nil {
			return record{}, s.scanErr(err)
		}
		return record{}, io.EOF
	}
	s.line++
	rec := record{line: s.line}
	if strings.TrimSpace(l) == "" {
		rec.bad = "empty line"
		return rec, nil
	}
	if !utf8.ValidString(l) {
		rec.bad = "not valid UTF-8"
		return rec, nil
	}
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(l))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		rec.bad = "not a JSON object"
		return rec, nil
	}
	if k, dup := strictjson.DuplicateKey([]byte(l)); dup {
		rec.bad, rec.code = fmt.Sprintf("member %q is given twice; the line is not read (which value is meant is unknown)", safeMember(k)), "duplicate_member"
		return rec, nil
	}
	rec.cells = make([]string, len(s.hdr))
	filled := make([]bool, len(s.hdr))
	var unknown []string
	var fill func(prefix string, o map[string]any)
	fill = func(prefix string, o map[string]any) {
		for k, v := range o {
			if sub, ok := v.(map[string]any); ok {
				fill(prefix+k+".", sub)
				continue
			}
			c := jsonColumn(prefix, k)
			i, ok := s.col[c]
			if !ok {
				unknown = append(unknown, c)
				continue
			}
			if filled[i] && rec.bad == "" {
				// "email" and "fields.email" are one column: neither may win silently.
				rec.bad, rec.code = fmt.Sprintf("column %q is given twice (member %q and another member that maps to it); the line is not read", safeMember(c), safeMember(prefix+k)), "duplicate_member"
			}
			if filled[i] {
				continue
			}
			filled[i] = true
			switch x := v.(type) {
			case nil:
			case string:
				rec.cells[i] = x
			case bool:
				rec.cells[i] = strconv.FormatBool(x)
			case json.Number:
				rec.cells[i] = x.String()
			default:
				if rec.bad == "" {
					rec.bad = "member " + safeMember(c) + " is not a string, number, boolean or null"
				}
			}
		}
	}
	fill("", obj)
	if len(unknown) > 0 && rec.bad == "" {
		for i, u := range unknown {
			unknown[i] = safeMember(u)
		}
		rec.bad = "members not seen in the first 1,000 lines (the input was read once, as from a pipe; import the file by its path to have every line read for its members first): " + strings.Join(unknown, ", ")
	}
	return rec, nil
}
