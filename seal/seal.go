// Package seal holds every key of a Jaga vault and does all of its cryptography: the
// key-encryption key (KEK) and its rotation, per-subject data keys (DEKs) and their
// wrapping, field encryption, blind indexes, import keys, the Ed25519 signing keys of the
// audit log and of consent receipts, and the MACed erasure journal (DESIGN.md "Crypto
// scheme", invariants 1-4).
//
// Only seal holds key material (invariant 1): the keys live in the vault's keys/
// directory, never in the database (invariant 3), and no type here prints a key. Other
// packages get DEKs, blind indexes and signers from a Keyring; only the gate (and seal's
// own re-wrap job) should open data with them.
//
// Seal may import the standard library, github.com/tink-crypto/tink-go/v2 and the root
// package jaga, nothing else.
//
// The keys directory holds, each mode 0600 in a directory of mode 0700:
//
//	kek.json             the KEK: a cleartext Tink keyset of AES-256-GCM keys (a KMS later)
//	index.key            32 random bytes: blind-index and import-key derivation
//	audit-signing.key    Ed25519 private key, PKCS #8 PEM: audit-log checkpoints
//	consent-signing.key  Ed25519 private key, PKCS #8 PEM: consent receipts
//	journal.key          32 random bytes: MAC key of the erasure journal
//	erasure-journal      append-only lines "<subject> <RFC 3339 UTC time> <base64 MAC>"
package seal

import (
	"errors"
	"strings"

	"jaga"
)

// Names of the files in the keys directory.
const (
	KEKFile            = "kek.json"
	IndexKeyFile       = "index.key"
	AuditKeyFile       = "audit-signing.key"
	ConsentKeyFile     = "consent-signing.key"
	JournalKeyFile     = "journal.key"
	ErasureJournalFile = "erasure-journal"
)

// files lists every file a keys directory must hold, in creation order.
var files = []string{IndexKeyFile, AuditKeyFile, ConsentKeyFile, JournalKeyFile, ErasureJournalFile, KEKFile}

// Sizes of the keys and of the messages seal produces, in bytes.
const (
	// KeySize is the size of a DEK, of the index key and of the journal key.
	KeySize = 32
	// IndexSize is the size of a blind index and of an import key.
	IndexSize = 16
	// NonceSize and TagSize are those of AES-GCM (RFC 5116).
	NonceSize = 12
	TagSize   = 16
	// Overhead is what DEK.Seal adds to a plaintext: nonce and tag.
	Overhead = NonceSize + TagSize
	// tinkPrefixSize is Tink's output prefix: one version byte (1) and the key ID
	// (4 bytes, big-endian).
	tinkPrefixSize = 5
	tinkPrefixByte = 0x01
	// WrappedDEKSize is the size of every wrapped DEK: Tink prefix, nonce, DEK, tag.
	WrappedDEKSize = tinkPrefixSize + NonceSize + KeySize + TagSize
)

// Errors that opening can return, wrapped with the subject and a cause; test them with
// errors.Is. Their messages never hold a value or a key. jaga.ErrorCode reports them as
// EINTERNAL: to a client a ciphertext that does not open is a server fault.
var (
	// ErrDecrypt means a ciphertext or wrapped DEK has the wrong size, was tampered
	// with, or belongs to another subject, field or key.
	ErrDecrypt = errors.New("seal: ciphertext does not open (wrong size, key or associated data, or tampered)")
	// ErrUnknownKEK means a wrapped DEK names a KEK that kek.json does not hold, even
	// after reloading it (was kek.json restored from an older backup?).
	ErrUnknownKEK = errors.New("seal: wrapped under a KEK that kek.json does not hold")
	// ErrJournal means the erasure journal does not verify.
	ErrJournal = errors.New("seal: erasure journal does not verify")
)

// hintSep separates a problem from its hint in the Message of the *jaga.Error values
// seal returns: "<problem>; hint: <what to do>".
const hintSep = "; hint: "

// Hint returns what the operator can do about err, as the CLI prints it after
// "jaga: hint: ", or "" when seal has no advice. The hint is the part of the first
// *jaga.Error's Message after "; hint: " (the Message alone reads complete, too).
func Hint(err error) string {
	e := jaga.AsError(err)
	if e == nil {
		return ""
	}
	_, h, _ := strings.Cut(e.Message, hintSep)
	return h
}

// invalid returns an EINVALID *jaga.Error whose message is problem followed by hint.
func invalid(problem, hint string) *jaga.Error {
	msg := problem
	if hint != "" {
		msg += hintSep + hint
	}
	return &jaga.Error{Code: jaga.EINVALID, Message: msg}
}

// ShellQuote returns p quoted for a POSIX shell when it holds anything but characters
// that are safe unquoted (letters, digits and "/._-+,:@%"), so that a hint naming a path
// (a chmod command) can be pasted as it is; an empty p becomes two single quotes.
func ShellQuote(p string) string { return shellQuote(p) }

// shellQuote quotes p for a POSIX shell when it holds anything but safe characters, so
// that a hint can be pasted as it is.
func shellQuote(p string) string {
	safe := p != ""
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._-+,:@%", c)) {
			safe = false
			break
		}
	}
	if safe {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
