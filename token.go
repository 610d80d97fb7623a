package jaga

import "time"

// TokenPrefix starts every redaction token: "jgt_" followed by 26 lower-case ASCII
// letters (about 122 random bits). Letters only, so that a token in redacted text never
// looks like a number, a phone, an e-mail address or a URL to the PII scanner.
const TokenPrefix = "jgt_"

// TokenLen is the length in bytes of a token, prefix included.
const TokenLen = len(TokenPrefix) + 26

// ValidToken reports whether s has the shape of a redaction token.
func ValidToken(s string) bool {
	if len(s) != TokenLen || s[:len(TokenPrefix)] != TokenPrefix {
		return false
	}
	for i := len(TokenPrefix); i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// ActionTokenize and ActionResolveToken are the audit actions of redaction tokens:
// tokens issued (one event per batch, with the count) and one token resolved.
const (
	ActionTokenize     = "tokenize"
	ActionResolveToken = "resolve_token"
)

// Token is a redaction token as stored (issue 8; DESIGN.md "Tokens: random, stored as
// blind index → subject"): Index is the keyed hash (16 bytes) of the token string — the
// token itself is a capability and never stored —, Kind the pii kind of the value
// ("nik", "email", …), Subject the subject the value belongs to when the gate could tell
// (by blind index; erasing the subject deletes the token), WrappedKey the token's own
// data key wrapped by the KEK, Sealed the value under that key. No plaintext.
type Token struct {
	Index      []byte
	Kind       string
	Subject    SubjectID
	WrappedKey []byte
	Sealed     []byte
	CreatedAt  time.Time
}
