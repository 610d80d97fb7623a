// Package wilayahgen builds normalize's embedded region tables from the Kemendagri
// region codes in shared/data/wilayah (cahyadsn/wilayah, MIT licence; see
// shared/data/SOURCES.md): the district (kecamatan) codes a NIK's first six digits may
// take, in every edition the data holds (2016, 2018, 2020, 2022, 2023, 2025), and the
// names of provinces and regencies/cities for the free-text place lookup.
//
// It is used by the generator command (normalize/internal/genwilayah, run by
// `go generate ./normalize`) and by normalize's tests, which check that the committed
// files are what the data gives. It imports only the standard library.
package wilayahgen

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Input files, relative to the data directory.
const (
	HistoryFile = "wilayah_kecamatan_history.csv"
	CurrentFile = "wilayah_kemendagri_2025.csv"
	LicenseFile = "LICENSE"
)

// Output files, written beside each other in normalize/wilayah/.
const (
	DistrictsFile = "districts.txt"
	RegionsFile   = "regions.tsv"
	NoticeFile    = "NOTICE"
)

// Generate reads the data directory src and returns the output files by name:
//
//   - districts.txt: one line per regency/city that has districts, sorted, "RRRR" then a
//     space-separated list of its two-digit district numbers ("3204 01 02 03 …"): every
//     level-3 code of any edition in the history file, so a NIK keeps passing after its
//     district was renumbered (the old Papua 91/92 codes split into provinces 93-96).
//   - regions.tsv: "code<TAB>current<TAB>name" for every province (2 digits) and
//     regency/city (4 digits) of any edition, sorted by code; current is 1 when the code is
//     in the 2025 edition, 0 when it was dropped; names are trimmed and take the 2025
//     spelling where the code still exists.
//   - NOTICE: the data's MIT licence with a line saying what was taken from it.
//
// Errors: a missing or unreadable file, a malformed row (named by file and line), or a
// code of the 2025 table that the history file lacks.
func Generate(src string) (map[string][]byte, error) {
	hist, err := readCSV(filepath.Join(src, HistoryFile), []string{"kode", "nik_prefix", "nama_latest", "level", "editions"})
	if err != nil {
		return nil, err
	}
	cur, err := readCSV(filepath.Join(src, CurrentFile), []string{"kode", "nama", "level"})
	if err != nil {
		return nil, err
	}
	lic, err := os.ReadFile(filepath.Join(src, LicenseFile))
	if err != nil {
		return nil, err
	}

	type region struct {
		name    string
		current bool
	}
	districts := map[string][]string{} // regency → district numbers
	regions := map[string]*region{}    // 2- and 4-digit codes
	for _, r := range hist {
		code, prefix, name, level := r.f[0], r.f[1], strings.TrimSpace(r.f[2]), r.f[3]
		digits := strings.ReplaceAll(code, ".", "")
		if digits != prefix || !allDigits(digits) {
			return nil, fmt.Errorf("%s:%d: code and nik_prefix disagree or are not digits", HistoryFile, r.line)
		}
		eds := strings.Split(r.f[4], ";")
		for _, e := range eds {
			if y, err := strconv.Atoi(e); err != nil || y < 2000 || y > 2100 {
				return nil, fmt.Errorf("%s:%d: editions must be years separated by ;", HistoryFile, r.line)
			}
		}
		switch {
		case level == "1" && len(digits) == 2, level == "2" && len(digits) == 4:
			regions[digits] = &region{name: name, current: slices.Contains(eds, "2025")}
		case level == "3" && len(digits) == 6:
			districts[digits[:4]] = append(districts[digits[:4]], digits[4:])
		default:
			return nil, fmt.Errorf("%s:%d: level %q does not fit a code of %d digits", HistoryFile, r.line, level, len(digits))
		}
	}
	for _, r := range cur {
		code, name, level := r.f[0], strings.TrimSpace(r.f[1]), r.f[2]
		digits := strings.ReplaceAll(code, ".", "")
		switch level {
		case "1", "2":
			g, ok := regions[digits]
			if !ok || !g.current {
				return nil, fmt.Errorf("%s:%d: code not in the history file's 2025 edition", CurrentFile, r.line)
			}
			g.name = name
		case "3":
			if !slices.Contains(districts[digits[:4]], digits[4:]) {
				return nil, fmt.Errorf("%s:%d: district code not in the history file", CurrentFile, r.line)
			}
		}
	}

	var d bytes.Buffer
	for _, rc := range sortedKeys(districts) {
		ks := districts[rc]
		slices.Sort(ks)
		ks = slices.Compact(ks)
		d.WriteString(rc)
		for _, k := range ks {
			d.WriteByte(' ')
			d.WriteString(k)
		}
		d.WriteByte('\n')
	}
	var g bytes.Buffer
	for _, c := range sortedKeys(regions) {
		cur := "0"
		if regions[c].current {
			cur = "1"
		}
		if strings.ContainsAny(regions[c].name, "\t\n") {
			return nil, fmt.Errorf("region %s: name contains a tab or line break", c)
		}
		fmt.Fprintf(&g, "%s\t%s\t%s\n", c, cur, regions[c].name)
	}
	var n bytes.Buffer
	n.WriteString("districts.txt and regions.tsv are generated from the Indonesian region codes\n" +
		"(Kode Wilayah, Kepmendagri No 300.2.2-2138 Tahun 2025, and the 2016-2023 editions) of\n" +
		"https://github.com/cahyadsn/wilayah (db/wilayah.sql and db/archive/), under this licence:\n\n")
	n.Write(lic)
	return map[string][]byte{DistrictsFile: d.Bytes(), RegionsFile: g.Bytes(), NoticeFile: n.Bytes()}, nil
}

type row struct {
	line int
	f    []string
}

// readCSV reads a comma-separated file with the given header.
func readCSV(path string, header []string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", filepath.Base(path), err)
	}
	if !slices.Equal(head, header) {
		return nil, fmt.Errorf("%s: header is %q; expected %q", filepath.Base(path), head, header)
	}
	var rows []row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, row{line: line, f: rec})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", filepath.Base(path))
	}
	return rows, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
