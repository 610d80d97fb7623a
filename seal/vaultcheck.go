package seal

import (
	"crypto/hmac"
	"crypto/sha256"

	"jaga"
)

// vaultCheckLabel is the message VaultCheck authenticates.
const vaultCheckLabel = "jaga/vault-check/v1"

// VaultCheck returns the key-check value of the keyring's blind-index key (index.key):
// HMAC-SHA256 keyed by index.key over the fixed label "jaga/vault-check/v1", truncated
// to 16 bytes (jaga.VaultKeyCheckSize). It reveals nothing of the key, yet two keys
// directories give the same value only when they hold the same index key. The index
// key never rotates (the KEK does, and is not part of the check: wrapped keys name the
// KEK versions kek.json must hold), so the value names a vault's keys for its life; a
// database stores it to refuse another vault's keys (jaga.VaultBinding).
func (k *Keyring) VaultCheck() []byte {
	k.blind.mu.Lock()
	m := hmac.New(sha256.New, k.blind.root)
	k.blind.mu.Unlock()
	m.Write([]byte(vaultCheckLabel))
	return m.Sum(nil)[:jaga.VaultKeyCheckSize]
}
