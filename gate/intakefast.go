package gate

import (
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"jaga"
)

// parallelAll is parallel on every core: for the sealing steps of CommitIntake, during
// which the one writer waits for them rather than writing.
func parallelAll(n int, fn func(i int)) {
	parallelOn(runtime.GOMAXPROCS(0), n, fn)
}

// appendMergeRow appends the JSON of quarantined{Values, Channel, CollectedAt, Key},
// the plaintext of a merge record, as json.Marshal writes it (keys of values sorted,
// the time in RFC 3339 with nanoseconds) but without its reflection: it runs once per
// merged row. It reads back with json.Unmarshal into quarantined (unmerge).
func appendMergeRow(b []byte, values map[string]string, channel jaga.Channel, at time.Time, key []string) []byte {
	b = append(b, `{"values":`...)
	if values == nil {
		b = append(b, "null"...)
	} else {
		b = appendAttributes(b, values)
	}
	b = append(b, `,"channel":`...)
	b = appendJSONString(b, string(channel))
	b = append(b, `,"collected_at":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","key":`...)
	if key == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, k := range key {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// keyOrders remembers the sorted key lists of recent maps: an import seals maps with
// the same keys (the attribute columns of its file) row after row, and checking that a
// map has a remembered set costs a lookup per key where sorting costs several string
// comparisons per key.
var (
	keyOrders    [4]atomic.Pointer[[]string]
	keyOrderNext atomic.Uint32
)

// sortedKeys returns the keys of m in sorted order; the result must not be modified.
func sortedKeys(m map[string]string) []string {
	for i := range keyOrders {
		p := keyOrders[i].Load()
		if p == nil || len(*p) != len(m) {
			continue
		}
		same := true
		for _, k := range *p {
			if _, ok := m[k]; !ok {
				same = false
				break
			}
		}
		if same { // as many distinct keys, all in m: the same set
			return *p
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) >= 8 {
		keyOrders[keyOrderNext.Add(1)%uint32(len(keyOrders))].Store(&keys)
	}
	return keys
}
