package jaga

// WrappedKeyKind names one place where the store keeps keys wrapped by the KEK
// (DESIGN.md crypto scheme): every such key must be re-wrapped after a KEK rotation
// before the old KEK version can be retired. The value is a snake_case name, used in
// CLI output and re-wrap counts.
type WrappedKeyKind string

// The kinds of wrapped keys, with the ID that names one key of the kind (the ID the
// key's associated data binds):
//
//   - WrappedSubjectDEK: a subject's DEK (subjects.wrapped_dek; ID the subject ID;
//     associated data "jaga/dek/v1|<id>").
//   - WrappedQuarantineDEK: a quarantined row's own DEK (quarantine.wrapped_dek; ID the
//     quarantine ID, subject-shaped; "jaga/dek/v1|<id>"); emptied on release or discard.
//   - WrappedSignupDEK: a pending double opt-in sign-up's DEK (pending_signups.wrapped_dek;
//     ID the sign-up ID; "jaga/dek/v1|<id>"); emptied on confirmation.
//   - WrappedPendingPurchaseDEK: the DEK of purchases waiting for their customer
//     (pending_purchase_keys.wrapped_dek; ID the holder ID; "jaga/dek/v1|<id>").
//   - WrappedRequestKey: a data-subject request's key (dsr_requests.sealed_key; ID the
//     request ID; "jaga/request-key/v1|<id>"); NULL once the completion notice is sent.
//   - WrappedTokenKey: a redaction token's key (tokens.wrapped_key; ID the lower-case hex
//     of the token's blind index; "jaga/token-key/v1|<id>").
const (
	WrappedSubjectDEK         WrappedKeyKind = "subject"
	WrappedQuarantineDEK      WrappedKeyKind = "quarantine"
	WrappedSignupDEK          WrappedKeyKind = "signup"
	WrappedPendingPurchaseDEK WrappedKeyKind = "pending_purchase"
	WrappedRequestKey         WrappedKeyKind = "request"
	WrappedTokenKey           WrappedKeyKind = "token"
)

// WrappedKeyKinds returns every WrappedKeyKind, in the order re-wrapping and listings
// go through them. The caller may modify the slice.
func WrappedKeyKinds() []WrappedKeyKind {
	return []WrappedKeyKind{WrappedSubjectDEK, WrappedQuarantineDEK, WrappedSignupDEK,
		WrappedPendingPurchaseDEK, WrappedRequestKey, WrappedTokenKey}
}

// Valid reports whether k is one of WrappedKeyKinds.
func (k WrappedKeyKind) Valid() bool {
	switch k {
	case WrappedSubjectDEK, WrappedQuarantineDEK, WrappedSignupDEK,
		WrappedPendingPurchaseDEK, WrappedRequestKey, WrappedTokenKey:
		return true
	}
	return false
}

// WrappedKeyRecord is one key wrapped by the KEK, as Tx.WrappedKeys lists it for
// re-wrapping after a KEK rotation: its kind, the ID its associated data binds (see
// WrappedKeyKind) and the wrapped bytes (Tink's 5-byte prefix naming the KEK version,
// nonce, key, tag). Never the key itself.
type WrappedKeyRecord struct {
	Kind    WrappedKeyKind
	ID      string
	Wrapped []byte
}
