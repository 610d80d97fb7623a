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
	key, wrapped, err := k.NewTokenKey("a1b2")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := key.Seal(seal.TokenDataAD("a1b2", "nik"), []byte("3273015001900019"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.OpenTokenKey("a1b2", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := again.Open(seal.TokenDataAD("a1b2", "nik"), ct); err != nil || string(pt) != "3273015001900019" {
		t.Fatalf("open: %q %v", pt, err)
	}
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
