package seal

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/tink-crypto/tink-go/v2/keyset"

	"jaga"
)

// KEKUsage counts the wrapped keys of a store by the KEK version they are wrapped
// under (read from Tink's 5-byte prefix, without opening anything): ByKEK maps a KEK
// ID to the number of keys of each kind under it (kinds with none are left out), and
// Unreadable counts, per kind, wrapped keys of the wrong size or without a Tink prefix,
// whose KEK cannot be told.
type KEKUsage struct {
	ByKEK      map[uint32]map[jaga.WrappedKeyKind]int
	Unreadable map[jaga.WrappedKeyKind]int
}

// Total returns the number of keys under KEK id, over every kind.
func (u KEKUsage) Total(id uint32) int {
	n := 0
	for _, c := range u.ByKEK[id] {
		n += c
	}
	return n
}

// Describe returns the counts of keys under KEK id by kind, as "2 subject, 1 token"
// in jaga.WrappedKeyKinds order, or "none".
func (u KEKUsage) Describe(id uint32) string {
	var parts []string
	for _, kind := range jaga.WrappedKeyKinds() {
		if n := u.ByKEK[id][kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, kind))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// CountKEKUsage reads every wrapped key of st (every jaga.WrappedKeyKind), batch at a
// time (DefaultRewrapBatch when batch <= 0) in View transactions, and counts them by
// the KEK version they are wrapped under: what `jaga keys list` shows so that an
// operator sees when an old version protects nothing any more. No key is opened. Errors
// are the store's, or ctx.Err() on cancel.
func CountKEKUsage(ctx context.Context, st jaga.Store, batch int) (KEKUsage, error) {
	u := KEKUsage{ByKEK: map[uint32]map[jaga.WrappedKeyKind]int{}, Unreadable: map[jaga.WrappedKeyKind]int{}}
	if batch <= 0 {
		batch = DefaultRewrapBatch
	}
	for _, kind := range jaga.WrappedKeyKinds() {
		err := eachWrappedKeyBatch(ctx, st, kind, batch, false, func(_ jaga.Tx, recs []jaga.WrappedKeyRecord) error {
			for _, r := range recs {
				if len(r.Wrapped) != WrappedDEKSize || r.Wrapped[0] != tinkPrefixByte {
					u.Unreadable[kind]++
					continue
				}
				id := binary.BigEndian.Uint32(r.Wrapped[1:tinkPrefixSize])
				if u.ByKEK[id] == nil {
					u.ByKEK[id] = map[jaga.WrappedKeyKind]int{}
				}
				u.ByKEK[id][kind]++
			}
			return nil
		}, nil)
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

// RetireKEK removes KEK version id from kek.json for good, once no wrapped key of st is
// under it any more (after PromoteKEK of another version and RewrapAll): it holds the
// store's job lock RewrapLock (ECONFLICT while a re-wrap runs), reloads kek.json,
// counts the keys under id (CountKEKUsage) and only when there are none disables and
// deletes the version (Tink keyset.Manager), saving kek.json atomically with mode 0600
// as AddKEK does. Other processes drop it at their next reload.
//
// Errors, each a *jaga.Error that changes nothing: ENOTFOUND for a version kek.json does
// not hold; EINVALID for the primary; ECONFLICT, naming how many keys of which kind,
// while any key is still wrapped under id (RewrapAll moves them) or while a wrapped key
// whose KEK cannot be told exists. Data backups taken before the re-wrap no longer open
// with the keys once id is gone.
//
// A process that has not reloaded kek.json since the promotion could still wrap a new
// key under id after the count; processes reload every few seconds (WatchReload), so
// retire a version only some time after its successor was promoted.
func RetireKEK(ctx context.Context, k *Keyring, st jaga.Store, id uint32, batch int) (KEKUsage, error) {
	release, err := lockRewrap(ctx, st)
	if err != nil {
		return KEKUsage{}, err
	}
	defer release()
	if err := k.Reload(); err != nil {
		return KEKUsage{}, err
	}
	if err := k.checkRetirable(id); err != nil {
		return KEKUsage{}, err
	}
	u, err := CountKEKUsage(ctx, st, batch)
	if err != nil {
		return u, err
	}
	if n := u.Total(id); n > 0 {
		return u, jaga.Errorf(jaga.ECONFLICT, "kek %d still wraps %d keys (%s)", id, n, u.Describe(id))
	}
	if len(u.Unreadable) > 0 {
		bad := 0
		for _, n := range u.Unreadable {
			bad += n
		}
		return u, jaga.Errorf(jaga.ECONFLICT, "%d wrapped keys are damaged and their KEK cannot be told; kek %d kept", bad, id)
	}
	return u, k.changeKEK(func(m *keyset.Manager) error {
		if err := k.checkRetirable(id); err != nil {
			return err
		}
		if err := m.Disable(id); err != nil {
			return err
		}
		return m.Delete(id)
	})
}

// checkRetirable returns ENOTFOUND when kek.json (as last loaded) has no version id and
// EINVALID when id is the primary.
func (k *Keyring) checkRetirable(id uint32) error {
	for _, ki := range k.KEKs() {
		if ki.ID != id {
			continue
		}
		if ki.Primary {
			return jaga.Errorf(jaga.EINVALID, "kek %d is the primary; rotate to a new version first (jaga keys rotate re-wraps every key under it)", id)
		}
		return nil
	}
	return jaga.Errorf(jaga.ENOTFOUND, "kek %d is not in %s", id, KEKFile)
}
