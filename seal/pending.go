package seal

import (
	"encoding/hex"

	"jaga"
)

// PendingPurchaseAD returns the associated data of a purchase line kept until its
// customer exists, sealed under the DEK of its pending source key (holder is the ID that
// DEK is wrapped for, key the line's own purchase key):
// "jaga/pending-purchase/v1|<holder>|<hex key>". A line moved to another holder or
// another line's row fails to open.
func PendingPurchaseAD(holder jaga.SubjectID, key []byte) []byte {
	return []byte("jaga/pending-purchase/v1|" + string(holder) + "|" + hex.EncodeToString(key))
}
