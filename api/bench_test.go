package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/sqlstore/storetest"
)

// BenchmarkLookupHTTP measures gated look-ups over loopback HTTP, as the project's
// target states them: 32 concurrent clients, the support key, customer_support, look-up
// by email. Each look-up is a full gate call: policy, blind index, consent, one audit
// event committed (group commit) before decryption and masking. It reports reads/s and
// the p99 latency in milliseconds.
func BenchmarkLookupHTTP(b *testing.B) {
	const clients, subjects = 32, 1000
	e, bodies := benchVault(b, subjects)
	lookupLoad(b, []string{e.srv.URL}, e.keys[jaga.RoleSupport], clients, bodies)
}

// lookupLoad runs b.N look-ups (bodies in turn) by clients concurrent HTTP clients,
// spread over the nodes at urls in turn, and reports reads/s and the p99 latency in ms.
func lookupLoad(b *testing.B, urls []string, apiKey string, clients int, bodies [][]byte) {
	tr := &http.Transport{MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: 2 * clients, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	key := "Bearer " + apiKey
	subjects := int64(len(bodies))

	var (
		mu        sync.Mutex
		latencies []time.Duration
		next      atomic.Int64
	)
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := storetest.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			n := next.Add(1)
			i := n % subjects
			req, _ := http.NewRequest("POST", urls[int(n)%len(urls)]+"/v1/subjects/lookup", bytes.NewReader(bodies[i]))
			req.Header["Authorization"] = []string{key}
			req.Header["Jaga-Purpose"] = []string{jaga.PurposeCustomerSupport}
			req.Header["Content-Type"] = []string{"application/json"}
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(start))
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
	b.ReportMetric(float64((storetest.ProcessCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	if len(latencies) > 0 {
		slices.Sort(latencies)
		p99 := latencies[len(latencies)*99/100]
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	}
}

// benchVault is a vault with n subjects imported, and each one's look-up body.
func benchVault(b *testing.B, n int) (*env, [][]byte) {
	e := newEnv(b)
	rows, bodies := benchRows(n)
	res, err := e.gate.ImportSubjects(context.Background(), gate.Request{Actor: e.actors[jaga.RoleService], Purpose: jaga.PurposeServiceProvision}, rows)
	if err != nil || len(res.Errors) > 0 || res.Created != n {
		b.Fatalf("seed: %v %+v", err, res)
	}
	return e, bodies
}

// benchRows returns n subjects to import and each one's look-up body.
func benchRows(n int) ([]gate.ImportRow, [][]byte) {
	rows := make([]gate.ImportRow, n)
	bodies := make([][]byte, n)
	for i := range rows {
		email := benchEmail(i)
		rows[i] = gate.ImportRow{Key: []string{"bench", fmt.Sprint(i)}, Channel: jaga.ChannelImport,
			Values: map[string]string{"full_name": fmt.Sprintf("Pelanggan %04d", i), "email": email,
				"phone": fmt.Sprintf("+62812%08d", i), "domicile_city": "Kota Bandung"}}
		bodies[i] = []byte(`{"email":"` + email + `"}`)
	}
	return rows, bodies
}

func benchEmail(i int) string { return fmt.Sprintf("customer%04d@example.co.id", i) }

// BenchmarkLookupGate is BenchmarkLookupHTTP's baseline: the same look-ups by the same
// 32 clients, calling gate.Find directly. The difference is what HTTP and this package
// cost.
func BenchmarkLookupGate(b *testing.B) {
	const clients, subjects = 32, 1000
	e, _ := benchVault(b, subjects)
	req := gate.Request{Actor: e.actors[jaga.RoleSupport], Purpose: jaga.PurposeCustomerSupport}
	var next atomic.Int64
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := storetest.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) % subjects)
			if _, err := e.gate.Find(context.Background(), gate.FindRequest{Request: req, Field: "email", Value: jaga.Redact(benchEmail(i))}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
	b.ReportMetric(float64((storetest.ProcessCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
