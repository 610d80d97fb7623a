package jaga

import (
	"context"
	"time"
)

// VaultBinding ties a vault's database to the keys/ it was first opened with, so that a
// node started with another vault's keys (a new --dir on a shared PostgreSQL database,
// a data/ directory paired with foreign keys/) is refused before it serves or writes.
// It holds no key material: KeyCheck is a keyed hash of a fixed label under the
// blind-index key (seal.Keyring.VaultCheck) and AuditKeyID names the public audit
// signing key. BoundAt is when the database was bound.
type VaultBinding struct {
	// KeyCheck is 16 bytes (VaultKeyCheckSize).
	KeyCheck []byte
	// AuditKeyID is the first 8 bytes of SHA-256 of the audit signing key's Ed25519
	// public key, in lower-case hex (16 characters).
	AuditKeyID string
	BoundAt    time.Time
}

// VaultKeyCheckSize is the size of VaultBinding.KeyCheck in bytes.
const VaultKeyCheckSize = 16

// VaultBindingTx is the part of Tx that keeps the vault binding (migration 0013). Tx
// embeds it.
type VaultBindingTx interface {
	// VaultBinding returns the binding of the database, nil when it has none (a new
	// database, or one made before bindings existed).
	VaultBinding(ctx context.Context) (*VaultBinding, error)
	// BindVault stores b as the binding unless the database has one already, and
	// returns the binding in force afterwards: b itself (BoundAt set; zero means the
	// transaction's time) or the one stored before, which the caller compares with b.
	// Two transactions binding at once on PostgreSQL store one binding, both read it.
	// EINVALID when KeyCheck is not VaultKeyCheckSize bytes or AuditKeyID is empty.
	BindVault(ctx context.Context, b *VaultBinding) (*VaultBinding, error)
}
