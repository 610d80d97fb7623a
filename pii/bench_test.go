package pii_test

import (
	"io"
	"runtime"
	"sync"
	"testing"

	"jaga/pii"
	"jaga/pii/piigen"
)

// sample is 16 MiB of generated mixed Bahasa/English text (piigen: one identifier per
// 4 KB, at most a quarter phones), built once.
var sample = sync.OnceValue(func() []byte { return piigen.New(42).Fill(nil, 16<<20) })

// cycle reads n bytes by repeating b.
type cycle struct {
	b   []byte
	off int
	n   int64
}

func (c *cycle) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.EOF
	}
	k := copy(p, c.b[c.off:])
	if int64(k) > c.n {
		k = int(c.n)
	}
	c.off = (c.off + k) % len(c.b)
	c.n -= int64(k)
	return k, nil
}

func benchScan(b *testing.B, o pii.Options, size int64) {
	sc := pii.MustScanner(o)
	text := sample()
	b.SetBytes(size)
	b.ReportAllocs()
	var found int
	cpu0 := cpuTime()
	for b.Loop() {
		err := sc.ScanReader(&cycle{b: text, n: size}, func(pii.Finding) error { found++; return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(found)/float64(b.N), "findings/op")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		// Throughput per CPU second: with GOMAXPROCS=1 the scan runs on one core,
		// and this figure does not drop when other processes share the machine.
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}

// BenchmarkScanIdentifiers is `jaga scan`'s identifier pass over 16 MiB and 1 GiB of
// generated text through the streaming scanner (run with GOMAXPROCS=1 for one core;
// the README gives the command and figures).
func BenchmarkScanIdentifiers(b *testing.B) {
	b.Run("16MiB", func(b *testing.B) { benchScan(b, pii.Options{}, 16<<20) })
	b.Run("1GiB", func(b *testing.B) { benchScan(b, pii.Options{}, 1<<30) })
}

// BenchmarkScanNames is the person/place/address detector alone.
func BenchmarkScanNames(b *testing.B) {
	benchScan(b, pii.Options{Names: true, Kinds: []pii.Kind{pii.Person, pii.Place, pii.Address}}, 16<<20)
}

// TestScanReaderMemoryFlat: the streaming scan's live heap does not grow with the
// input (64 MiB scanned, the heap sampled along the way stays under 8 MiB above the
// start).
func TestScanReaderMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 64 MiB")
	}
	text := sample()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	n := 0
	err := pii.MustScanner(pii.Options{}).ScanReader(&cycle{b: text, n: 64 << 20}, func(pii.Finding) error {
		if n++; n%2000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if peak > base+8<<20 {
		t.Fatalf("live heap grew from %d to %d bytes while scanning 64 MiB", base, peak)
	}
	t.Logf("%d findings; live heap %d KiB at start, at most %d KiB while scanning", n, base>>10, peak>>10)
}
