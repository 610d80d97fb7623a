package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"jaga"
)

// Length limits of an address (RFC 5321 §4.5.3.1.1 local part, §4.5.3.1.3 path less
// the angle brackets, as jaga.DefaultFieldSpecs uses).
const (
	maxLocal = 64
	maxEmail = 254
)

// domainProfile is the IDNA profile of e-mail domains. It is spelled out rather than
// taken from idna.Lookup, whose configuration "may change over time": a blind index
// needs the same ASCII form forever. It is UTS #46 non-transitional mapping (ß stays ß,
// as in IDNA2008 and current browsers), STD3 ASCII rules (letters, digits, hyphen), hyphen
// and joiner checks, the Bidi rule of RFC 5893 and the DNS length limits of RFC 1034
// (labels of 1-63 bytes, a name of at most 253).
var domainProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.CheckHyphens(true),
	idna.CheckJoiners(true),
	idna.VerifyDNSLength(true),
)

// Email normalises an e-mail address the way DESIGN.md's blind-index rule states:
// trimmed, Unicode NFC, fully lower-cased (local part included, although RFC 5321 lets a
// server distinguish case: no Indonesian mailbox provider does, and duplicates matter
// more), and the domain converted to IDNA ASCII ("Rina@Bücher.Example" →
// "rina@xn--bcher-kva.example").
//
// Syntax is checked, not deliverability: exactly one "@"; a local part of 1-64 bytes with
// no white space, control or invisible characters, none of the specials ( ) , : ; < > [ ]
// \ " (quoted local parts are not accepted) and no leading, trailing or doubled dot; a
// domain that IDNA accepts, with at least two non-empty labels and a top-level label that
// is not all digits; at most 254 bytes in all.
//
// Errors (EUNPROCESSABLE, Field "email") say which rule failed, never the address.
func Email(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fail(jaga.TypeEmail, "email is not valid UTF-8")
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fail(jaga.TypeEmail, "email is empty")
	}
	// NFC again after lower-casing: a few lower-case mappings (İ → i + U+0307) are not NFC.
	s = norm.NFC.String(strings.ToLower(norm.NFC.String(s)))
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok:
		return "", fail(jaga.TypeEmail, "email has no @")
	case strings.Contains(domain, "@"):
		return "", fail(jaga.TypeEmail, "email has more than one @")
	case local == "":
		return "", fail(jaga.TypeEmail, "email has nothing before the @")
	case len(local) > maxLocal:
		return "", fail(jaga.TypeEmail, "email local part is %d bytes; at most %d are allowed", len(local), maxLocal)
	case domain == "":
		return "", fail(jaga.TypeEmail, "email has no domain after the @")
	}
	if err := checkLocal(local); err != nil {
		return "", err
	}
	ascii, err := domainProfile.ToASCII(domain)
	if err != nil {
		// idna's error text holds the label: never pass it on (invariant 6).
		return "", fail(jaga.TypeEmail, "email domain is not a valid domain name (IDNA, RFC 5891)")
	}
	// Checked on the ASCII form: IDNA maps other full stops (U+3002 "。", U+FF0E) to ".".
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", fail(jaga.TypeEmail, "email domain has no dot")
	}
	for _, l := range labels {
		if l == "" {
			return "", fail(jaga.TypeEmail, "email domain has an empty label (a leading, trailing or double dot)")
		}
	}
	if allDigits(labels[len(labels)-1]) {
		return "", fail(jaga.TypeEmail, "email domain ends in a number; IP addresses are not accepted")
	}
	out := local + "@" + ascii
	if len(out) > maxEmail {
		return "", fail(jaga.TypeEmail, "email is %d bytes; at most %d are allowed", len(out), maxEmail)
	}
	return out, nil
}

// EmailAddress is a normalised e-mail address with the form to show.
type EmailAddress struct {
	// Normalized is Email's result: the form Jaga indexes (blind index) and compares.
	Normalized string
	// Display is the address as given, trimmed and in Unicode NFC but with its case and
	// its Unicode domain kept ("Rina.Sari@Bücher.Example"), for showing to people.
	Display string
}

// ParseEmail is Email returning the display form beside the normalised one. Errors are
// those of Email.
func ParseEmail(raw string) (EmailAddress, error) {
	n, err := Email(raw)
	if err != nil {
		return EmailAddress{}, err
	}
	return EmailAddress{Normalized: n, Display: norm.NFC.String(strings.TrimSpace(raw))}, nil
}

// checkLocal checks the local part of an address: RFC 5322 dot-atom text plus any
// printable non-ASCII character (RFC 6531).
func checkLocal(local string) error {
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return fail(jaga.TypeEmail, "email local part starts or ends with a dot or has two dots in a row")
	}
	for _, r := range local {
		switch {
		case unicode.IsSpace(r):
			return fail(jaga.TypeEmail, "email contains white space")
		case r == utf8.RuneError || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || !unicode.IsPrint(r):
			return fail(jaga.TypeEmail, "email contains a control or invisible character")
		case strings.ContainsRune(`()<>[]:;,\"`, r):
			return fail(jaga.TypeEmail, `email local part contains one of ( ) < > [ ] : ; , \ "`)
		}
	}
	return nil
}
