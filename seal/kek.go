package seal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/aead/aesgcm"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"jaga"
)

// kekState is one parsed kek.json: immutable once built, swapped whole on reload.
type kekState struct {
	handle  *keyset.Handle
	aead    tink.AEAD       // Tink's keyset AEAD: encrypts under the primary, decrypts by prefix
	enabled map[uint32]bool // key IDs the AEAD can decrypt with
	primary uint32
	sum     [sha256.Size]byte // of the file contents, to skip reparsing an unchanged file
}

// parseKEK parses kek.json: a cleartext Tink keyset whose keys are all AES-256-GCM with
// Tink's output prefix, one of them primary.
func parseKEK(b []byte) (*kekState, error) {
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(b)))
	if err != nil {
		return nil, err
	}
	st, err := newKEKState(h)
	if err != nil {
		return nil, err
	}
	st.sum = sha256.Sum256(b)
	return st, nil
}

func newKEKState(h *keyset.Handle) (*kekState, error) {
	st := &kekState{handle: h, enabled: make(map[uint32]bool, h.Len())}
	for i := 0; i < h.Len(); i++ {
		e, err := h.Entry(i)
		if err != nil {
			return nil, err
		}
		k, ok := e.Key().(*aesgcm.Key)
		if !ok {
			return nil, fmt.Errorf("key %d is not AES-GCM", e.KeyID())
		}
		p := k.Parameters().(*aesgcm.Parameters)
		if p.KeySizeInBytes() != KeySize || p.Variant() != aesgcm.VariantTink {
			return nil, fmt.Errorf("key %d is not AES-256-GCM with Tink's output prefix", e.KeyID())
		}
		if e.KeyStatus() == keyset.Enabled {
			st.enabled[e.KeyID()] = true
		}
	}
	p, err := h.Primary()
	if err != nil {
		return nil, err
	}
	st.primary = p.KeyID()
	if st.aead, err = aead.New(h); err != nil {
		return nil, err
	}
	return st, nil
}

// serializeKEK returns h as the JSON of a cleartext Tink keyset.
func serializeKEK(h *keyset.Handle) ([]byte, error) {
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return nil, fmt.Errorf("seal: serialize KEK keyset: %w", err)
	}
	return buf.Bytes(), nil
}

// newKEKKeyset returns the JSON of a new keyset with one primary AES-256-GCM key.
func newKEKKeyset() ([]byte, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("seal: generate KEK: %w", err)
	}
	return serializeKEK(h)
}

// KeyInfo describes one KEK of kek.json: its Tink key ID, whether it is the primary (the
// one new DEKs are wrapped under) and its status: "enabled", "disabled" or "destroyed".
type KeyInfo struct {
	ID      uint32
	Primary bool
	Status  string
}

// KEKs lists the KEKs this process knows, in kek.json order.
func (k *Keyring) KEKs() []KeyInfo {
	h := k.kek.Load().handle
	out := make([]KeyInfo, 0, h.Len())
	for i := 0; i < h.Len(); i++ {
		e, err := h.Entry(i)
		if err != nil {
			continue
		}
		out = append(out, KeyInfo{ID: e.KeyID(), Primary: e.IsPrimary(), Status: strings.ToLower(e.KeyStatus().String())})
	}
	return out
}

// PrimaryKEK returns the ID of the KEK that new DEKs are wrapped under.
func (k *Keyring) PrimaryKEK() uint32 { return k.kek.Load().primary }

// Reload re-reads kek.json, so that this process learns of KEKs that another process
// added or promoted; an unchanged file (same SHA-256) is not parsed again. On error the
// keys in use stay as they were; the error is EINVALID (with a hint) for a file that is
// missing, accessible by others or damaged.
func (k *Keyring) Reload() error {
	k.kekMu.Lock()
	defer k.kekMu.Unlock()
	return k.reloadLocked()
}

func (k *Keyring) reloadLocked() error {
	b, err := readKeyFile(k.dir, KEKFile)
	if err != nil {
		return err
	}
	if sha256.Sum256(b) == k.kek.Load().sum {
		clear(b)
		return nil
	}
	st, err := parseKEK(b)
	clear(b)
	if err != nil {
		return damaged(k.dir, KEKFile, err)
	}
	k.kek.Store(st)
	k.reloads.Add(1)
	return nil
}

// reloadForMiss reloads kek.json because a wrapped DEK names key id, which this process
// does not know: another process may have added and promoted it. Reloads for this reason
// happen at most once per k.missGap; it returns the state to use.
func (k *Keyring) reloadForMiss(id uint32) *kekState {
	k.kekMu.Lock()
	defer k.kekMu.Unlock()
	if st := k.kek.Load(); st.enabled[id] || time.Since(k.lastMiss) < k.missGap {
		return st
	}
	k.lastMiss = time.Now()
	k.missReloads.Add(1)
	if err := k.reloadLocked(); err != nil {
		k.log().Warn("seal: reload kek.json for an unknown KEK", "kek", id, "err", err)
	}
	return k.kek.Load()
}

// WatchReload re-reads kek.json every `every` (5 s when not positive) until ctx is
// cancelled, so that a KEK added by another process is known here before it is promoted
// (DESIGN.md rotation). It blocks: run it in its own goroutine. Failures are logged (see
// SetLogger) and the keys in use kept.
func (k *Keyring) WatchReload(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := k.Reload(); err != nil {
				k.log().Warn("seal: reload kek.json", "err", err)
			}
		}
	}
}

// AddKEK generates a new AES-256-GCM KEK, adds it to kek.json enabled but not primary,
// saves the file atomically and returns the new key's ID. Promote it with PromoteKEK only
// once every running process has reloaded (WatchReload), or they will fail to open DEKs
// wrapped under it until they do. The change is made on the newest kek.json on disk,
// under a lock that other jaga processes respect.
func (k *Keyring) AddKEK() (uint32, error) {
	var id uint32
	err := k.changeKEK(func(m *keyset.Manager) (err error) {
		id, err = m.Add(aead.AES256GCMKeyTemplate())
		return err
	})
	return id, err
}

// PromoteKEK makes KEK id the primary, under which new DEKs are wrapped, and saves
// kek.json; DEKs wrapped under other keys still open, and RewrapAll moves them to it. It
// returns an ENOTFOUND *jaga.Error for an unknown id and EINVALID for a key that is not
// enabled. Promoting the primary again is a no-op.
func (k *Keyring) PromoteKEK(id uint32) error {
	return k.changeKEK(func(m *keyset.Manager) error {
		st := k.kek.Load()
		if st.primary == id {
			return errNoChange
		}
		found := false
		for _, ki := range k.KEKs() {
			if ki.ID == id {
				found = true
			}
		}
		if !found {
			return jaga.Errorf(jaga.ENOTFOUND, "KEK %d is not in %s", id, KEKFile)
		}
		if !st.enabled[id] {
			return jaga.Errorf(jaga.EINVALID, "KEK %d is not enabled", id)
		}
		return m.SetPrimary(id)
	})
}

// errNoChange tells changeKEK that there is nothing to save.
var errNoChange = errors.New("no change")

// changeKEK reloads kek.json under the directory lock, applies change to it, saves it
// atomically and installs the result.
func (k *Keyring) changeKEK(change func(*keyset.Manager) error) error {
	k.kekMu.Lock()
	defer k.kekMu.Unlock()
	unlock, err := lockDir(k.dir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := k.reloadLocked(); err != nil {
		return err
	}
	m := keyset.NewManagerFromHandle(k.kek.Load().handle)
	if err := change(m); errors.Is(err, errNoChange) {
		return nil
	} else if err != nil {
		if jaga.AsError(err) != nil {
			return err
		}
		return fmt.Errorf("seal: change KEK keyset: %w", err)
	}
	h, err := m.Handle()
	if err != nil {
		return fmt.Errorf("seal: change KEK keyset: %w", err)
	}
	b, err := serializeKEK(h)
	if err != nil {
		return err
	}
	defer clear(b)
	st, err := parseKEK(b)
	if err != nil {
		return fmt.Errorf("seal: change KEK keyset: %w", err)
	}
	if err := writeFileAtomic(k.dir, KEKFile, b); err != nil {
		return err
	}
	k.kek.Store(st)
	return nil
}
