package seal_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"jaga/seal"
)

// TestVaultCheck: the check value is 16 bytes, the same for every opening of one keys
// directory and different for another's, and is none of its key files' bytes.
func TestVaultCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	a, err := seal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	again, err := seal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	other, err := seal.Open(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ca := a.VaultCheck()
	if len(ca) != 16 {
		t.Fatalf("VaultCheck is %d bytes, want 16", len(ca))
	}
	if !bytes.Equal(ca, again.VaultCheck()) {
		t.Errorf("two openings of one keys directory give different checks")
	}
	if bytes.Equal(ca, other.VaultCheck()) {
		t.Errorf("two keys directories give the same check")
	}
	if bytes.Equal(ca, a.BlindIndex("jaga/vault-check/v1", "")) || bytes.Equal(ca, a.ImportKey("jaga/vault-check/v1")) {
		t.Errorf("the check equals a blind index or import key")
	}
}
