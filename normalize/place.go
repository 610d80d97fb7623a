package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Region is a province or a regency/city of the Kemendagri region table (2025 edition,
// see WilayahNotice).
type Region struct {
	Code         string // "31" (province) or "3174" (regency/city), digits without dots
	Name         string // canonical name: "Kota Administrasi Jakarta Selatan", "Kabupaten Bogor", "Jawa Barat"
	Level        int    // 1 province, 2 regency (kabupaten) or city (kota)
	ProvinceCode string // the province's code ("31"); Code itself for a province
	Province     string // the province's name ("Daerah Khusus Ibukota Jakarta")
}

// Place looks up free text naming an Indonesian regency, city or province ("Jaksel",
// "Kab. Bogor", "BANDUNG", "Kota Pematang Siantar", "Jawa Barat") and returns its
// canonical Region. It is a best-effort look-up that answers ok=false rather than
// guessing; it is PlaceIn without a province.
func Place(raw string) (Region, bool) {
	return PlaceIn(raw, "")
}

// Province looks up free text naming an Indonesian province ("Jawa Barat", "JABAR",
// "DKI Jakarta", "Provinsi Bengkulu", "Bengkulu") and returns its Region (Level 1), or
// ok=false. Unlike Place, a name that is also a city's is read as the province.
func Province(raw string) (Region, bool) {
	return placeIndex.lookup(placeKey(raw))
}

// PlaceIn is Place with the province the text was written beside (a "Provinsi" column),
// which settles names that several provinces share; an empty province, or one Place
// cannot read, adds nothing.
//
// Matching ignores case, punctuation and spaces ("Tanjung Pinang" is Kota
// Tanjungpinang), and reads a leading "Kabupaten", "Kab.", "Kota", "Kotamadya", "Kodya",
// "Administrasi" or "Provinsi" as the kind of region asked for. Common abbreviations are
// known: Jakpus, Jakut, Jakbar, Jaksel, Jaktim, Tangsel, Jogja, DKI, DIY, Jabar, Jateng,
// Jatim, Sumut, Kaltim and the other province short forms.
//
// A name without a kind that is both a city and a regency of the same province
// ("Bandung", "Bogor", "Bekasi") is read as the city: the regency is written with its
// "Kab." in practice. A name shared by regions of different provinces ("Banjar") without
// a province that settles it, an unknown name, or text that is not valid UTF-8 gives
// ok=false. Regions are matched against the 2025 edition only: old Papua names resolve to
// the current regency of that name.
func PlaceIn(raw, province string) (Region, bool) {
	kind, key := placeKey(raw)
	if key == "" {
		return Region{}, false
	}
	prov := ""
	if province != "" {
		if p, ok := Province(province); ok {
			prov = p.Code
		}
	}
	var cands []Region
	if kind == "" {
		if code, ok := placeAliases[key]; ok {
			if r := placeIndex.byCode[code]; prov == "" || r.ProvinceCode == prov {
				return r, true
			}
			return Region{}, false
		}
		cands = append(append(cands, placeIndex.kota[key]...), placeIndex.kab[key]...)
		if len(cands) == 0 {
			if r, ok := placeIndex.prov[key]; ok {
				cands = append(cands, r)
			}
		}
	} else {
		cands = placeIndex.kind(kind, key)
	}
	if prov != "" {
		var in []Region
		for _, c := range cands {
			if c.ProvinceCode == prov {
				in = append(in, c)
			}
		}
		cands = in
	}
	switch {
	case len(cands) == 1:
		return cands[0], true
	case len(cands) == 2 && kind == "" && cands[0].ProvinceCode == cands[1].ProvinceCode &&
		strings.HasPrefix(cands[0].Name, "Kota ") && strings.HasPrefix(cands[1].Name, "Kabupaten "):
		return cands[0], true // the city of a city-and-regency name
	}
	return Region{}, false
}

// placeKey lower-cases raw, drops everything but letters and digits, and splits off a
// leading kind word: "kab", "kota" or "prov" (or "").
func placeKey(raw string) (kind, key string) {
	if !utf8.ValidString(raw) || len(raw) > 200 {
		return "", ""
	}
	words := strings.FieldsFunc(strings.ToLower(norm.NFC.String(raw)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for len(words) > 1 {
		k := ""
		switch words[0] {
		case "kabupaten", "kab":
			k = "kab"
		case "kota", "kotamadya", "kodya", "kotif", "kot":
			k = "kota"
		case "provinsi", "propinsi", "prov", "prop":
			k = "prov"
		case "administrasi", "adm":
			words = words[1:]
			continue
		}
		if k == "" || kind != "" {
			break
		}
		kind, words = k, words[1:]
	}
	return kind, strings.Join(words, "")
}

// regionIndex holds the 2025 regions by key (placeKey of the name less its kind).
type regionIndex struct {
	byCode    map[string]Region
	kab, kota map[string][]Region
	prov      map[string]Region
}

func (x *regionIndex) kind(kind, key string) []Region {
	switch kind {
	case "kab":
		return x.kab[key]
	case "kota":
		return x.kota[key]
	}
	if r, ok := x.prov[key]; ok {
		return []Region{r}
	}
	return nil
}

// lookup resolves a province text for PlaceIn: a kind-less key may name a province or
// be its alias.
func (x *regionIndex) lookup(kind, key string) (Region, bool) {
	if kind == "" || kind == "prov" {
		if code, ok := placeAliases[key]; ok && len(code) == 2 {
			return x.byCode[code], true
		}
		if r, ok := x.prov[key]; ok {
			return r, true
		}
	}
	return Region{}, false
}

// placeAliases are abbreviations in common use, by placeKey, to 2025 codes (a test
// checks each code's name).
var placeAliases = map[string]string{
	"jakpus": "3171", "jakut": "3172", "jakbar": "3173", "jaksel": "3174", "jaktim": "3175",
	"tangsel": "3674", "jogja": "3471", "jogjakarta": "3471", "yogya": "3471", "jogya": "3471",
	"dki": "31", "diy": "34", "nad": "11", "sumut": "12", "sumbar": "13", "sumsel": "16",
	"babel": "19", "kepri": "21", "jabar": "32", "jateng": "33", "jatim": "35",
	"ntb": "52", "ntt": "53", "kalbar": "61", "kalteng": "62", "kalsel": "63", "kaltim": "64",
	"kaltara": "65", "sulut": "71", "sulteng": "72", "sulsel": "73", "sultra": "74",
	"sulbar": "76", "malut": "82", "pabar": "92", "pabarda": "96",
}

var placeIndex = buildPlaceIndex(regionsTSV)

// buildPlaceIndex reads regions.tsv ("code<TAB>current<TAB>name"). The file is generated
// and checked by tests, so a malformed line is a build defect: it panics at start-up.
func buildPlaceIndex(tsv string) *regionIndex {
	x := &regionIndex{byCode: map[string]Region{}, kab: map[string][]Region{}, kota: map[string][]Region{}, prov: map[string]Region{}}
	for line := range strings.Lines(tsv) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(f) != 3 || (len(f[0]) != 2 && len(f[0]) != 4) {
			panic("normalize: wilayah/regions.tsv is malformed")
		}
		if f[1] != "1" {
			continue // dropped codes: their names live on under the new codes
		}
		code, name := f[0], f[2]
		if len(code) == 2 {
			r := Region{Code: code, Name: name, Level: 1, ProvinceCode: code, Province: name}
			x.byCode[code] = r
			_, k := placeKey(name)
			x.prov[k] = r
			for p, short := range map[string]string{"Daerah Khusus Ibukota ": "dki", "Daerah Istimewa ": "di"} {
				if base, ok := strings.CutPrefix(name, p); ok {
					_, k := placeKey(base)
					x.prov[k] = r
					x.prov[short+k] = r
				}
			}
			continue
		}
		p, ok := x.byCode[code[:2]]
		if !ok {
			panic("normalize: wilayah/regions.tsv lists a regency before its province")
		}
		r := Region{Code: code, Name: name, Level: 2, ProvinceCode: p.Code, Province: p.Name}
		x.byCode[code] = r
		kind, key := placeKey(name)
		switch kind {
		case "kab":
			x.kab[key] = append(x.kab[key], r)
		case "kota":
			x.kota[key] = append(x.kota[key], r)
		default:
			panic("normalize: wilayah/regions.tsv has a regency that is neither Kabupaten nor Kota")
		}
	}
	for _, code := range placeAliases {
		if _, ok := x.byCode[code]; !ok {
			panic("normalize: a place alias names a code that is not in the 2025 table")
		}
	}
	return x
}
