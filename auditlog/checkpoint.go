package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// KeySigner is the Ed25519 key that signs checkpoints; seal.Signer (the controller's
// audit key, Keyring.AuditSigner) satisfies it without handing out the private key.
type KeySigner interface {
	// Sign returns the Ed25519 signature of message (RFC 8032).
	Sign(message []byte) []byte
	// PublicKey returns the 32-byte public key.
	PublicKey() ed25519.PublicKey
}

// DefaultOrigin returns the checkpoint origin for a public key:
// "jaga.audit/" + the first 8 bytes of SHA-256(public key) in hex.
func DefaultOrigin(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return "jaga.audit/" + hex.EncodeToString(h[:8])
}

// NoteSigner adapts a KeySigner to note.Signer under name (the log's origin), with the
// key hash of the note Ed25519 scheme.
type NoteSigner struct {
	name string
	hash uint32
	key  KeySigner
	vkey string
}

var _ note.Signer = (*NoteSigner)(nil)

// NewNoteSigner returns a note signer named name over k. Errors: a name note refuses
// (empty, with spaces or '+').
func NewNoteSigner(name string, k KeySigner) (*NoteSigner, error) {
	vkey, err := note.NewEd25519VerifierKey(name, k.PublicKey())
	if err != nil {
		return nil, fmt.Errorf("auditlog: verifier key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("auditlog: verifier key: %w", err)
	}
	return &NoteSigner{name: name, hash: v.KeyHash(), key: k, vkey: vkey}, nil
}

// Name returns the signer's name (the log's origin).
func (s *NoteSigner) Name() string { return s.name }

// KeyHash returns the note key hash of the public key.
func (s *NoteSigner) KeyHash() uint32 { return s.hash }

// Sign signs msg with the audit key.
func (s *NoteSigner) Sign(msg []byte) ([]byte, error) { return s.key.Sign(msg), nil }

// VerifierKey returns the public key in note verifier format
// ("<name>+<hash>+<base64 key>"), as GET /v1/audit/key serves it.
func (s *NoteSigner) VerifierKey() string { return s.vkey }

// Checkpoint is a parsed C2SP tlog-checkpoint: origin, tree size, root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text returns the checkpoint body: "<origin>\n<size>\n<base64 root>\n".
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// SignCheckpoint returns the signed note of c.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: c.Text()}, s)
}

// OpenCheckpoint verifies a signed checkpoint note with verifier key vkey and parses
// it. Errors name what failed: the signature, the origin (it must equal the key name),
// the size or the root.
func OpenCheckpoint(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return c, err
	}
	if c.Origin != v.Name() {
		return c, fmt.Errorf("checkpoint origin %q is not the key's name %q", c.Origin, v.Name())
	}
	return c, nil
}

// ParseCheckpoint parses a checkpoint body (without signatures). Extension lines after
// the root are allowed and ignored, as C2SP tlog-checkpoint says.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return c, errors.New("checkpoint: want origin, size and root lines")
	}
	c.Origin = lines[0]
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return c, errors.New("checkpoint: size is not a decimal number")
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, errors.New("checkpoint: root is not a base64 32-byte hash")
	}
	copy(c.Root[:], root)
	return c, nil
}

// splitNotes splits a file holding one or more signed notes separated by blank lines
// after their signature lines (a note's own blank line comes before its signatures).
func splitNotes(b []byte) [][]byte {
	var out [][]byte
	for len(bytes.TrimSpace(b)) > 0 {
		b = bytes.TrimLeft(b, "\n")
		i := bytes.Index(b, []byte("\n\n"))
		if i < 0 {
			out = append(out, b)
			break
		}
		// The signatures run from i+2 to the next blank line or the end.
		j := bytes.Index(b[i+2:], []byte("\n\n"))
		if j < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+2+j+1])
		b = b[i+2+j+1:]
	}
	return out
}
