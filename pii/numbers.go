package pii

import (
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"jaga/normalize"
)

// nikValid is the NIK structure check (province, regency, district, birth date,
// serial) shared with intake: normalize.NIKValid, whose body follows normalize's NIK
// rules (and its district table when that arrives). A direct call, so the digits stay
// on the stack.
func nikValid(d []byte) bool { return normalize.NIKValid(d) }

// maxGroups bounds the digit groups one number token may have ("0812 3456 7890" has 3,
// "01.312.166.0-091.000" has 6).
const maxGroups = 8

// numTok is a run of digit groups joined by single separators (" ", "-", ".", " - "),
// optionally after "+" or "(".
type numTok struct {
	start        int // first byte of the token ("+" or "(" included)
	plus, paren  bool
	groups       int
	gStart, gEnd [maxGroups]int
}

// number handles a candidate starting at the digit buf[i] and returns where scanning
// goes on.
func (st *state) number(i int) int {
	buf := st.buf
	j := i
	for j < len(buf) && isDigit(buf[j]) {
		j++
	}
	first := j - i
	if j < len(buf) && buf[j] == ':' && first <= 4 {
		return j // "2001:db8::1" or a time of day: the colon handler decides
	}
	if first <= 3 && j+1 < len(buf) && buf[j] == '.' && isDigit(buf[j+1]) {
		if end, ok := st.ipv4(i); ok {
			return end
		}
	}
	if first < 6 && (j >= len(buf) || buf[j] != ' ' && buf[j] != '-' && buf[j] != '.' && buf[j] != ')') &&
		(i == 0 || buf[i-1] != '+' && buf[i-1] != '(') {
		// A short number on its own (a count, a year): only a plate can start here.
		if first <= 4 && buf[i] != '0' && st.s.want[Plate] {
			if end, ok := st.plate(i, j); ok {
				return end
			}
		}
		return j
	}
	var t numTok
	t.start = i
	if i > 0 {
		switch buf[i-1] {
		case '+':
			t.plus, t.start = true, i-1
			if i > 1 && buf[i-2] == '(' {
				t.start = i - 2
			}
		case '(':
			t.paren, t.start = true, i-1
		}
	}
	if !leftBoundary(buf, t.start) {
		if i > 0 && isUpper(buf[i-1]) {
			return st.passport(i, j)
		}
		return j
	}
	// Collect the groups.
	k, total := i, 0
	for {
		s := k
		for k < len(buf) && isDigit(buf[k]) {
			k++
		}
		t.gStart[t.groups], t.gEnd[t.groups] = s, k
		t.groups++
		total += k - s
		if t.groups == maxGroups || total > 20 {
			break
		}
		m := k
		if t.paren && t.groups == 1 && m < len(buf) && buf[m] == ')' {
			m++
		}
		sp := m
		if m < len(buf) && buf[m] == ' ' {
			m++
		}
		if m < len(buf) && (buf[m] == '-' || buf[m] == '.') {
			m++
			if m < len(buf) && buf[m] == ' ' {
				m++
			}
		}
		if m == sp && m == k || m >= len(buf) || !isDigit(buf[m]) {
			break
		}
		k = m
	}
	if t.paren && !(t.gEnd[0] < len(buf) && buf[t.gEnd[0]] == ')') {
		t.paren, t.start = false, i
	}
	for p := t.groups; p >= 1; p-- {
		if end, ok := st.classify(&t, p); ok {
			return end
		}
	}
	if t.groups == 1 && first <= 4 && buf[i] != '0' && st.s.want[Plate] {
		if end, ok := st.plate(i, j); ok {
			return end
		}
	}
	return j
}

// classify tries the first p groups of t as each numeric kind, most specific first,
// and emits the first that fits.
func (st *state) classify(t *numTok, p int) (int, bool) {
	buf := st.buf
	d := &st.digits
	n := 0
	var shape [maxGroups]int
	for g := 0; g < p; g++ {
		l := t.gEnd[g] - t.gStart[g]
		if n+l > len(d) {
			return 0, false
		}
		n += copy(d[n:], buf[t.gStart[g]:t.gEnd[g]])
		shape[g] = l
	}
	if n < 6 {
		return 0, false
	}
	end := t.gEnd[p-1]
	if !rightBoundary(buf, end) {
		return 0, false
	}
	digits := d[:n]
	sh := shape[:p]
	st.haveCtx = false
	getCtx := func() *ctx { return st.context(t.start) }
	start := t.start // "+62 …" and "(021) …": the sign and parenthesis belong to the number

	cardOK := n >= 12 && n <= 19 && !t.plus && !t.paren && cardShape(sh, n) && luhn(digits) && cardIIN(digits) && !allSame(digits)
	if n == 16 && !t.plus && !t.paren {
		if shapeIn(sh, nikShapes) && nikValid(digits) {
			c := getCtx()
			switch {
			case cardOK && c.has(Card) && c.nearer(Card, NIK) && c.nearer(Card, KK) && c.nearer(Card, NPWP):
				// A card number that happens to read as a NIK, after "card"/"kartu
				// kredit": the nearer word decides. Without such a word a Luhn-valid
				// NIK stays a NIK.
				st.emit(Card, start, end, 0.9, "luhn", c.word[Card])
			case c.has(KK) && c.nearer(KK, NIK):
				st.emit(KK, start, end, 0.9, "nik_structure", c.word[KK])
			case c.has(NPWP) && c.nearer(NPWP, NIK):
				st.emit(NPWP, start, end, 0.9, "nik_structure", c.word[NPWP])
			case c.has(NIK):
				st.emit(NIK, start, end, 0.97, "nik_structure", c.word[NIK])
			default:
				st.emit(NIK, start, end, 0.85, "nik_structure", "")
			}
			return end, true
		}
		if digits[0] == '0' && shapeIn(sh, npwp16Shapes) && npwpCheck(digits[1:]) {
			c := getCtx()
			st.emit(NPWP, start, end, conf(c, NPWP, 0.85, 0.97), "npwp_check_digit", c.word[NPWP])
			return end, true
		}
		if shapeIn(sh, nikShapes) {
			// Sixteen digits right after "NIK"/"KTP" that fail the structure check (a
			// typo, a made-up number): still meant as a NIK, and redacted as one, but
			// with low confidence and the validator "context_only". A card word nearer
			// than the label keeps the card reading.
			if c := getCtx(); strongNIK(c) && !(cardOK && c.nearer(Card, NIK)) {
				st.emit(NIK, start, end, contextOnlyConfidence, "context_only", c.word[NIK])
				return end, true
			}
		}
	}
	if n == 15 && !t.plus && !t.paren && shapeIn(sh, npwp15Shapes) && npwpCheck(digits) {
		// Written as NPWP (dots and hyphen) or starting with 0 (no card does): an NPWP.
		// Plain 15 digits otherwise need an NPWP context word, or they are a card if
		// they pass as one.
		if c := getCtx(); p > 1 || digits[0] == '0' || c.has(NPWP) {
			st.emit(NPWP, start, end, conf(c, NPWP, 0.85, 0.97), "npwp_check_digit", c.word[NPWP])
			return end, true
		}
	}
	if cardOK {
		c := getCtx()
		switch {
		case c.has(Card):
		case digits[0] == '6' && digits[1] == '2' && n <= 15 && st.phone(buf[start:end], digits, c):
			// "6281234567890": an Indonesian mobile number without its "+" that
			// happens to pass Luhn; without a card word it is the phone.
			return end, true
		case n == 16 && nikLike(digits):
			// Sixteen digits with a province, regency and district code: a NIK with a
			// typo is likelier than a card without a card word.
			return 0, false
		}
		st.emit(Card, start, end, conf(c, Card, 0.8, 0.95), "luhn", c.word[Card])
		return end, true
	}
	// Bank accounts and BPJS numbers are written plain or in groups of 3+ digits;
	// dates and times (2-digit groups) never need their context read.
	var c *ctx
	wide := true
	for _, l := range sh {
		wide = wide && l >= 3
	}
	if wide && n <= 18 && !t.plus {
		c = getCtx()
		if c.has(BPJS) && n >= 11 && n <= 13 && c.nearer(BPJS, BankAccount) && c.nearer(BPJS, Phone) {
			st.emit(BPJS, start, end, 0.85, "length", c.word[BPJS])
			return end, true
		}
		if c.has(BankAccount) && c.nearer(BankAccount, Phone) {
			st.emit(BankAccount, start, end, 0.8, "length", c.word[BankAccount])
			return end, true
		}
	}
	if phoneCandidate(digits, t.plus) && st.phone(buf[start:end], digits, getCtx()) {
		return end, true
	}
	return 0, false
}

// phone validates raw (digits d) as a phone number with libphonenumber and emits it:
// through normalize.Phone (Indonesian numbers, shared with intake) or, after a "+",
// as an international number.
func (st *state) phone(raw, d []byte, c *ctx) bool {
	if !st.s.want[Phone] {
		return false
	}
	if d[0] == '0' || d[0] == '6' && d[1] == '2' {
		if _, err := normalize.Phone(string(raw)); err == nil {
			st.emit(Phone, st.off(raw), st.off(raw)+len(raw), conf(c, Phone, 0.85, 0.97), "libphonenumber", c.word[Phone])
			return true
		}
		return false
	}
	if num, err := phonenumbers.Parse(string(raw), "ZZ"); err == nil && phonenumbers.IsValidNumber(num) {
		st.emit(Phone, st.off(raw), st.off(raw)+len(raw), conf(c, Phone, 0.75, 0.9), "libphonenumber", c.word[Phone])
		return true
	}
	return false
}

// off returns the offset in st.buf of the subslice b.
func (st *state) off(b []byte) int {
	return cap(st.buf) - cap(b)
}

// contextOnlyConfidence is the confidence of a finding that only its label supports.
const contextOnlyConfidence = 0.4

// strongNIK reports whether the word right before a number is a NIK label ("NIK",
// "NIK-nya", "KTP", "e-KTP", "No. KTP"); wider words ("identitas", "penduduk") are not.
func strongNIK(c *ctx) bool {
	if c.dist[NIK] != 1 {
		return false
	}
	switch c.word[NIK] {
	case "nik", "ktp", "e-ktp", "ektp", "ktp-el":
		return true
	}
	return false
}

// nikLike reports whether 16 digits start like a NIK (province, regency and district
// codes) whatever their date and serial.
func nikLike(d []byte) bool {
	var b [16]byte
	copy(b[:], d[:6])
	copy(b[6:], "0101000001") // 1 January, serial 0001
	return nikValid(b[:])
}

// context returns the context words before the number being classified, read once.
func (st *state) context(start int) *ctx {
	if !st.haveCtx {
		st.cx, st.haveCtx = readContext(st.buf, start), true
	}
	return &st.cx
}

// conf is lo, or hi when a context word for k was found.
func conf(c *ctx, k Kind, lo, hi float64) float64 {
	if c.has(k) {
		return hi
	}
	return lo
}

// phoneCandidate is the cheap check before libphonenumber: an Indonesian number starts
// with a trunk 0 (then not 0) or with 62, and has 9-13 national digits; another
// country's number needs its "+".
func phoneCandidate(d []byte, plus bool) bool {
	n := len(d)
	switch {
	case d[0] == '0':
		return !plus && d[1] != '0' && n >= 9 && n <= 13
	case d[0] == '6' && d[1] == '2':
		return n >= 10 && n <= 15 && (plus || d[2] == '8')
	default:
		return plus && n >= 8 && n <= 15
	}
}

// Accepted groupings (digits per group) of separated numbers.
var (
	nikShapes    = [][]int{{16}, {4, 4, 4, 4}, {2, 2, 2, 6, 4}, {6, 6, 4}, {6, 2, 2, 2, 4}}
	npwp15Shapes = [][]int{{15}, {2, 3, 3, 1, 3, 3}}
	npwp16Shapes = [][]int{{16}, {3, 3, 3, 1, 3, 3}, {4, 4, 4, 4}}
)

func shapeIn(sh []int, set [][]int) bool {
	for _, s := range set {
		if len(s) != len(sh) {
			continue
		}
		eq := true
		for i := range s {
			if s[i] != sh[i] {
				eq = false
				break
			}
		}
		if eq {
			return true
		}
	}
	return false
}

// cardShape: one run, groups of four with a shorter last group, or the Amex/Diners
// 4-6-5 and 4-6-4.
func cardShape(sh []int, n int) bool {
	if len(sh) == 1 {
		return true
	}
	if len(sh) == 3 && sh[0] == 4 && sh[1] == 6 && (sh[2] == 5 || sh[2] == 4) {
		return true
	}
	for i, l := range sh {
		if i < len(sh)-1 && l != 4 || i == len(sh)-1 && (l < 1 || l > 4) {
			return false
		}
	}
	return true
}

// luhn reports whether the digits pass the Luhn (mod 10) check (ISO/IEC 7812-1).
func luhn(d []byte) bool {
	sum, dbl := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if dbl {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		dbl = !dbl
	}
	return sum%10 == 0
}

// cardIIN checks the issuer prefix against the length (ISO/IEC 7812 ranges of the
// networks in use in Indonesia: Visa, Mastercard, Amex, Diners, Discover, JCB,
// UnionPay, Maestro, UATP). Numbers starting with 1 other than 15-digit UATP are
// refused, which also keeps 13- and 16-digit millisecond and microsecond timestamps
// out; 0, 7, 8 and 9 are not card prefixes.
func cardIIN(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch d[0] {
	case '1':
		return n == 15
	case '2':
		return p4 >= 2221 && p4 <= 2720 && n == 16 || p4 == 2131 && n == 15 // Mastercard 2-series; old JCB
	case '3':
		switch {
		case p2 == 34 || p2 == 37:
			return n == 15
		case p4 >= 3000 && p4 <= 3059 || p2 == 36 || p2 == 38 || p2 == 39:
			return n >= 14 && n <= 19
		case p2 == 35: // JCB (registered 3528-3589; issuers' test ranges use all of 35)
			return n >= 16 && n <= 19
		}
		return false
	case '4':
		return n == 13 || n == 16 || n == 19
	case '5':
		if p2 >= 51 && p2 <= 55 {
			return n == 16
		}
		return n >= 12 && n <= 19 // Maestro 50, 56-58
	case '6':
		return n >= 12 && n <= 19 // Discover 6011/644-649/65, UnionPay 62, Maestro 6x
	}
	return false
}

func allSame(d []byte) bool {
	for _, c := range d {
		if c != d[0] {
			return false
		}
	}
	return true
}

// npwpCheck reports whether 15 digits form an NPWP: digit 9 is the Luhn check digit
// of digits 1-8 (python-stdnum stdnum/id/npwp.py; the 15-digit format of the Direktorat
// Jenderal Pajak: 9 digits taxpayer number with check digit, 3 digits tax office, 3
// digits branch).
func npwpCheck(d []byte) bool {
	return len(d) == 15 && luhn(d[:9])
}

// ValidNPWP reports whether s is an NPWP in any accepted writing: 15 digits with a
// valid check digit, or the 16-digit form of 2024 (a valid NIK, or "0" and the old 15
// digits), with spaces, dots and hyphens ignored (PMK 112/2022).
func ValidNPWP(s string) bool {
	d, ok := onlyDigits(s, 16)
	if !ok {
		return false
	}
	switch len(d) {
	case 15:
		return npwpCheck(d)
	case 16:
		return nikValid(d) || d[0] == '0' && npwpCheck(d[1:])
	}
	return false
}

// ValidNIK reports whether s is a structurally valid NIK (normalize.NIKValid) with
// spaces, dots and hyphens ignored.
func ValidNIK(s string) bool {
	d, ok := onlyDigits(s, 16)
	return ok && nikValid(d)
}

// onlyDigits returns the digits of s if s has only digits and the separators
// " .-" and at most max digits.
func onlyDigits(s string, max int) ([]byte, bool) {
	d := make([]byte, 0, max)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if len(d) == max {
				return nil, false
			}
			d = append(d, c)
		case c == ' ' || c == '.' || c == '-':
		default:
			return nil, false
		}
	}
	return d, true
}

// passport handles digits buf[i:j] glued to upper-case letters before them: an
// Indonesian passport number is one or two letters and 7 digits (older ones 6), and
// is reported only after a "paspor"/"passport" context word.
func (st *state) passport(i, j int) int {
	buf := st.buf
	s := i
	for s > 0 && i-s < 2 && isUpper(buf[s-1]) {
		s--
	}
	if !leftBoundary(buf, s) || j-i < 6 || j-i > 8 || !rightBoundary(buf, j) || j < len(buf) && (buf[j] == '-' || buf[j] == '.') {
		return j
	}
	if c := readContext(buf, s); c.has(Passport) {
		st.emit(Passport, s, j, 0.85, "length", c.word[Passport])
	}
	return j
}

// plateRegions are the registration area codes of Indonesian plates (Korlantas Polri).
var plateRegions = map[string]bool{}

func init() {
	for _, r := range []string{"A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z",
		"AA", "AB", "AD", "AE", "AG", "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BP",
		"DA", "DB", "DC", "DD", "DE", "DG", "DH", "DK", "DL", "DM", "DN", "DR", "DS", "DT",
		"EA", "EB", "ED", "KB", "KH", "KT", "KU", "PA", "PB", "PG", "PT"} {
		plateRegions[r] = true
	}
}

// plate checks for a vehicle plate around the digits buf[i:j]: region code, space, 1-4
// digits, space, 1-3 letters ("B 1234 XYZ").
func (st *state) plate(i, j int) (int, bool) {
	buf := st.buf
	if i < 2 || buf[i-1] != ' ' || !isUpper(buf[i-2]) {
		return 0, false
	}
	s := i - 2
	if s > 0 && isUpper(buf[s-1]) {
		s--
	}
	if !leftBoundary(buf, s) || !plateRegions[string(buf[s:i-1])] {
		return 0, false
	}
	if j+1 >= len(buf) || buf[j] != ' ' || !isUpper(buf[j+1]) {
		return 0, false
	}
	e := j + 1
	for e < len(buf) && e-j <= 3 && isUpper(buf[e]) {
		e++
	}
	if e-j-1 > 3 || !rightBoundary(buf, e) {
		return 0, false
	}
	c := readContext(buf, s)
	st.emit(Plate, s, e, conf(&c, Plate, 0.7, 0.9), "plate_format", c.word[Plate])
	return e, true
}

// ipv4 reads a dotted-quad IPv4 address at buf[i] (optionally "/prefix").
func (st *state) ipv4(i int) (int, bool) {
	buf := st.buf
	if i > 0 {
		p := buf[i-1]
		if isAlnum(p) || p == '.' || p == '-' || p == '_' || p >= 0x80 && runeBefore(buf, i) {
			return 0, false
		}
	}
	k := i
	for o := 0; o < 4; o++ {
		if o > 0 {
			if k >= len(buf) || buf[k] != '.' {
				return 0, false
			}
			k++
		}
		s, v := k, 0
		for k < len(buf) && isDigit(buf[k]) && k-s < 4 {
			v = v*10 + int(buf[k]-'0')
			k++
		}
		if l := k - s; l == 0 || l > 3 || v > 255 || l > 1 && buf[s] == '0' {
			return 0, false
		}
	}
	if k < len(buf) && (isAlnum(buf[k]) || buf[k] >= 0x80 && runeAt(buf, k)) {
		return 0, false
	}
	end := k
	if k+1 < len(buf) && buf[k] == '/' && isDigit(buf[k+1]) {
		m, v := k+1, 0
		for m < len(buf) && isDigit(buf[m]) && m-k <= 3 {
			v = v*10 + int(buf[m]-'0')
			m++
		}
		if v <= 32 && m-k <= 3 && (m == len(buf) || !isAlnum(buf[m])) {
			end = m
		}
	}
	st.emit(IP, i, end, 0.85, "netip", "")
	return end, true
}

// leftBoundary reports whether a token may start at buf[s]: not inside a word, and not
// glued by - . _ / @ to a letter or digit before (UUIDs, invoice numbers, dates).
func leftBoundary(buf []byte, s int) bool {
	if s == 0 {
		return true
	}
	p := buf[s-1]
	switch {
	case isAlnum(p):
		return false
	case p >= 0x80:
		return !runeBefore(buf, s)
	case p == '-' || p == '.' || p == '_' || p == '/' || p == '@' || p == '\\' || p == '#':
		return s < 2 || !isAlnum(buf[s-2])
	}
	return true
}

// rightBoundary reports whether a token may end at buf[e].
func rightBoundary(buf []byte, e int) bool {
	if e >= len(buf) {
		return true
	}
	c := buf[e]
	switch {
	case isAlnum(c) || c == '@':
		return false
	case c >= 0x80:
		return !runeAt(buf, e)
	case c == '-' || c == '.' || c == '_' || c == '/' || c == '\\':
		return e+1 >= len(buf) || !isAlnum(buf[e+1])
	}
	return true
}

// runeBefore reports whether the rune ending at buf[s] is a letter or digit.
func runeBefore(buf []byte, s int) bool {
	r, _ := utf8.DecodeLastRune(buf[max(0, s-4):s])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// runeAt reports whether the rune at buf[e] is a letter or digit.
func runeAt(buf []byte, e int) bool {
	r, _ := utf8.DecodeRune(buf[e:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}
