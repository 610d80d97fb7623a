package gate

import (
	"encoding/json"

	"jaga"
)

// decodeOpened decodes decrypted JSON pt into v. Its error never wraps encoding/json's:
// a *json.SyntaxError or *json.UnmarshalTypeError quotes a character or a value of the
// plaintext, which would reach logs through the error (invariant 6). It names only the
// Go type that could not be filled. EINTERNAL: sealed data the gate wrote itself does
// not decode only when it is corrupt or of another version.
func decodeOpened(pt []byte, v any) error {
	if err := json.Unmarshal(pt, v); err != nil {
		return jaga.Errorf(jaga.EINTERNAL, "decrypted data does not decode as %T", v)
	}
	return nil
}
