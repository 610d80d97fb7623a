package seal

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// Signer signs with an Ed25519 key that never leaves seal: the audit-log checkpoint key
// (AuditSigner) or the consent-receipt key (ConsentSigner). An interface, so that a
// KMS-held key can take its place later. Implementations print only their name and
// KeyID, never the private key.
type Signer interface {
	// Sign returns the Ed25519 signature (64 bytes) of message (RFC 8032, pure Ed25519,
	// no pre-hashing).
	Sign(message []byte) []byte
	// PublicKey returns the public key (32 bytes), to verify with ed25519.Verify.
	PublicKey() ed25519.PublicKey
	// KeyID returns the first 8 bytes of SHA-256 of the public key in lower-case hex
	// (16 characters), naming the key in checkpoints and receipts.
	KeyID() string
}

// AuditSigner returns the signer of audit-log checkpoints (audit-signing.key).
func (k *Keyring) AuditSigner() Signer { return k.audit }

// ConsentSigner returns the signer of consent receipts (consent-signing.key).
func (k *Keyring) ConsentSigner() Signer { return k.consent }

// ed25519Signer is a Signer over a private key read from the keys directory.
type ed25519Signer struct {
	name string
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	id   string
}

func newSigner(name string, priv ed25519.PrivateKey) *ed25519Signer {
	pub := priv.Public().(ed25519.PublicKey)
	h := sha256.Sum256(pub)
	return &ed25519Signer{name: name, priv: priv, pub: pub, id: hex.EncodeToString(h[:8])}
}

func (s *ed25519Signer) Sign(message []byte) []byte { return ed25519.Sign(s.priv, message) }

func (s *ed25519Signer) PublicKey() ed25519.PublicKey {
	return append(ed25519.PublicKey(nil), s.pub...)
}

func (s *ed25519Signer) KeyID() string { return s.id }

// String returns "[<file> <key id>]".
func (s *ed25519Signer) String() string { return "[" + s.name + " " + s.id + "]" }

// GoString returns the same as String.
func (s *ed25519Signer) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *ed25519Signer) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }
