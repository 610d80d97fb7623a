package pii

import (
	"bufio"
	"bytes"
	_ "embed"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The name and place detector (Options.Names) is dictionary- and pattern-based, for
// Bahasa Indonesia text:
//   - data/lexicon.tsv: capitalised words of the development half of idner_news_2k
//     with how often each was part of a person (PER), place (LOC) or organisation
//     span or of none;
//   - data/wilayah.txt: Indonesia's province and regency/city names;
//   - cue words: titles before a name ("Presiden", "Pak", "Bu"), reporting verbs
//     around it ("ujar X", "X mengatakan"), and place prepositions and nouns before
//     a place ("di", "ke", "dari", "Kota", "Kabupaten").
//
// A run of capitalised words is scored from these and reported as Person or Place
// when one of them clearly wins. Street addresses are found by pattern: "Jl.",
// "Jalan", "Gg.", "RT/RW", "Kel.", "Kec.", "Desa", "Kab." and what follows them.

//go:embed data/lexicon.tsv
var lexiconTSV []byte

//go:embed data/wilayah.txt
var wilayahTXT []byte

type lexEntry struct{ per, loc, org, other int }

var lexicon, gazetteer = func() (map[string]lexEntry, map[string]bool) {
	lex := map[string]lexEntry{}
	sc := bufio.NewScanner(bytes.NewReader(lexiconTSV))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 || strings.HasPrefix(f[0], "#") {
			continue
		}
		n := [4]int{}
		for i := range n {
			n[i], _ = strconv.Atoi(f[i+1])
		}
		lex[f[0]] = lexEntry{n[0], n[1], n[2], n[3]}
	}
	gaz := map[string]bool{}
	sc = bufio.NewScanner(bytes.NewReader(wilayahTXT))
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			for _, w := range strings.Fields(l) {
				gaz[w] = true
			}
		}
	}
	return lex, gaz
}()

// Cue words (lower-case).
var (
	personTitles = set("presiden", "wakil", "wapres", "menteri", "menko", "gubernur", "bupati", "wali", "walikota",
		"ketua", "pak", "bu", "bapak", "ibu", "sdr", "saudara", "saudari", "kapolri", "kapolda", "kapolres",
		"direktur", "dirut", "jenderal", "jend", "mantan", "capres", "cawapres", "dr", "prof", "h", "hj", "kh",
		"tuan", "nyonya", "mr", "mrs", "ms", "sekjen", "jubir", "juru", "bicara", "anggota", "politisi", "kakak",
		"adik", "istri", "suami", "putra", "putri", "mas", "mbak", "bang", "kak")
	reportVerbsBefore = set("ujar", "kata", "ucap", "tutur", "jelas", "ungkap", "imbuh", "tambah", "tegas", "papar", "terang", "said")
	reportVerbsAfter  = set("mengatakan", "menuturkan", "menjelaskan", "mengungkapkan", "menyatakan", "menegaskan",
		"menambahkan", "berharap", "mengaku", "menilai", "meminta", "menyebut", "said", "says")
	placeCues = set("di", "ke", "dari", "kota", "kabupaten", "kab", "provinsi", "kecamatan", "kec", "desa",
		"kelurahan", "kel", "wilayah", "daerah", "pulau", "gunung", "sungai", "jalan", "jl", "in", "at", "from")
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// word is a run of letters (any script), with inner hyphens and apostrophes.
type word struct {
	start, end int
	cap        bool // starts with an upper-case letter
	sentence   bool // first word of a sentence (or of the text)
	gapBefore  bool // something other than one space separates it from the previous word
}

// words splits buf into words starting in [from, limit).
func words(buf []byte, from, limit int) []word {
	var out []word
	i := from
	for i > 0 && i < len(buf) && isLetterAt(buf, i) && isLetterBefore(buf, i) {
		i++ // do not start inside a word
	}
	sentence := true
	gap := true
	for i < limit && i < len(buf) {
		if !isLetterAt(buf, i) {
			switch buf[i] {
			case '.', '!', '?', '\n', '"':
				sentence = true
			}
			if buf[i] != ' ' || i > 0 && buf[i-1] != ' ' && !isLetterBefore(buf, i) {
				gap = true
			}
			_, n := utf8.DecodeRune(buf[i:])
			i += n
			continue
		}
		s := i
		for i < len(buf) {
			if isLetterAt(buf, i) {
				_, n := utf8.DecodeRune(buf[i:])
				i += n
				continue
			}
			if (buf[i] == '-' || buf[i] == '\'') && i+1 < len(buf) && isLetterAt(buf, i+1) {
				i++
				continue
			}
			break
		}
		r, _ := utf8.DecodeRune(buf[s:])
		out = append(out, word{start: s, end: i, cap: unicode.IsUpper(r), sentence: sentence, gapBefore: gap})
		sentence, gap = false, false
	}
	return out
}

func isLetterAt(buf []byte, i int) bool {
	b := buf[i]
	if b < 0x80 {
		return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	r, _ := utf8.DecodeRune(buf[i:])
	return unicode.IsLetter(r)
}

func isLetterBefore(buf []byte, i int) bool {
	r, _ := utf8.DecodeLastRune(buf[:i])
	return unicode.IsLetter(r)
}

func lowerWord(b []byte) string {
	return strings.ToLower(string(b))
}

// namesPass finds persons, places and addresses among the words starting in
// buf[from:limit).
func (st *state) namesPass(from, limit int) {
	buf := st.buf
	if st.s.want[Address] {
		st.addresses(from, limit)
	}
	if !st.s.want[Person] && !st.s.want[Place] {
		return
	}
	ws := words(buf, from, min(limit+256, len(buf)))
	for i := 0; i < len(ws); {
		if !ws[i].cap || ws[i].start >= limit {
			i++
			continue
		}
		j := i + 1
		for j < len(ws) && ws[j].cap && !ws[j].gapBefore && !ws[j].sentence {
			j++
		}
		st.nameRun(ws, i, j)
		i = j
	}
}

// nameRun scores the capitalised words ws[i:j] and emits a Person or Place.
func (st *state) nameRun(ws []word, i, j int) {
	buf := st.buf
	// Leading and trailing words that the lexicon knows as ordinary words or
	// titles are context, not part of the name.
	for i < j {
		w := ws[i]
		lw := lowerWord(buf[w.start:w.end])
		e, ok := lexicon[string(buf[w.start:w.end])]
		if personTitles[lw] || placeCues[lw] || ok && e.other+e.org > 2*(e.per+e.loc) {
			i++
			continue
		}
		break
	}
	for j > i {
		w := ws[j-1]
		e, ok := lexicon[string(buf[w.start:w.end])]
		if ok && e.other+e.org > 2*(e.per+e.loc) {
			j--
			continue
		}
		break
	}
	if i >= j {
		return
	}
	var per, loc, other float64
	unknown := 0
	for k := i; k < j; k++ {
		w := buf[ws[k].start:ws[k].end]
		e, ok := lexicon[string(w)]
		if ok {
			per += float64(e.per)
			loc += float64(e.loc)
			other += float64(e.org + e.other)
		} else {
			unknown++
		}
		if gazetteer[string(w)] {
			loc += 2
		}
	}
	prev := ""
	if i > 0 && !ws[i].gapBefore || i > 0 && ws[i].start-ws[i-1].end <= 2 {
		prev = lowerWord(buf[ws[i-1].start:ws[i-1].end])
	}
	next := ""
	if j < len(ws) {
		next = lowerWord(buf[ws[j].start:ws[j].end])
	}
	switch {
	case personTitles[prev] || reportVerbsBefore[prev]:
		per += 3
	case placeCues[prev]:
		loc += 2
	}
	if reportVerbsAfter[next] {
		per += 2
	}
	if unknown > 0 && !ws[i].sentence {
		per += 0.5 * float64(unknown) // an unknown capitalised word mid-sentence is most often a name
	}
	start, end := ws[i].start, ws[j-1].end
	switch {
	case per > loc && per > other:
		st.emit(Person, start, end, confidence(per, loc+other), "dictionary", "")
	case loc > per && loc > other:
		st.emit(Place, start, end, confidence(loc, per+other), "dictionary", "")
	}
}

// confidence maps the winning score against the rest to 0.5-0.85 (below an
// address's 0.9, so an address keeps the names inside it).
func confidence(win, rest float64) float64 {
	return 0.5 + 0.35*win/(win+rest+1)
}

// Address triggers: the words that start an Indonesian street address.
var addressStarts = set("jl", "jln", "jalan", "gg", "gang", "rt", "kel", "kec", "kelurahan", "kecamatan", "desa",
	"komplek", "kompleks", "perumahan", "perum", "blok")

// Words an address may contain besides capitalised words and numbers.
var addressWords = set("no", "nomor", "rt", "rw", "blok", "gg", "gang", "kel", "kec", "kab", "kota", "kelurahan",
	"kecamatan", "kabupaten", "desa", "dusun", "kp", "kampung", "lt", "lantai", "jl", "jln", "jalan", "raya", "km")

// addresses finds street addresses starting in buf[from:limit).
func (st *state) addresses(from, limit int) {
	buf := st.buf
	for i := from; i < limit; i++ {
		b := buf[i]
		if b != 'J' && b != 'G' && b != 'R' && b != 'K' && b != 'D' && b != 'P' && b != 'B' || i > 0 && isAlnum(buf[i-1]) {
			continue
		}
		e := i
		for e < len(buf) && isAlnum(buf[e]) {
			e++
		}
		w := lowerWord(buf[i:e])
		if !addressStarts[w] {
			i = e
			continue
		}
		// "Jalan" and "Desa" need a capitalised name after them; abbreviations need
		// their dot or a space.
		end, words := st.addressEnd(i)
		if words < 2 {
			i = e
			continue
		}
		st.emit(Address, i, end, 0.9, "pattern", "")
		i = end
	}
}

// addressEnd extends an address from buf[s] over capitalised words, numbers, address
// words and the separators . , / - and returns its end and word count.
func (st *state) addressEnd(s int) (int, int) {
	buf := st.buf
	i, end, n := s, s, 0
	for i < len(buf) && i-s < 200 {
		switch c := buf[i]; {
		case c == ' ' || c == '.' || c == ',' || c == '/' || c == '-' || c == ':':
			if c == '.' && (i+1 == len(buf) || buf[i+1] == ' ' || buf[i+1] == '\n') && !abbreviated(buf, s, i) {
				return end, n // a sentence ends
			}
			i++
		case isDigit(c):
			e := i
			for e < len(buf) && (isAlnum(buf[e])) {
				e++
			}
			i, end = e, e
			n++
		case isAlnum(c) || c >= 0x80:
			e := i
			for e < len(buf) && (isAlnum(buf[e]) || buf[e] >= 0x80 && isLetterAt(buf, e)) {
				_, sz := utf8.DecodeRune(buf[e:])
				e += sz
			}
			r, _ := utf8.DecodeRune(buf[i:])
			if !unicode.IsUpper(r) && !addressWords[lowerWord(buf[i:e])] {
				return end, n
			}
			i, end = e, e
			n++
		default:
			return end, n
		}
	}
	return end, n
}

// abbreviated reports whether the dot at buf[dot] ends an abbreviation ("Jl.", "No.",
// "Kel.") rather than the sentence; s bounds the look-back.
func abbreviated(buf []byte, s, dot int) bool {
	k := dot
	for k > s && isAlnum(buf[k-1]) {
		k--
	}
	w := lowerWord(buf[k:dot])
	return addressWords[w] || addressStarts[w]
}
