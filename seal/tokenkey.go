package seal

// tokenKeyADPrefix binds a wrapped per-token key to its token: "jaga/token-key/v1|<token
// ID>", where the token ID is the hex of the token's blind index (the token itself is a
// capability and is never stored).
const tokenKeyADPrefix = "jaga/token-key/v1|"

// TokenDataAD returns the associated data of a token's sealed value:
// "jaga/token-data/v1|<token ID>|<kind>", so that a sealed value moved to another token
// or relabelled as another kind fails to open.
func TokenDataAD(tokenID, kind string) []byte {
	return []byte("jaga/token-data/v1|" + tokenID + "|" + kind)
}

// NewTokenKey generates a fresh 32-byte key for one redaction token (issue 8: a value
// replaced by a Jaga token that an authorised actor resolves through the gate) and
// returns it with its wrapped form (WrappedDEKSize bytes, wrapped by the primary KEK with
// associated data "jaga/token-key/v1|<token ID>"). Deleting the wrapped form destroys
// the value for good. EINVALID for an empty ID.
func (k *Keyring) NewTokenKey(tokenID string) (*DEK, []byte, error) {
	return k.newNamedKey("token", tokenKeyADPrefix, tokenID)
}

// OpenTokenKey unwraps a key made by NewTokenKey for the same token. A wrapped key of
// the wrong size, tampered with or made for another token wraps ErrDecrypt.
func (k *Keyring) OpenTokenKey(tokenID string, wrapped []byte) (*DEK, error) {
	return k.openNamedKey("token", tokenKeyADPrefix, tokenID, wrapped)
}
