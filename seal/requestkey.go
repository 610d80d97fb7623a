package seal

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"jaga"
)

// requestKeyADPrefix binds a wrapped per-request key to its request:
// "jaga/request-key/v1|<request ID>".
const requestKeyADPrefix = "jaga/request-key/v1|"

// RequestDataAD returns the associated data of a request's sealed parameters:
// "jaga/request-data/v1|<request ID>".
func RequestDataAD(requestID string) []byte { return []byte("jaga/request-data/v1|" + requestID) }

// NewRequestKey generates a fresh 32-byte key for one data-subject request (the address
// its completion notice goes to, the new values of a correction) and returns it with its
// wrapped form (WrappedDEKSize bytes, wrapped by the primary KEK with associated data
// "jaga/request-key/v1|<request ID>"). Deleting the wrapped form destroys the key. The
// returned DEK is named after the request in its error messages.
func (k *Keyring) NewRequestKey(requestID string) (*DEK, []byte, error) {
	if requestID == "" {
		return nil, nil, jaga.Errorf(jaga.EINVALID, "a request key needs a request ID")
	}
	var raw [KeySize]byte
	rand.Read(raw[:])
	defer clear(raw[:])
	wrapped, err := k.kek.Load().aead.Encrypt(raw[:], []byte(requestKeyADPrefix+requestID))
	if err != nil {
		return nil, nil, fmt.Errorf("seal: wrap the key of request %s: %w", requestID, err)
	}
	d, err := newDEK(jaga.SubjectID(requestID), raw[:])
	if err != nil {
		return nil, nil, err
	}
	return d, wrapped, nil
}

// OpenRequestKey unwraps a key made by NewRequestKey for the same request. A wrapped key
// of the wrong size, tampered with or made for another request wraps ErrDecrypt.
func (k *Keyring) OpenRequestKey(requestID string, wrapped []byte) (*DEK, error) {
	if len(wrapped) != WrappedDEKSize {
		return nil, fmt.Errorf("seal: wrapped key of request %s is %d bytes, want %d: %w", requestID, len(wrapped), WrappedDEKSize, ErrDecrypt)
	}
	st := k.kek.Load()
	raw, err := st.aead.Decrypt(wrapped, []byte(requestKeyADPrefix+requestID))
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap the key of request %s: %w: %w", requestID, ErrDecrypt, err)
	}
	defer clear(raw)
	if len(raw) != KeySize {
		return nil, fmt.Errorf("seal: unwrap the key of request %s: %d-byte key: %w", requestID, len(raw), ErrDecrypt)
	}
	return newDEK(jaga.SubjectID(requestID), raw)
}

// portalKeyInfo is the HKDF info of the privacy portal's MAC key.
const portalKeyInfo = "jaga/portal-mac/v1"

// PortalKey returns the privacy portal's 32-byte MAC key (session cookies, CSRF tokens,
// sign-in code MACs), derived by HKDF-SHA256 from index.key with its own info string,
// so that every node sharing keys/ derives the same key and no MAC it makes can equal
// a blind index. The caller must not log or store it.
func (k *Keyring) PortalKey() []byte {
	key, err := hkdf.Key(sha256.New, k.blind.root, nil, portalKeyInfo, KeySize)
	if err != nil {
		panic("seal: hkdf: " + err.Error()) // only for lengths over 255*32 bytes
	}
	return key
}
