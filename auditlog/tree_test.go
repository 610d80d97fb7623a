package auditlog

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestTreeMatchesTlog checks the in-memory tree against tlog.StoredHashes and
// tlog.TreeHash for every size up to 300.
func TestTreeMatchesTlog(t *testing.T) {
	var stored memHashes
	var tr Tree
	for n := int64(0); n < 300; n++ {
		data := []byte(fmt.Sprint("leaf ", n))
		want, err := tlog.StoredHashes(n, data, stored)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, want...)
		got := tr.Append(nil, tlog.RecordHash(data))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("leaf %d: stored hashes %v, want %v", n, got, want)
		}
		root, err := tlog.TreeHash(n+1, stored)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Root() != root {
			t.Fatalf("size %d: root %v, want %v", n+1, tr.Root(), root)
		}
		var again, fromEdge Tree
		if err := again.load(n+1, stored); err != nil || again.Root() != root {
			t.Fatalf("size %d: loaded root %v (%v), want %v", n+1, again.Root(), err, root)
		}
		if err := fromEdge.loadEdge(n+1, tr.EdgeBytes()); err != nil || fromEdge.Root() != root {
			t.Fatalf("size %d: root from edge %v (%v), want %v", n+1, fromEdge.Root(), err, root)
		}
		for _, i := range edgeIndexes(n + 1) {
			leaf, off := recordOf(i)
			if leaf > n || StoredIndex(leaf)+int64(off) != i {
				t.Fatalf("recordOf(%d) = %d, %d", i, leaf, off)
			}
		}
	}
}
