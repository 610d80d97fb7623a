package auditlog

import (
	"fmt"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
)

// Tree is a Merkle tree (RFC 6962, as tlog hashes it) built in memory leaf by leaf:
// only the roots of its complete subtrees are kept, so appending costs O(1) amortised
// and the root O(log n). Verification recomputes a log with it.
type Tree struct {
	n    int64
	edge [64]tlog.Hash // edge[L] is the root of the complete subtree at level L when bit L of n is set
}

// Size returns the number of leaves.
func (t *Tree) Size() int64 { return t.n }

// Append adds a leaf hash and appends to dst the hashes the log stores with it, as
// tlog.StoredHashes: the leaf, then the root of each subtree the leaf completes.
func (t *Tree) Append(dst []tlog.Hash, leaf tlog.Hash) []tlog.Hash {
	dst = append(dst, leaf)
	cur := leaf
	L := 0
	for ; t.n>>L&1 == 1; L++ {
		cur = tlog.NodeHash(t.edge[L], cur)
		dst = append(dst, cur)
	}
	t.edge[L] = cur
	t.n++
	return dst
}

// Root returns the tree hash of all leaves so far (tlog.TreeHash); the zero hash of
// an empty tree is tlog.Hash{}.
func (t *Tree) Root() tlog.Hash {
	if t.n == 0 {
		return tlog.Hash{}
	}
	L := bits.TrailingZeros64(uint64(t.n))
	root := t.edge[L]
	for L++; L < 64; L++ {
		if t.n>>L&1 == 1 {
			root = tlog.NodeHash(t.edge[L], root)
		}
	}
	return root
}

// EdgeBytes returns the roots of the complete subtrees, lowest level first, 32 bytes
// each (jaga.AuditHead.Edge).
func (t *Tree) EdgeBytes() []byte {
	out := make([]byte, 0, bits.OnesCount64(uint64(t.n))*tlog.HashSize)
	for L := 0; L < 64; L++ {
		if t.n>>L&1 == 1 {
			out = append(out, t.edge[L][:]...)
		}
	}
	return out
}

// loadEdge starts t at size n from EdgeBytes of a tree of that size.
func (t *Tree) loadEdge(n int64, edge []byte) error {
	if len(edge) != bits.OnesCount64(uint64(n))*tlog.HashSize {
		return fmt.Errorf("auditlog: stored tree edge has %d bytes for size %d", len(edge), n)
	}
	*t = Tree{n: n}
	for L := 0; L < 64; L++ {
		if n>>L&1 == 1 {
			copy(t.edge[L][:], edge)
			edge = edge[tlog.HashSize:]
		}
	}
	return nil
}

// edgeIndexes returns the stored-hash indexes of the complete subtrees of a tree of
// size n (its right edge), which are all a tree of size n needs to grow.
func edgeIndexes(n int64) []int64 {
	var out []int64
	for L := 0; L < 63; L++ {
		if n>>L&1 == 1 {
			out = append(out, tlog.StoredHashIndex(L, n>>L-1))
		}
	}
	return out
}

// recordOf returns the 0-based leaf whose stored hashes hold stored-hash index i, and
// the position of the hash among them.
func recordOf(i int64) (leaf int64, offset int) {
	level, k := tlog.SplitStoredHashIndex(i)
	return (k+1)<<level - 1, level
}

// load starts t at size n from the stored hashes of its right edge.
func (t *Tree) load(n int64, read tlog.HashReader) error {
	idx := edgeIndexes(n)
	hs, err := read.ReadHashes(idx)
	if err != nil {
		return err
	}
	*t = Tree{n: n}
	for j, i := range idx {
		level, _ := tlog.SplitStoredHashIndex(i)
		t.edge[level] = hs[j]
	}
	return nil
}

// SubjectLeaf is the leaf hash of a subject in a bulk event's subject tree:
// SHA-256(0x00 ‖ ASCII subject ID).
func SubjectLeaf(id jaga.SubjectID) tlog.Hash { return tlog.RecordHash([]byte(id)) }

// SubjectRoot returns the tree hash over ids in the given order (Encode sorts them).
func SubjectRoot(ids []jaga.SubjectID) (tlog.Hash, error) {
	var t Tree
	var scratch []tlog.Hash
	for _, id := range ids {
		if !id.Valid() {
			return tlog.Hash{}, fmt.Errorf("auditlog: audit events name subjects by subject ID only")
		}
		scratch = t.Append(scratch[:0], SubjectLeaf(id))
	}
	return t.Root(), nil
}

// memHashes is a tlog.HashReader over every stored hash of a small tree in memory.
type memHashes []tlog.Hash

// ReadHashes implements tlog.HashReader.
func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("auditlog: hash %d not in tree", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// SubjectProof proves that subject `ids[pos]` is a leaf of the subject tree over ids
// (a bulk event's members in tree order).
func SubjectProof(ids []jaga.SubjectID, pos int) (tlog.RecordProof, error) {
	var t Tree
	all := make(memHashes, 0, 2*len(ids))
	for _, id := range ids {
		all = t.Append(all, SubjectLeaf(id))
	}
	return tlog.ProveRecord(int64(len(ids)), int64(pos), all)
}
