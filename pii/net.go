package pii

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// maxURL caps the length of a reported URL (bytes); it must stay below lookAhead.
const maxURL = 2048

// email handles the '@' at buf[at]: a local part before it (RFC 5322 dot-atom
// characters, and letters of any script for internationalised addresses, RFC 6531) and
// a domain after it with at least two labels and an alphabetic or punycode top-level
// label. Unicode domains must pass IDNA 2008 (UTS #46) conversion.
func (st *state) email(at int) int {
	buf := st.buf
	s := at
	for s > 0 && at-s < 64 {
		b := buf[s-1]
		if b < 0x80 {
			if !isAlnum(b) && b != '.' && b != '_' && b != '%' && b != '+' && b != '-' {
				break
			}
			s--
			continue
		}
		r, size := utf8.DecodeLastRune(buf[max(0, s-4):s])
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
			break
		}
		s -= size
	}
	for s < at && buf[s] == '.' {
		s++
	}
	if s == at || at-s >= 64 && s > 0 && isAlnum(buf[s-1]) || buf[at-1] == '.' {
		return at + 1
	}
	e, ok := domain(buf, at+1, true)
	if !ok {
		return at + 1
	}
	st.emit(Email, s, e, 0.95, "email_syntax", "")
	return e
}

// domain reads a host name starting at buf[k] and returns its end. It needs two labels
// or more of letters, digits and inner hyphens, the last alphabetic (2+ letters) or an
// IDNA "xn--" label. With unicodeOK, labels may hold letters of any script, and the
// name must then pass IDNA lookup conversion.
func domain(buf []byte, k int, unicodeOK bool) (int, bool) {
	e, labels, uni := k, 0, false
	lastStart := k
	for {
		ls := e
		for e < len(buf) && e-k < 253 {
			b := buf[e]
			if isAlnum(b) || b == '-' {
				e++
				continue
			}
			if b >= 0x80 && unicodeOK {
				r, size := utf8.DecodeRune(buf[e:])
				if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
					e += size
					uni = true
					continue
				}
			}
			break
		}
		if e == ls || e-ls > 63 || buf[ls] == '-' || buf[e-1] == '-' {
			if e == ls && labels >= 2 {
				e-- // a trailing dot ends the name
				break
			}
			return 0, false
		}
		labels++
		lastStart = ls
		if e+1 < len(buf) && buf[e] == '.' && (isAlnum(buf[e+1]) || buf[e+1] >= 0x80 && unicodeOK) {
			e++
			continue
		}
		break
	}
	if labels < 2 || !tld(buf[lastStart:e]) {
		return 0, false
	}
	if e < len(buf) && (isAlnum(buf[e]) || buf[e] == '_' || buf[e] >= 0x80 && runeAt(buf, e)) {
		return 0, false
	}
	if uni {
		if _, err := idna.Lookup.ToASCII(string(buf[k:e])); err != nil {
			return 0, false
		}
	}
	return e, true
}

// tld reports whether a top-level label is plausible: 2+ ASCII letters, "xn--"
// punycode, or letters of another script.
func tld(l []byte) bool {
	if len(l) < 2 {
		return false
	}
	if len(l) > 4 && (l[0] == 'x' || l[0] == 'X') && (l[1] == 'n' || l[1] == 'N') && l[2] == '-' && l[3] == '-' {
		return true
	}
	for _, r := range string(l) {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// colon handles a ':' at buf[i]: the "://" of a URL or part of an IPv6 address.
func (st *state) colon(i int) int {
	buf := st.buf
	if i+2 < len(buf) && buf[i+1] == '/' && buf[i+2] == '/' {
		if !st.s.want[URL] {
			return i + 1 // let an IP literal inside be found
		}
		return st.urlScheme(i)
	}
	next := i+1 < len(buf) && (isHex(buf[i+1]) || buf[i+1] == ':')
	if !(i > 0 && isHex(buf[i-1]) && next || i+1 < len(buf) && buf[i+1] == ':') {
		return i + 1
	}
	s := i
	for s > 0 && i-s < 40 && (isHex(buf[s-1]) || buf[s-1] == ':') {
		s--
	}
	e := i
	for e < len(buf) && e-s < 46 && (isHex(buf[e]) || buf[e] == ':' || buf[e] == '.') {
		e++
	}
	for e > i+1 && buf[e-1] == '.' {
		e--
	}
	fail := i + 1
	for k := e - 1; k > i; k-- {
		if buf[k] == ':' {
			fail = k + 1
			break
		}
	}
	if s > 0 {
		p := buf[s-1]
		if isAlnum(p) || p == '.' || p == '_' || p == '-' && s > 1 && isAlnum(buf[s-2]) || p >= 0x80 && runeBefore(buf, s) {
			return fail
		}
	}
	ze := e
	if ze+1 < len(buf) && buf[ze] == '%' && isAlnum(buf[ze+1]) {
		ze++
		for ze < len(buf) && ze-e < 32 && (isAlnum(buf[ze]) || buf[ze] == '_' || buf[ze] == '-') {
			ze++
		}
	}
	if ze < len(buf) && (isAlnum(buf[ze]) || buf[ze] == '_' || buf[ze] >= 0x80 && runeAt(buf, ze)) {
		return fail
	}
	// A full address without "::" has 7 colons (6 before an IPv4 tail): times of day
	// ("10:20:30") and ratios never reach the parser.
	colons, double := 0, false
	for k := s; k < e; k++ {
		if buf[k] == ':' {
			colons++
			double = double || k+1 < e && buf[k+1] == ':'
		}
	}
	if !double && colons < 6 {
		return fail
	}
	a, err := netip.ParseAddr(string(buf[s:ze]))
	if err != nil || !a.Is6() {
		return fail
	}
	end := ze
	if ze+1 < len(buf) && buf[ze] == '/' && isDigit(buf[ze+1]) {
		m, v := ze+1, 0
		for m < len(buf) && isDigit(buf[m]) && m-ze <= 4 {
			v = v*10 + int(buf[m]-'0')
			m++
		}
		if v <= 128 && m-ze <= 4 && (m == len(buf) || !isAlnum(buf[m])) {
			end = m
		}
	}
	st.emit(IP, s, end, 0.85, "netip", "")
	return end
}

// urlSchemes are the schemes reported as URLs.
var urlSchemes = map[string]bool{"http": true, "https": true, "ftp": true, "ftps": true, "sftp": true, "ws": true, "wss": true}

// urlScheme handles "://" at buf[i] (RFC 3986 URI with an authority).
func (st *state) urlScheme(i int) int {
	buf := st.buf
	s := i
	for s > 0 && i-s < 6 && (buf[s-1]|0x20 >= 'a' && buf[s-1]|0x20 <= 'z') {
		s--
	}
	if s == i || s > 0 && (isAlnum(buf[s-1]) || buf[s-1] >= 0x80 && runeBefore(buf, s)) {
		return i + 3
	}
	var lower [6]byte
	for k := s; k < i; k++ {
		lower[k-s] = buf[k] | 0x20
	}
	if !urlSchemes[string(lower[:i-s])] {
		return i + 3
	}
	h := i + 3
	e := urlEnd(buf, h, s)
	// The host: before the first / ? #, without user info and port.
	he := h
	for he < e && buf[he] != '/' && buf[he] != '?' && buf[he] != '#' {
		he++
	}
	host := buf[h:he]
	if at := lastByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if !validHost(host) {
		return e
	}
	st.emit(URL, s, e, 0.9, "url_syntax", "")
	return e
}

// validHost accepts an IP literal, an IPv4 address or a domain name, with an optional
// port.
func validHost(host []byte) bool {
	if len(host) > 2 && host[0] == '[' {
		c := lastByte(host, ']')
		if c < 0 {
			return false
		}
		_, err := netip.ParseAddr(string(host[1:c]))
		return err == nil
	}
	if c := lastByte(host, ':'); c >= 0 {
		for _, b := range host[c+1:] {
			if !isDigit(b) {
				return false
			}
		}
		host = host[:c]
	}
	if _, err := netip.ParseAddr(string(host)); err == nil {
		return true
	}
	e, ok := domain(host, 0, true)
	return ok && e == len(host)
}

// urlEnd returns the end of a URL's characters from buf[h] (s is the URL's start, for
// the length cap): up to white space, a quote or angle bracket, without trailing
// sentence punctuation and unbalanced closing brackets.
func urlEnd(buf []byte, h, s int) int {
	e := h
	parens, brackets := 0, 0
	for e < len(buf) && e-s < maxURL {
		b := buf[e]
		if b <= ' ' || b == '"' || b == '\'' || b == '<' || b == '>' || b == '`' || b == 0x7f || b == '{' || b == '}' || b == '|' || b == '\\' || b == '^' {
			break
		}
		if b >= 0x80 {
			r, size := utf8.DecodeRune(buf[e:])
			if r == utf8.RuneError || unicode.IsSpace(r) || unicode.Is(unicode.Pi, r) || unicode.Is(unicode.Pf, r) {
				break
			}
			e += size
			continue
		}
		switch b {
		case '(':
			parens++
		case ')':
			parens--
		case '[':
			brackets++
		case ']':
			brackets--
		}
		e++
	}
	for e < len(buf) && e > h && buf[e]&0xC0 == 0x80 { // cut by the cap inside a rune
		e--
	}
	for e > h {
		switch buf[e-1] {
		case '.', ',', ';', ':', '!', '?':
			e--
			continue
		case ')':
			if parens < 0 {
				parens++
				e--
				continue
			}
		case ']':
			if brackets < 0 {
				brackets++
				e--
				continue
			}
		}
		break
	}
	return e
}

// fileExtensions are country-code top-level domains that are far more often file name
// extensions ("README.md", "setup.py"); a bare name ending in one is not reported.
var fileExtensions = map[string]bool{"md": true, "py": true, "sh": true, "rs": true, "pl": true, "pm": true,
	"so": true, "cc": true, "ps": true, "ai": true, "mk": true, "in": true, "do": true, "ml": true, "hs": true,
	"rb": true, "sc": true, "ts": true, "cs": true, "ms": true, "st": true, "me": true}

// dot handles a '.' between two ASCII letters or digits: a host name without a scheme
// ("www.contoh.co.id", "tokopedia.com"), reported when its suffix is on the ICANN part
// of the public-suffix list and a registrable label stands before it.
func (st *state) dot(i int) int {
	buf := st.buf
	if !st.s.want[URL] || i == 0 || i+1 >= len(buf) || !isAlnum(buf[i-1]) || !isAlnum(buf[i+1]) {
		return i + 1
	}
	s := i
	for s > 0 && i-s < 253 && (isAlnum(buf[s-1]) || buf[s-1] == '-' || buf[s-1] == '.') {
		s--
	}
	for s < i && (buf[s] == '.' || buf[s] == '-') {
		s++
	}
	e, ok := domain(buf, s, false)
	if !ok {
		// Skip the rest of this dotted word.
		k := i + 1
		for k < len(buf) && (isAlnum(buf[k]) || buf[k] == '-' || buf[k] == '.') {
			k++
		}
		return k
	}
	if s > 0 {
		p := buf[s-1]
		if p == '@' || p == '/' || p == '\\' || p == '_' || p == ':' || p >= 0x80 && runeBefore(buf, s) {
			return e
		}
	}
	if e < len(buf) && buf[e] == '@' {
		return e
	}
	host := strings.ToLower(string(buf[s:e]))
	suffix, icann := publicsuffix.PublicSuffix(host)
	if !icann || len(suffix) >= len(host) {
		return e
	}
	www := strings.HasPrefix(host, "www.")
	if www && len(host)-len(suffix) <= len("www.") {
		return e // "www.microsoft": no name before the suffix
	}
	if !www && strings.Count(host, ".") == 1 && fileExtensions[suffix] {
		return e
	}
	end := e
	if e < len(buf) && (buf[e] == '/' || buf[e] == '?' || buf[e] == '#' || buf[e] == ':' && e+1 < len(buf) && isDigit(buf[e+1])) {
		end = urlEnd(buf, e, s)
	}
	c := 0.6
	if www {
		c = 0.85
	}
	st.emit(URL, s, end, c, "public_suffix", "")
	return end
}

func lastByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}
