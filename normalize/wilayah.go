package normalize

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:generate go run ./internal/genwilayah -src ../../shared/data/wilayah -out wilayah

// The region tables are generated from the Kemendagri region codes (Kode Wilayah) of
// github.com/cahyadsn/wilayah, MIT licence © 2017-2025 Cahya DSN: wilayah/NOTICE holds
// the licence, embedded here beside the data as the licence asks (NOTICE is exported as
// WilayahNotice). `go generate ./normalize` rewrites them from shared/data/wilayah
// (package internal/wilayahgen says how); a test checks they match the data.

//go:embed wilayah/districts.txt
var districtsTxt string

//go:embed wilayah/regions.tsv
var regionsTSV string

// WilayahNotice is the MIT licence notice of the region-code data that NIK validation and
// Place use (cahyadsn/wilayah, Kemendagri codes); software that ships Jaga must keep it.
//
//go:embed wilayah/NOTICE
var WilayahNotice string

// districtSet holds every district (kecamatan) code of every edition: for a regency or
// city code RRRR (0-9999), index[RRRR] is 0 when the regency has no districts and
// otherwise 1 + its position in bits, whose 128-bit mask has bit DD set for each district
// number DD (01-99).
type districtSet struct {
	index [10000]uint16
	bits  [][2]uint64
	prov  [100]bool // province codes that have at least one regency with districts
}

var districts = parseDistricts(districtsTxt)

// parseDistricts reads districts.txt ("RRRR DD DD …" per line). The file is generated
// and checked by tests, so a malformed line is a build defect: it panics at start-up.
func parseDistricts(txt string) *districtSet {
	s := &districtSet{}
	for line := range strings.Lines(txt) {
		f := strings.Fields(line)
		if len(f) < 2 || len(f[0]) != 4 || !allDigits(f[0]) {
			panic("normalize: wilayah/districts.txt is malformed")
		}
		rc := atoi(f[0])
		var m [2]uint64
		for _, d := range f[1:] {
			if len(d) != 2 || !allDigits(d) {
				panic("normalize: wilayah/districts.txt is malformed")
			}
			n := atoi(d)
			m[n/64] |= 1 << (n % 64)
		}
		s.bits = append(s.bits, m)
		s.index[rc] = uint16(len(s.bits))
		s.prov[rc/100] = true
	}
	return s
}

// reason checks the first six digits of a NIK against the district table and
// returns "", "" or the reason and message of the failure.
func (s *districtSet) reason(b *[16]byte) (reason, msg string) {
	p := int(b[0]-'0')*10 + int(b[1]-'0')
	if !s.prov[p] {
		return ReasonNIKRegion, "nik digits 1-2 are not a province code"
	}
	i := s.index[p*100+int(b[2]-'0')*10+int(b[3]-'0')]
	if i == 0 {
		return ReasonNIKRegion, "nik digits 3-4 are not a regency or city code of that province (Kemendagri, any edition since 2016)"
	}
	d := int(b[4]-'0')*10 + int(b[5]-'0')
	if s.bits[i-1][d/64]&(1<<(d%64)) == 0 {
		return ReasonNIKRegion, "nik digits 5-6 are not a district (kecamatan) code of that regency (Kemendagri, any edition since 2016)"
	}
	return "", ""
}

// DistrictCodes returns every district (kecamatan) code NIK validation accepts, as
// six-digit strings "PPRRDD" in ascending order, from every edition of the embedded
// Kemendagri table (see WilayahNotice). Generators of synthetic NIKs use it; the slice is
// new on each call.
func DistrictCodes() []string {
	var out []string
	for rc, i := range districts.index {
		if i == 0 {
			continue
		}
		m := districts.bits[i-1]
		for d := 1; d < 100; d++ {
			if m[d/64]&(1<<(d%64)) != 0 {
				out = append(out, fmt.Sprintf("%04d%02d", rc, d))
			}
		}
	}
	return out
}
