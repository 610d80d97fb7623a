package seal_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"jaga/seal"
)

// TestRequestKey: a per-request key opens only for its own request, and data sealed
// under it opens only with its associated data; a destroyed (lost) wrapped key leaves
// nothing to open with.
func TestRequestKey(t *testing.T) {
	k := MustOpen(t, filepath.Join(t.TempDir(), "keys"))
	key, wrapped, err := k.NewRequestKey("dsr_1")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := key.Seal(seal.RequestDataAD("dsr_1"), []byte("siti.rahayu@example.co.id"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.OpenRequestKey("dsr_1", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := again.Open(seal.RequestDataAD("dsr_1"), ct); err != nil || string(pt) != "siti.rahayu@example.co.id" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := k.OpenRequestKey("dsr_2", wrapped); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("key of another request: %v", err)
	}
	if _, err := again.Open(seal.RequestDataAD("dsr_2"), ct); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("data moved to another request: %v", err)
	}
	if _, err := k.OpenRequestKey("dsr_1", wrapped[:10]); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("truncated key: %v", err)
	}
	if bytes.Equal(k.PortalKey(), make([]byte, 32)) || !bytes.Equal(k.PortalKey(), k.PortalKey()) {
		t.Fatal("portal key is not a stable derived key")
	}
}
