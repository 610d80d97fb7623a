package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"

	"golang.org/x/mod/sumdb/note"
)

// KeyID returns the ID of an audit signing key: the first 8 bytes of SHA-256 of its
// Ed25519 public key in lower-case hex (16 characters), as seal.Signer.KeyID and
// DefaultOrigin name it.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// CheckpointSignedBy reports whether the signed checkpoint note msg (a stored
// jaga.AuditCheckpoint.Note) verifies under the Ed25519 public key pub, named by the
// checkpoint's own origin line: whether that key signed the log so far.
func CheckpointSignedBy(msg []byte, pub ed25519.PublicKey) bool {
	origin, _, ok := bytes.Cut(msg, []byte("\n"))
	if !ok {
		return false
	}
	vkey, err := note.NewEd25519VerifierKey(string(origin), pub)
	if err != nil {
		return false
	}
	_, err = OpenCheckpoint(msg, vkey)
	return err == nil
}
