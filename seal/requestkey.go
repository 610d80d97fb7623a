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
	return k.newNamedKey("request", requestKeyADPrefix, requestID)
}

// OpenRequestKey unwraps a key made by NewRequestKey for the same request. A wrapped key
// of the wrong size, tampered with or made for another request wraps ErrDecrypt.
func (k *Keyring) OpenRequestKey(requestID string, wrapped []byte) (*DEK, error) {
	return k.openNamedKey("request", requestKeyADPrefix, requestID, wrapped)
}

// newNamedKey generates a fresh key that belongs to one named thing (a request, a
// token) and wraps it with the primary KEK under associated data adPrefix+name.
func (k *Keyring) newNamedKey(what, adPrefix, name string) (*DEK, []byte, error) {
	if name == "" {
		return nil, nil, jaga.Errorf(jaga.EINVALID, "a %s key needs a %s ID", what, what)
	}
	var raw [KeySize]byte
	rand.Read(raw[:])
	defer clear(raw[:])
	wrapped, err := k.kek.Load().aead.Encrypt(raw[:], []byte(adPrefix+name))
	if err != nil {
		return nil, nil, fmt.Errorf("seal: wrap the key of %s %s: %w", what, name, err)
	}
	d, err := newDEK(jaga.SubjectID(name), raw[:])
	if err != nil {
		return nil, nil, err
	}
	return d, wrapped, nil
}

// openNamedKey unwraps a key made by newNamedKey with the same what, adPrefix and name.
// Like OpenDEK, a KEK this process does not know makes it reload kek.json first.
func (k *Keyring) openNamedKey(what, adPrefix, name string, wrapped []byte) (*DEK, error) {
	raw, err := k.unwrapAD("key of "+what+" "+name, []byte(adPrefix+name), wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	return newDEK(jaga.SubjectID(name), raw)
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
