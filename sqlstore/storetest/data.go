package storetest

import (
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"time"

	"github.com/google/uuid"

	"jaga"
)

// NewSubjectID returns a fresh subject ID, as the gate makes them: "sub_" + a UUIDv7
// (RFC 9562; google/uuid keeps IDs from one process increasing) in 32 hex digits.
func NewSubjectID() jaga.SubjectID {
	u := uuid.Must(uuid.NewV7())
	return jaga.SubjectID(jaga.SubjectIDPrefix + hex.EncodeToString(u[:]))
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
