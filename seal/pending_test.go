package seal_test

import (
	"testing"

	"jaga/seal"
)

func TestPendingPurchaseAD(t *testing.T) {
	s := Subject(3)
	if got, want := string(seal.PendingPurchaseAD(s, []byte{0xab, 0x01})), "jaga/pending-purchase/v1|"+string(s)+"|ab01"; got != want {
		t.Errorf("PendingPurchaseAD = %q, want %q", got, want)
	}
}
