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
	again, wrapped, ct := mustNamedKeyRoundTrip(t, func() (*seal.DEK, []byte, error) { return k.NewRequestKey("dsr_1") },
		func(w []byte) (*seal.DEK, error) { return k.OpenRequestKey("dsr_1", w) },
		seal.RequestDataAD("dsr_1"), "siti.rahayu@example.co.id")
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
