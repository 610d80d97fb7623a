package seal_test

import (
	"testing"

	"jaga/seal"
)

// mustNamedKeyRoundTrip makes a named key (request or token) with newKey, seals value
// under it with ad, opens the wrapped key again with openKey and checks that the value
// opens: it returns the re-opened key, the wrapped key and the ciphertext for the
// caller's negative cases.
func mustNamedKeyRoundTrip(t *testing.T, newKey func() (*seal.DEK, []byte, error), openKey func(wrapped []byte) (*seal.DEK, error), ad []byte, value string) (*seal.DEK, []byte, []byte) {
	t.Helper()
	key, wrapped, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	ct, err := key.Seal(ad, []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	again, err := openKey(wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := again.Open(ad, ct); err != nil || string(pt) != value {
		t.Fatalf("open: %q %v", pt, err)
	}
	return again, wrapped, ct
}
