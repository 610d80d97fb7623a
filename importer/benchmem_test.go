package importer_test

import (
	"runtime"
	"testing"
	"time"
)

// trackMemory samples the Go heap every 100 ms until the returned function is called,
// which reports the peak of heap in use (MB) and the memory the runtime took from the
// system (MB, Sys: heap, stacks and runtime structures; SQLite's page cache is
// allocated by the pure-Go driver and counts here too).
func trackMemory(b *testing.B) func() {
	stop, done := make(chan struct{}), make(chan struct{})
	var peak uint64
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
	}
}
