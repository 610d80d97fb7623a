package storetest

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"sync"
	"time"

	"jaga"
)

var idGen struct {
	sync.Mutex
	ms  int64
	seq uint16
}

// NewSubjectID returns a fresh subject ID: "sub_" + a UUIDv7 in 32 hex digits, with a
// 12-bit counter in rand_a (RFC 9562 §6.2 method 1), so that IDs from this process are
// strictly increasing, like the ones the gate makes.
func NewSubjectID() jaga.SubjectID {
	idGen.Lock()
	ms := time.Now().UnixMilli()
	if ms <= idGen.ms {
		idGen.seq++
		if idGen.seq > 0xfff {
			idGen.ms++
			idGen.seq = 0
		}
		ms = idGen.ms
	} else {
		idGen.ms, idGen.seq = ms, 0
	}
	seq := idGen.seq
	idGen.Unlock()

	var b [16]byte
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], uint64(ms))
	copy(b[0:6], t[2:8])
	b[6] = 0x70 | byte(seq>>8)
	b[7] = byte(seq)
	_, _ = rand.Read(b[8:])
	b[8] = 0x80 | b[8]&0x3f
	return jaga.SubjectID(jaga.SubjectIDPrefix + hex.EncodeToString(b[:]))
}

// Gen makes test subjects with realistic sizes: the 37 fields and attributes of the
// default schema, each sealed value 33 bytes of AEAD overhead (Tink prefix, nonce, tag)
// plus a few to 30 bytes of "plaintext" (about 40 bytes on average), a 60-byte wrapped
// DEK, blind indexes of email, phone and nik, and a 32-byte import key. The bytes are
// pseudo-random from a seeded generator. Gen is not safe for concurrent use.
type Gen struct {
	rng   *mrand.ChaCha8
	names []string
}

// NewGen returns a Gen seeded with seed.
func NewGen(seed uint64) *Gen {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	g := &Gen{rng: mrand.NewChaCha8(s)}
	for _, f := range jaga.DefaultFieldSpecs() {
		g.names = append(g.names, f.Name)
	}
	return g
}

// Bytes returns n pseudo-random bytes.
func (g *Gen) Bytes(n int) []byte {
	b := make([]byte, n)
	_, _ = g.rng.Read(b)
	return b
}

// Subject returns a new subject with a fresh ID.
func (g *Gen) Subject() *jaga.SealedSubject {
	id := NewSubjectID()
	sealed := make(map[string][]byte, len(g.names))
	size := 0
	lens := make([]int, len(g.names))
	for i := range g.names {
		lens[i] = 33 + 1 + int(g.rng.Uint64()%14)
		if i < 9 { // identity fields are longer than attributes
			lens[i] += 8
		}
		size += lens[i]
	}
	buf := g.Bytes(size)
	for i, n := range g.names {
		sealed[n] = buf[:lens[i]:lens[i]]
		buf = buf[lens[i]:]
	}
	return &jaga.SealedSubject{
		ID:         id,
		WrappedDEK: g.Bytes(60),
		Sealed:     sealed,
		Indexes: []jaga.BlindIndex{
			{Field: "email", Value: g.Bytes(16)},
			{Field: "phone", Value: g.Bytes(16)},
			{Field: "nik", Value: g.Bytes(16)},
		},
		Channel:     jaga.ChannelImport,
		CollectedAt: time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC),
		ImportKey:   g.Bytes(32),
	}
}

// Subjects returns n new subjects in ID order.
func (g *Gen) Subjects(n int) []*jaga.SealedSubject {
	out := make([]*jaga.SealedSubject, n)
	for i := range out {
		out[i] = g.Subject()
	}
	return out
}
