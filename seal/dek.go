package seal

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"

	"jaga"
)

// Associated-data prefixes. Every seal and open binds one, so that a ciphertext moved to
// another subject, field or use fails to open.
const (
	dekADPrefix      = "jaga/dek/v1|"
	fieldADPrefix    = "jaga/field/v1|"
	purchaseADPrefix = "jaga/purchase/v1|"
)

// DEK is one subject's data-encryption key (32 bytes, AES-256-GCM through Tink's subtle
// primitive). It is safe for concurrent use. Its String and Format print only "[dek]".
type DEK struct {
	subject jaga.SubjectID
	aead    *subtle.AESGCM
}

// FieldAD returns the associated data of a field or attribute value:
// "jaga/field/v1|<subject>|<field>".
func FieldAD(subject jaga.SubjectID, field string) []byte {
	b := make([]byte, 0, len(fieldADPrefix)+len(subject)+1+len(field))
	b = append(b, fieldADPrefix...)
	b = append(b, subject...)
	b = append(b, '|')
	return append(b, field...)
}

// PurchaseAD returns the associated data of a purchase line: "jaga/purchase/v1|<subject>".
func PurchaseAD(subject jaga.SubjectID) []byte {
	b := make([]byte, 0, len(purchaseADPrefix)+len(subject))
	b = append(b, purchaseADPrefix...)
	return append(b, subject...)
}

// MergeAD returns the associated data of a merge record (the values of a source row
// merged into subject by identity resolution): "jaga/merge/v1|<subject>|<hex row key>".
func MergeAD(subject jaga.SubjectID, rowKey []byte) []byte {
	return []byte("jaga/merge/v1|" + string(subject) + "|" + hex.EncodeToString(rowKey))
}

// QuarantineAD returns the associated data of a quarantined intake row sealed under
// its own DEK (id is the quarantine ID): "jaga/quarantine/v1|<id>".
func QuarantineAD(id jaga.SubjectID) []byte {
	return []byte("jaga/quarantine/v1|" + string(id))
}

// SignupAD returns the associated data of an e-mail sign-up awaiting double opt-in:
// "jaga/signup/v1|<id>".
func SignupAD(id jaga.SubjectID) []byte {
	return []byte("jaga/signup/v1|" + string(id))
}

func dekAD(subject jaga.SubjectID) []byte {
	b := make([]byte, 0, len(dekADPrefix)+len(subject))
	b = append(b, dekADPrefix...)
	return append(b, subject...)
}

func checkSubject(subject jaga.SubjectID) error {
	if !subject.Valid() {
		return &jaga.Error{Code: jaga.EINVALID, Field: "id", Message: "subject id must be sub_ followed by 32 hex digits"}
	}
	return nil
}

// NewDEK generates a fresh DEK for subject and returns it with its wrapped form
// (WrappedDEKSize bytes: Tink's 5-byte prefix naming the primary KEK, nonce, key, tag),
// wrapped by the primary KEK with associated data "jaga/dek/v1|<subject>". Store only the
// wrapped form. An invalid subject ID is an EINVALID *jaga.Error.
func (k *Keyring) NewDEK(subject jaga.SubjectID) (*DEK, []byte, error) {
	if err := checkSubject(subject); err != nil {
		return nil, nil, err
	}
	var raw [KeySize]byte
	rand.Read(raw[:]) // never fails (crypto/rand, Go 1.24+)
	defer clear(raw[:])
	wrapped, err := k.kek.Load().aead.Encrypt(raw[:], dekAD(subject))
	if err != nil {
		return nil, nil, fmt.Errorf("seal: wrap DEK of %s: %w", subject, err)
	}
	d, err := newDEK(subject, raw[:])
	if err != nil {
		return nil, nil, err
	}
	return d, wrapped, nil
}

// OpenDEK unwraps subject's wrapped DEK. A wrapped DEK of the wrong size, tampered with,
// or wrapped for another subject is an error wrapping ErrDecrypt; one under a KEK that
// kek.json does not hold wraps ErrUnknownKEK. A key ID this process does not know makes it
// reload kek.json first (at most every 100 ms), since another process may have promoted
// a new KEK. An invalid subject ID is an EINVALID *jaga.Error.
func (k *Keyring) OpenDEK(subject jaga.SubjectID, wrapped []byte) (*DEK, error) {
	raw, err := k.unwrap(subject, wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	return newDEK(subject, raw)
}

// wrappedKEK returns the key ID in a wrapped key's Tink prefix after checking its size;
// name says whose key it is in the error ("DEK of sub_…").
func wrappedKEK(name string, wrapped []byte) (uint32, error) {
	if len(wrapped) != WrappedDEKSize {
		return 0, fmt.Errorf("seal: wrapped %s is %d bytes, want %d: %w", name, len(wrapped), WrappedDEKSize, ErrDecrypt)
	}
	if wrapped[0] != tinkPrefixByte {
		return 0, fmt.Errorf("seal: wrapped %s has no Tink key prefix: %w", name, ErrDecrypt)
	}
	return binary.BigEndian.Uint32(wrapped[1:tinkPrefixSize]), nil
}

// unwrap returns the raw DEK (KeySize bytes) of a wrapped DEK; the caller clears it.
func (k *Keyring) unwrap(subject jaga.SubjectID, wrapped []byte) ([]byte, error) {
	if err := checkSubject(subject); err != nil {
		return nil, err
	}
	return k.unwrapAD("DEK of "+string(subject), dekAD(subject), wrapped)
}

// unwrapAD returns the raw key (KeySize bytes) of a key wrapped by the KEK with
// associated data ad; the caller clears it. name says whose key it is in errors.
func (k *Keyring) unwrapAD(name string, ad, wrapped []byte) ([]byte, error) {
	id, err := wrappedKEK(name, wrapped)
	if err != nil {
		return nil, err
	}
	st := k.kek.Load()
	if !st.enabled[id] {
		if st = k.reloadForMiss(id); !st.enabled[id] {
			return nil, fmt.Errorf("seal: wrapped %s names KEK %d: %w", name, id, ErrUnknownKEK)
		}
	}
	raw, err := st.aead.Decrypt(wrapped, ad)
	if err != nil {
		return nil, fmt.Errorf("seal: unwrap %s: %w: %w", name, ErrDecrypt, err)
	}
	if len(raw) != KeySize {
		clear(raw)
		return nil, fmt.Errorf("seal: unwrap %s: %d-byte key: %w", name, len(raw), ErrDecrypt)
	}
	return raw, nil
}

func newDEK(subject jaga.SubjectID, raw []byte) (*DEK, error) {
	a, err := subtle.NewAESGCM(raw) // copies the key
	if err != nil {
		return nil, fmt.Errorf("seal: DEK of %s: %w", subject, err)
	}
	return &DEK{subject: subject, aead: a}, nil
}

// Seal encrypts plaintext with the DEK, binding the associated data ad (FieldAD or
// PurchaseAD). The result is a random 12-byte nonce, the ciphertext and a 16-byte tag:
// len(plaintext)+Overhead bytes, stored as a BLOB.
func (d *DEK) Seal(ad, plaintext []byte) ([]byte, error) {
	ct, err := d.aead.Encrypt(plaintext, ad)
	if err != nil {
		return nil, fmt.Errorf("seal: seal a value of %s: %w", d.subject, err)
	}
	return ct, nil
}

// Open decrypts a ciphertext made by Seal with the same associated data. A ciphertext
// shorter than Overhead, tampered with, or sealed for another subject, field or use is an
// error wrapping ErrDecrypt.
func (d *DEK) Open(ad, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) < Overhead {
		return nil, fmt.Errorf("seal: a value of %s is %d bytes, shorter than %d: %w", d.subject, len(ciphertext), Overhead, ErrDecrypt)
	}
	pt, err := d.aead.Decrypt(ciphertext, ad)
	if err != nil {
		return nil, fmt.Errorf("seal: open a value of %s: %w: %w", d.subject, ErrDecrypt, err)
	}
	return pt, nil
}

// Subject returns the subject the DEK belongs to.
func (d *DEK) Subject() jaga.SubjectID { return d.subject }

// String returns "[dek]".
func (d *DEK) String() string { return "[dek]" }

// GoString returns "[dek]".
func (d *DEK) GoString() string { return "[dek]" }

// Format prints "[dek]" for every verb, so that no fmt verb reaches the key.
func (d *DEK) Format(f fmt.State, _ rune) { io.WriteString(f, "[dek]") }
