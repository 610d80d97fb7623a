package seal

import (
	"time"

	"jaga"
)

// SetMissGap sets the shortest time between reloads caused by unknown key IDs.
func SetMissGap(k *Keyring, d time.Duration) {
	k.kekMu.Lock()
	k.missGap = d
	k.kekMu.Unlock()
}

// MissReloads returns how many reloads unknown key IDs caused.
func MissReloads(k *Keyring) int64 { return k.missReloads.Load() }

// Reloads returns how many times kek.json was parsed again after Open.
func Reloads(k *Keyring) int64 { return k.reloads.Load() }

// DEKFromKey returns a DEK over a raw 32-byte key, for test vectors.
func DEKFromKey(subject jaga.SubjectID, raw []byte) (*DEK, error) { return newDEK(subject, raw) }
