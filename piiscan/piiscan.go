// Package piiscan runs the pii scanner over files, directories and database tables:
// plain text and logs (streamed), CSV, XLSX workbooks, JSON Lines, and the columns of
// a SQLite or PostgreSQL table. It is the engine of `jaga scan` and reports where
// personal data is (file, line, column or cell, byte offsets) and of which kind,
// never the values (DESIGN.md invariant 6), and can write redacted copies.
//
// It imports jaga/pii, the standard library, github.com/xuri/excelize/v2 and, for
// tables, database/sql with the modernc SQLite and pgx drivers.
package piiscan

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"jaga/pii"
)

// Hit is one finding with its place in a file.
type Hit struct {
	pii.Finding
	Line   int    `json:"line,omitempty"`   // 1-based line (CSV record, JSON Lines line), 0 for streamed text
	Column string `json:"column,omitempty"` // CSV header, JSON field path or XLSX cell ("Sheet1!B3")
}

// FileReport is what was found in one file. Start and End of its hits are byte
// offsets in the file for text, and in the cell or JSON value otherwise.
type FileReport struct {
	Path     string         `json:"path"`
	Format   string         `json:"format"`             // text, csv, xlsx, jsonl, or skipped
	Encoding string         `json:"encoding,omitempty"` // "Windows-1252", "UTF-16LE (no BOM)", … when the file was decoded from it
	Counts   map[string]int `json:"counts"`             // kind name → findings
	Hits     []Hit          `json:"hits,omitempty"`
	Warnings []string       `json:"warnings,omitempty"` // located problems (never values)
	Redacted string         `json:"redacted,omitempty"` // where the redacted copy went
	// Error says why the file could not be scanned ("x.xlsx: not a readable XLSX
	// workbook: …"); its counts are then incomplete and no redacted copy was written.
	Error string `json:"error,omitempty"`
}

// Options configure a scan of paths.
type Options struct {
	Scanner *pii.Scanner
	// KeepHits keeps every hit in the report (for --json); otherwise only counts.
	KeepHits bool
	// Redact, if set, writes a redacted copy of each file: under RedactDir at the
	// file's path relative to the scanned argument, or to Stdout when RedactDir is "-".
	Redact    *pii.Redaction
	RedactDir string
	Stdout    io.Writer
}

// ScanPaths scans files and directories (recursively, hidden entries skipped) and
// returns one report per file in walk order. A file or directory — given as an
// argument (missing, not statable) or inside a directory — that cannot be scanned — unreadable, not the format its name says — is
// reported with its Error set and the scan goes on: callers must treat a report with
// an Error as a failure (see Failed). A malformed line or record inside a file becomes
// a warning and is scanned as text.
//
// When redacting to a directory, ScanPaths first checks (CheckRedactDir) that no
// input would be overwritten and returns that error before it touches any file; the
// output directory is skipped when it lies inside a scanned directory.
func ScanPaths(ctx context.Context, paths []string, o Options) ([]FileReport, error) {
	var out []FileReport
	var outDir string // resolved redaction directory, "" when not writing one
	if o.Redact != nil && o.RedactDir != "-" {
		var err error
		if outDir, err = CheckRedactDir(o.RedactDir, paths); err != nil {
			return nil, err
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			// Listed like an unreadable file inside a directory: the others are scanned.
			out = append(out, FileReport{Path: root, Format: Format(root), Counts: map[string]int{}, Error: pathError(root, err).Error()})
			continue
		}
		if !info.IsDir() {
			r, err := scanFile(ctx, root, filepath.Base(root), o)
			if err != nil {
				return out, err
			}
			out = append(out, r)
			continue
		}
		realRoot, err := resolvePath(root)
		if err != nil {
			return out, pathError(root, err)
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				// An unreadable directory is reported like an unreadable file.
				out = append(out, FileReport{Path: p, Format: "directory", Counts: map[string]int{}, Error: pathError(p, err).Error()})
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() && outDir != "" && filepath.Join(realRoot, rel) == outDir {
				return filepath.SkipDir // the redacted copies of an earlier run are not input
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			r, err := scanFile(ctx, p, rel, o)
			if err != nil {
				return err
			}
			out = append(out, r)
			return ctx.Err()
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Failed returns the reports of files that could not be scanned (Error set).
func Failed(reps []FileReport) []FileReport {
	var bad []FileReport
	for _, r := range reps {
		if r.Error != "" {
			bad = append(bad, r)
		}
	}
	return bad
}

// Format returns the format scanFile uses for path, from its extension.
func Format(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv":
		return "csv"
	case ".xlsx", ".xlsm":
		return "xlsx"
	case ".jsonl", ".ndjson":
		return "jsonl"
	}
	return "text"
}

// scanFile scans one file. Problems with the file itself (it cannot be opened or
// read, or is not the format its name says) are put in the report's Error; the
// returned error is for what stops the whole scan: cancellation, or a redacted copy
// that cannot be written.
func scanFile(ctx context.Context, path, rel string, o Options) (FileReport, error) {
	rep := FileReport{Path: path, Format: Format(path), Counts: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		rep.Error = pathError(path, err).Error()
		return rep, nil
	}
	defer f.Close()
	var w io.Writer
	var tmp *os.File
	var rw *recWriter
	if o.Redact != nil {
		if o.RedactDir == "-" {
			w, rep.Redacted = o.Stdout, "-"
		} else {
			dst := filepath.Join(o.RedactDir, rel)
			if tmp, err = createTemp(f, dst); err != nil {
				return rep, err
			}
			defer func() {
				if tmp != nil { // not renamed into place
					tmp.Close()
					os.Remove(tmp.Name())
				}
			}()
			rw = &recWriter{w: tmp}
			w, rep.Redacted = rw, dst
		}
	}
	switch rep.Format {
	case "csv":
		err = scanCSV(ctx, f, &rep, o, w)
	case "xlsx":
		err = scanXLSX(ctx, f, &rep, o, w)
	case "jsonl":
		err = scanJSONL(ctx, f, &rep, o, w)
	default:
		err = scanText(ctx, f, &rep, o, w)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return rep, ctxErr
		}
		if rw != nil && rw.err != nil {
			return rep, fmt.Errorf("%s: %w", rep.Redacted, rw.err)
		}
		rep.Error = fmt.Sprintf("%s: %v", path, err)
		rep.Redacted = ""
		return rep, nil
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return rep, fmt.Errorf("%s: %w", rep.Redacted, err)
		}
		if err := os.Rename(tmp.Name(), rep.Redacted); err != nil {
			return rep, fmt.Errorf("%s: %w", rep.Redacted, err)
		}
		tmp = nil
	}
	return rep, nil
}

func (r *FileReport) add(f pii.Finding, line int, col string, keep bool) {
	r.Counts[f.Kind.String()]++
	if keep {
		r.Hits = append(r.Hits, Hit{Finding: f, Line: line, Column: col})
	}
}

// scanText streams a text or log file; a file whose first pii.SniffHead bytes hold NUL
// bytes is skipped as binary, unless they read as UTF-16 (with or without byte-order
// mark: its text has a NUL byte in every ASCII character), as pii.SniffEncoding says.
func scanText(ctx context.Context, f io.Reader, rep *FileReport, o Options, w io.Writer) error {
	br := bufio.NewReaderSize(f, pii.SniffHead)
	head, err := br.Peek(pii.SniffHead)
	if err != nil && err != io.EOF {
		return err
	}
	if pii.SniffEncoding(head) == pii.Binary {
		rep.Format = "skipped"
		rep.Warnings = append(rep.Warnings, "binary file (NUL bytes, not UTF-16 text) not scanned")
		return nil
	}
	in := decoded(br, head, rep, w != nil)
	if w != nil {
		counts, err := o.Scanner.RedactReader(ctx, in, w, *o.Redact)
		for k, n := range counts {
			rep.Counts[k.String()] += n
		}
		if o.KeepHits {
			rep.Warnings = append(rep.Warnings, "hit offsets are not listed when redacting a text file")
		}
		return err
	}
	return o.Scanner.ScanReader(in, func(x pii.Finding) error {
		rep.add(x, 0, "", o.KeepHits)
		return nil
	})
}

// decoded returns br as UTF-8: a file that starts with a UTF-16 byte-order mark, or
// whose head (its first pii.SniffHead bytes) has the NUL bytes of UTF-16 text, is read
// as UTF-16, one whose head is not valid UTF-8 as Windows-1252, as the importer reads
// them (pii.SniffEncoding),
// and the report says so. Hit offsets and the redacted copy are then those of the
// decoded UTF-8 text.
func decoded(br *bufio.Reader, head []byte, rep *FileReport, redacting bool) io.Reader {
	enc := pii.SniffEncoding(head)
	if !enc.Decoded() {
		return br
	}
	rep.Encoding = enc.String()
	msg := "read as " + enc.String() + "; offsets are in the decoded UTF-8 text"
	if enc == pii.Windows1252 {
		msg = "read as Windows-1252 (not valid UTF-8); offsets are in the decoded UTF-8 text"
	}
	if redacting {
		msg += ", and the redacted copy is written as UTF-8"
	}
	rep.Warnings = append(rep.Warnings, msg)
	return pii.DecodeReader(br, enc)
}

// scanCell scans one value and returns it redacted when redacting.
func scanCell(ctx context.Context, val string, rep *FileReport, o Options, line int, col string) (string, error) {
	fs := o.Scanner.Scan([]byte(val))
	for _, x := range fs {
		rep.add(x, line, col, o.KeepHits)
	}
	if o.Redact == nil || len(fs) == 0 {
		return val, nil
	}
	b, err := pii.Redact(ctx, []byte(val), fs, *o.Redact)
	return string(b), err
}

// scanCSV reads a CSV file (the delimiter is pii.SniffDelimiter's, as the importer's:
// comma, semicolon, tab or pipe, decided on the first records). The first record names
// the columns only when csvHeader finds that it reads as a header; otherwise the
// columns are named "column 1", "column 2", … and a warning says so. Every record, the
// header included, is scanned.
func scanCSV(ctx context.Context, f io.Reader, rep *FileReport, o Options, w io.Writer) error {
	br := bufio.NewReaderSize(f, pii.SniffHead)
	head, err := br.Peek(pii.SniffHead)
	if err != nil && err != io.EOF {
		return err
	}
	if _, err := pii.SniffText(head); err != nil {
		return err
	}
	br = bufio.NewReaderSize(decoded(br, head, rep, w != nil), pii.SniffHead)
	first, _ := br.Peek(pii.SniffHead)
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.Comma = pii.SniffDelimiter(first)
	var cw *csv.Writer
	if w != nil {
		cw = csv.NewWriter(w)
		cw.Comma = cr.Comma
		defer cw.Flush()
	}
	read := func() (csvRecord, error) {
		row, err := cr.Read()
		if err == io.EOF {
			return csvRecord{}, err
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return csvRecord{}, fmt.Errorf("line %d, column %d: %s", pe.Line, pe.Column, pe.Err)
			}
			return csvRecord{}, err
		}
		line, _ := cr.FieldPos(0)
		return csvRecord{line: line, cells: row}, nil
	}
	// The records csvHeader compares the first one with are read ahead.
	var ahead []csvRecord
	for len(ahead) <= headerSample {
		r, err := read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		ahead = append(ahead, r)
	}
	sample := make([][]string, len(ahead))
	for i, r := range ahead {
		sample[i] = r.cells
	}
	header := csvHeader(sample)
	if header == nil && len(ahead) > 0 {
		rep.Warnings = append(rep.Warnings, "the first record is read as data, not as a header (it does not read as column names); columns are named by number")
	}
	for rec := 0; ; rec++ {
		var r csvRecord
		if rec < len(ahead) {
			r = ahead[rec]
		} else if r, err = read(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		row, line := r.cells, r.line
		for i, v := range row {
			col := fmt.Sprintf("column %d", i+1)
			if i < len(header) && rec > 0 && header[i] != "" {
				col = header[i]
			}
			if !utf8.ValidString(v) {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("line %d, %s: not valid UTF-8", line, col))
			}
			if row[i], err = scanCell(ctx, v, rep, o, line, col); err != nil {
				return fmt.Errorf("line %d, %s: %w", line, col, err)
			}
		}
		if cw != nil {
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		if rec%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
}

// scanXLSX scans every cell of every sheet; a redacted copy is saved as a workbook.
func scanXLSX(ctx context.Context, f io.Reader, rep *FileReport, o Options, w io.Writer) error {
	wb, err := excelize.OpenReader(f)
	if err != nil {
		return fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	defer wb.Close()
	for _, sheet := range wb.GetSheetList() {
		rows, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sheet, err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				red, err := scanCell(ctx, v, rep, o, r+1, sheet+"!"+cell)
				if err != nil {
					return fmt.Errorf("sheet %s cell %s: %w", sheet, cell, err)
				}
				if o.Redact != nil && red != v {
					if err := wb.SetCellStr(sheet, cell, red); err != nil {
						return err
					}
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if o.Redact == nil {
		return nil
	}
	_, err = wb.WriteTo(w)
	return err
}

// scanJSONL scans each line's string and number values with their field path; a line
// that is not JSON is scanned as text with a warning naming the line.
func scanJSONL(ctx context.Context, f io.Reader, rep *FileReport, o Options, w io.Writer) error {
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for line := 1; sc.Scan(); line++ {
		raw := sc.Bytes()
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if len(bytes.TrimSpace(raw)) > 0 && dec.Decode(&v) != nil {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("line %d: not JSON; scanned as text", line))
			red, err := scanCell(ctx, string(raw), rep, o, line, "")
			if err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			if w != nil {
				if _, err := io.WriteString(w, red+"\n"); err != nil {
					return err
				}
			}
			continue
		}
		var err error
		v, err = walkJSON(ctx, v, "", rep, o, line)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if w != nil {
			if o.Redact == nil {
				continue
			}
			out := raw
			if !bytes.Equal(bytes.TrimSpace(raw), nil) {
				if out, err = marshalOrdered(raw, v); err != nil {
					return fmt.Errorf("line %d: %w", line, err)
				}
			}
			if _, err := w.Write(append(out, '\n')); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return nil
}

// joinJSONPath names member name of the object at path ("a.b").
func joinJSONPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// walkJSON scans the keys, strings and numbers of v and returns v with them redacted.
func walkJSON(ctx context.Context, v any, path string, rep *FileReport, o Options, line int) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for n, k := range keys {
			name := k
			if len(o.Scanner.Scan([]byte(k))) > 0 {
				// A key that is personal data (an object keyed by e-mail address) is
				// scanned and redacted like a value, and named by its position.
				name = fmt.Sprintf("[key %d]", n+1)
				rk, err := scanCell(ctx, k, rep, o, line, joinJSONPath(path, name))
				if err != nil {
					return nil, err
				}
				if rk != k {
					v := x[k]
					delete(x, k)
					for _, taken := x[rk]; taken; _, taken = x[rk] {
						rk += "#"
					}
					x[rk] = v
					k = rk
				}
			}
			r, err := walkJSON(ctx, x[k], joinJSONPath(path, name), rep, o, line)
			if err != nil {
				return nil, err
			}
			x[k] = r
		}
	case []any:
		for i := range x {
			r, err := walkJSON(ctx, x[i], fmt.Sprintf("%s[%d]", path, i), rep, o, line)
			if err != nil {
				return nil, err
			}
			x[i] = r
		}
	case string:
		return scanCell(ctx, x, rep, o, line, path)
	case json.Number:
		red, err := scanCell(ctx, x.String(), rep, o, line, path)
		if err != nil || red == x.String() {
			return x, err
		}
		return red, nil // a redacted number becomes a string
	}
	return v, nil
}

// marshalOrdered re-encodes a redacted JSON object keeping the original key order of
// the top-level object (nested objects, and an object whose keys were redacted, are
// written with sorted keys).
func marshalOrdered(raw []byte, v any) ([]byte, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return json.Marshal(v)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
		if _, ok := m[k]; !ok {
			// A key redacted (walkJSON renamed it): the original order cannot be kept.
			return json.Marshal(v)
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(m[k])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// pathError names the path once ("x.csv: no such file or directory").
func pathError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", p, pe.Err)
	}
	return fmt.Errorf("%s: %w", p, err)
}
