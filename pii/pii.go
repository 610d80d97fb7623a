// Package pii finds personal data in free text and files and redacts it: Indonesian
// identifiers (NIK, KK, NPWP, phones, BPJS, passports, vehicle plates, bank accounts),
// e-mail addresses, payment cards, IP addresses and URLs, and — on request — person
// names, places and street addresses in Bahasa Indonesia.
//
// It is Jaga's data-loss guard (UU-PDP.md R-33: outgoing files and exports are scanned
// for the §4 identifiers) and the engine of `jaga scan`. Identifier detection is one
// pass over the bytes: a byte-class table jumps to candidate starts (digit runs, '@',
// ':', '.'), and each candidate is checked by a validator (NIK structure, Luhn, NPWP
// check digit, libphonenumber, net/netip, the public-suffix list) and, where the format
// alone proves nothing (bank accounts, BPJS, passports), by a context word before it.
//
// Findings carry byte offsets into the scanned text, never the value: a Finding can be
// logged, stored in a report or printed by the CLI without repeating personal data
// (DESIGN.md invariant 6).
//
// The package imports the standard library, jaga/normalize (NIK and phone validation
// shared with intake), github.com/nyaruka/phonenumbers (through normalize and for
// international numbers), golang.org/x/net/idna, golang.org/x/net/publicsuffix and
// golang.org/x/text/encoding/charmap and golang.org/x/text/encoding/unicode
// (SniffEncoding, DecodeReader).
package pii

import (
	"fmt"
	"strings"
)

// Kind is a kind of personal data the scanner reports. The string is stable and is what
// the CLI's --fail-on flag and JSON output use.
type Kind uint8

// The kinds, in the order of Kinds.
const (
	NIK         Kind = iota + 1 // Nomor Induk Kependudukan (KTP), 16 digits
	KK                          // Kartu Keluarga number, 16 digits, only near "KK"/"kartu keluarga"
	NPWP                        // taxpayer number: 15 digits with check digit, or the 16-digit form
	Phone                       // telephone number (Indonesian by default, others with "+")
	Email                       // e-mail address, internationalised domains included
	Card                        // payment card number (Luhn and issuer prefix)
	BankAccount                 // bank account number, only near a bank or "rek" context
	Passport                    // passport number, only near "paspor"/"passport"
	BPJS                        // BPJS Kesehatan/Ketenagakerjaan number, only near "BPJS"/"JKN"/"KIS"
	IP                          // IPv4 or IPv6 address (optionally with zone and prefix)
	URL                         // URL with scheme, "www." host or a registrable domain
	Plate                       // Indonesian vehicle registration plate ("B 1234 XYZ")
	Person                      // person name (Options.Names)
	Place                       // place name (Options.Names)
	Address                     // street address by pattern: Jl., RT/RW, Kel., Kec. (Options.Names)
	numKinds
)

var kindNames = [numKinds]string{"", "nik", "kk", "npwp", "phone", "email", "card", "bank_account",
	"passport", "bpjs", "ip", "url", "plate", "person", "place", "address"}

// Kinds lists every kind the scanner can report, identifiers first, then the kinds of
// the name and place detector (Person, Place, Address).
var Kinds = []Kind{NIK, KK, NPWP, Phone, Email, Card, BankAccount, Passport, BPJS, IP, URL, Plate, Person, Place, Address}

// IdentifierKinds are the kinds found by the fast identifier pass (all but Person,
// Place and Address).
var IdentifierKinds = Kinds[:12]

// String returns the kind's stable name ("nik", "bank_account", …).
func (k Kind) String() string {
	if k == 0 || k >= numKinds {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// MarshalText implements encoding.TextMarshaler with String.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseKind returns the kind named s (as String gives it, case-insensitive). The error
// names the unknown kind and lists the known ones.
func ParseKind(s string) (Kind, error) {
	for k := Kind(1); k < numKinds; k++ {
		if strings.EqualFold(s, kindNames[k]) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q (known: %s)", s, strings.Join(kindNames[1:], ", "))
}

// ParseKinds parses a comma-separated list of kind names ("nik,npwp"); blanks are
// skipped.
func ParseKinds(list string) ([]Kind, error) {
	var out []Kind
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, err := ParseKind(s)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// Finding is one piece of personal data found in a text: its kind and where it is.
// Start and End are byte offsets into the scanned input ([Start, End), always on UTF-8
// boundaries of valid input); the value itself is never copied into a Finding.
type Finding struct {
	Kind       Kind     `json:"kind"`
	Start      int64    `json:"start"`
	End        int64    `json:"end"`
	Confidence float64  `json:"confidence"` // 0-1: how sure the detector is
	Evidence   Evidence `json:"evidence"`
}

// Evidence says why a finding was reported: the validator it passed and the context
// word found before it. Neither contains the value.
type Evidence struct {
	// Validator names the check that passed: "nik_structure", "npwp_check_digit",
	// "luhn", "libphonenumber", "email_syntax", "netip", "public_suffix", "url_syntax",
	// "plate_format", "length", "dictionary", "pattern", or "context_only" when no
	// validator passed and only a label right before the value supports it (16 digits
	// after "NIK"/"KTP" that fail the NIK structure check; low confidence).
	Validator string `json:"validator"`
	// Context is the context keyword found before the value, in its base form
	// ("nik" for "NIK-nya", "nomor rekening" → "rekening"), or "" if none was needed or
	// found.
	Context string `json:"context,omitempty"`
}

// Scan returns the identifiers (IdentifierKinds) found in text, overlapping candidates
// resolved to one finding per span, in order of Start. It is the hook for intake
// (free-text fields with identifiers are flagged) and exports (identifiers outside the
// declared fields block the export; R-33).
func Scan(text string) []Finding {
	return defaultScanner.Scan([]byte(text))
}

var defaultScanner = MustScanner(Options{})
