package seal

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
	"sync/atomic"
)

// HKDF info strings of the keys derived from index.key. Each use has its own, so that a
// blind index of one field can never equal an index of another field or an import key.
const (
	blindIndexInfo = "jaga/blind-index/v1|" // + field name
	importKeyInfo  = "jaga/import-key/v1"
)

// maxCachedFields bounds the per-field key cache: schemas have a handful of indexed
// fields, and a caller passing arbitrary names must not grow memory without end.
const maxCachedFields = 256

// BlindIndex returns the blind index of a field's normalised value: HMAC-SHA256 with a
// key derived for that field by HKDF-SHA256 from index.key (info
// "jaga/blind-index/v1|<field>"), truncated to 16 bytes (IndexSize). The same field and
// value give the same index in one vault and, with overwhelming probability, different
// indexes in another vault or for another field. The value must already be normalised
// (package normalize). It allocates only the result; the keyed hashes are pooled.
func (k *Keyring) BlindIndex(field string, normalized string) []byte {
	p := k.blind.pool(field)
	s := p.get()
	s.buf = append(s.buf, normalized...)
	out := s.sum16()
	p.put(s)
	return out
}

// ImportKey returns a keyed hash of parts (16 bytes, IndexSize) that makes re-imports
// idempotent: HMAC-SHA256, keyed by HKDF-SHA256 from index.key with info
// "jaga/import-key/v1", over each part prefixed by its length (4 bytes, big-endian), so
// that ("ab", "c") and ("a", "bc") differ. Typical parts are a source name and a row key.
func (k *Keyring) ImportKey(parts ...string) []byte {
	return k.ImportKeyFunc(func(add func(string)) {
		for _, part := range parts {
			add(part)
		}
	})
}

// ImportKeyFunc is ImportKey over the parts that fill passes to add, in order, so that
// a caller with many parts (every value of a row) builds no slice of them. add must not
// be used after fill returns.
func (k *Keyring) ImportKeyFunc(fill func(add func(part string))) []byte {
	p := k.importMAC
	s := p.get()
	fill(func(part string) {
		s.buf = binary.BigEndian.AppendUint32(s.buf, uint32(len(part)))
		s.buf = append(s.buf, part...)
	})
	out := s.sum16()
	p.put(s)
	return out
}

// setIndexKey installs the index key (copied) and derives the import-key MAC key.
func (k *Keyring) setIndexKey(key []byte) error {
	k.blind.root = bytes.Clone(key)
	ik, err := hkdf.Key(sha256.New, key, nil, importKeyInfo, KeySize)
	if err != nil {
		return err
	}
	k.importMAC = newMACPool(ik)
	return nil
}

// macSet derives and caches one HMAC pool per field. Lookups read an immutable map
// through an atomic pointer, so the hot path takes no lock; a new field copies the map.
type macSet struct {
	root []byte // index.key
	mu   sync.Mutex
	m    atomic.Pointer[map[string]*macPool]
}

func (s *macSet) pool(field string) *macPool {
	if m := s.m.Load(); m != nil {
		if p := (*m)[field]; p != nil {
			return p
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.m.Load()
	var n int
	if old != nil {
		if p := (*old)[field]; p != nil {
			return p
		}
		n = len(*old)
	}
	key, err := hkdf.Key(sha256.New, s.root, nil, blindIndexInfo+field, KeySize)
	if err != nil {
		panic("seal: hkdf: " + err.Error()) // only for lengths over 255*32 bytes
	}
	p := newMACPool(key)
	if n >= maxCachedFields {
		return p
	}
	m := make(map[string]*macPool, n+1)
	if old != nil {
		for f, q := range *old {
			m[f] = q
		}
	}
	m[field] = p
	s.m.Store(&m)
	return p
}

func (s *macSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.root)
}

// macPool reuses HMAC states of one key: hmac.New costs two hash states and a key
// schedule, too much per row.
type macPool struct {
	key  []byte
	pool sync.Pool
}

type macState struct {
	h   hash.Hash
	buf []byte // the message, gathered so that one Write feeds the hash
	sum [sha256.Size]byte
}

func newMACPool(key []byte) *macPool {
	p := &macPool{key: key}
	p.pool.New = func() any { return &macState{h: hmac.New(sha256.New, p.key)} }
	return p
}

func (p *macPool) get() *macState {
	s := p.pool.Get().(*macState)
	s.h.Reset()
	s.buf = s.buf[:0]
	return s
}

// put returns s to the pool after wiping the message, which may be a personal value.
func (p *macPool) put(s *macState) {
	clear(s.buf)
	if cap(s.buf) > 4096 {
		s.buf = nil
	}
	p.pool.Put(s)
}

// sum16 returns the first 16 bytes of the MAC of s.buf.
func (s *macState) sum16() []byte {
	s.h.Write(s.buf)
	sum := s.h.Sum(s.sum[:0])
	out := make([]byte, IndexSize)
	copy(out, sum)
	clear(s.sum[:])
	return out
}
