package seal_test

import (
	"errors"
	"path/filepath"
	"testing"

	"jaga/seal"
)

// TestTokenKey: a token key opens only for its own token, never as a request key of the
// same name (domain separation), and a value sealed under it opens only as the same kind.
func TestTokenKey(t *testing.T) {
	k := MustOpen(t, filepath.Join(t.TempDir(), "keys"))
	again, wrapped, ct := mustNamedKeyRoundTrip(t, func() (*seal.DEK, []byte, error) { return k.NewTokenKey("a1b2") },
		func(w []byte) (*seal.DEK, error) { return k.OpenTokenKey("a1b2", w) },
		seal.TokenDataAD("a1b2", "nik"), "3273015001900019")
	if _, err := again.Open(seal.TokenDataAD("a1b2", "npwp"), ct); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("relabelled kind: %v", err)
	}
	if _, err := k.OpenTokenKey("a1b3", wrapped); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("key of another token: %v", err)
	}
	if _, err := k.OpenRequestKey("a1b2", wrapped); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("token key opened as a request key: %v", err)
	}
	if _, _, err := k.NewTokenKey(""); err == nil {
		t.Fatal("empty token ID accepted")
	}
}
