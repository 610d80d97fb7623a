package jaga

import (
	"context"
	"time"
)

// ActionPendingPurchasesPurged: purchase lines kept pending for a customer who never
// arrived were deleted, with their data keys, once the retention period had passed
// (UU PDP Art 16(2)(g), Art 44(1)(a); R-41). The event holds the count only.
const ActionPendingPurchasesPurged = "pending_purchases_purged"

// PendingPurchaseHolder is the data key of one pending source key: the keyed hash of a
// customer's source ID (the import key the customer's subject will hold in import_keys)
// whose customer is not in the vault yet. WrappedDEK is a fresh DEK wrapped by the KEK
// with associated data "jaga/dek/v1|<ID>"; ID is a random subject-shaped ID that names
// the key and never becomes a subject. CreatedAt is when the first line was stored.
type PendingPurchaseHolder struct {
	SourceKey  []byte
	ID         SubjectID
	WrappedDEK []byte
	CreatedAt  time.Time
}

// PendingPurchase is one purchase line kept until its customer exists: Key is the
// line's own purchase key (a keyed hash of source, file, line and content, as
// SealedPurchase.SourceKey), SourceKey its customer's pending source key, Sealed the
// line under the holder's DEK with associated data
// "jaga/pending-purchase/v1|<holder ID>|<hex Key>" (seal.PendingPurchaseAD). Holder is
// filled in by reads (with its wrapped key), not by writes.
type PendingPurchase struct {
	Key       []byte
	SourceKey []byte
	Sealed    []byte
	CreatedAt time.Time
	Holder    *PendingPurchaseHolder
}

// PendingPurchaseTx is the part of Tx that keeps pending purchase lines (issue 4:
// purchases may be imported before their customers). Tx embeds it.
type PendingPurchaseTx interface {
	// PendingPurchaseHolders returns the holders of the given source keys that have
	// one, keyed by string(source key).
	PendingPurchaseHolders(ctx context.Context, sourceKeys [][]byte) (map[string]*PendingPurchaseHolder, error)
	// InsertPendingPurchases stores new holders (a source key that has one already is
	// ECONFLICT: another import stored it meanwhile) and lines, skipping lines whose Key
	// is stored already; it returns how many lines it stored. A line whose SourceKey has
	// no holder is ENOTFOUND. Zero CreatedAt is the transaction's time.
	InsertPendingPurchases(ctx context.Context, holders []*PendingPurchaseHolder, lines []*PendingPurchase) (int, error)
	// PendingPurchases returns the lines of the given source keys with their holders, by
	// source key then line key.
	PendingPurchases(ctx context.Context, sourceKeys [][]byte) ([]*PendingPurchase, error)
	// DeletePendingPurchases deletes the holders of the given source keys (their wrapped
	// keys destroyed) and their lines, and returns how many lines it deleted.
	DeletePendingPurchases(ctx context.Context, sourceKeys [][]byte) (int, error)
	// PurgePendingPurchases deletes the lines stored before before, and every holder
	// left without a line, and returns how many lines it deleted.
	PurgePendingPurchases(ctx context.Context, before time.Time) (int, error)
	// CountPendingPurchases returns the number of pending lines.
	CountPendingPurchases(ctx context.Context) (int, error)
}
