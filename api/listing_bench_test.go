package api_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/api"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
	"jaga/sqlstore/storetest"
)

// listingVault is the data of BenchmarkListSubjectsHTTP, built once per process.
var listingVault struct {
	once  sync.Once
	srv   *http.Server
	url   string
	key   string
	pop   storetest.ConsentPopulation
	err   error
	dir   string
	close func()
}

// BenchmarkListSubjectsHTTP streams, over loopback HTTP, the IDs of the subjects with a
// counting cross_selling consent among JAGA_BENCH_SUBJECTS subjects (default
// 1,000,000; half of them consenting): the marketer's GET /v1/subjects through the gate
// (policy, audit events before and after) and the SQL range scan of current_consents.
// Building the vault (direct store inserts) is not timed; each iteration is one whole
// listing, read to its closing count line. Target (issue 3): under 2 s per listing.
func BenchmarkListSubjectsHTTP(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("JAGA_BENCH_SUBJECTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("JAGA_BENCH_SUBJECTS: %v", err)
		}
	}
	v := &listingVault
	v.once.Do(func() { v.err = buildListingVault(b, n) })
	if v.err != nil {
		b.Fatal(v.err)
	}
	client := &http.Client{}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		req, _ := http.NewRequest("GET", v.url+"/v1/subjects", nil)
		req.Header["Authorization"] = []string{"Bearer " + v.key}
		req.Header["Jaga-Purpose"] = []string{jaga.PurposeCrossSelling}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		lines, last := 0, []byte(nil)
		for sc.Scan() {
			lines++
			last = append(last[:0], sc.Bytes()...)
		}
		resp.Body.Close()
		if err := sc.Err(); err != nil {
			b.Fatal(err)
		}
		if want := []byte(`{"count":` + strconv.Itoa(v.pop.Consenting) + `}`); !bytes.Equal(last, want) || lines != v.pop.Consenting+1 {
			b.Fatalf("listing ended with %s after %d lines, want %s", last, lines, want)
		}
	}
	b.StopTimer()
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(per.Seconds(), "s/listing")
	b.ReportMetric(float64(v.pop.Consenting)/per.Seconds(), "ids/s")
	b.Logf("%d subjects, %d consenting: %v per full listing", v.pop.Subjects, v.pop.Consenting, per)
}

func buildListingVault(b *testing.B, n int) error {
	v := &listingVault
	dir, err := os.MkdirTemp("", "jaga-listing-bench-")
	if err != nil {
		return err
	}
	v.dir = dir
	ctx := context.Background()
	keys, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		return err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "data", "jaga.db"), sqlite.Options{})
	if err != nil {
		return err
	}
	g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default()})
	if err != nil {
		return err
	}
	if err := g.SeedDemo(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	v.pop = storetest.InsertConsentPopulation(b, st, n, 10_000, jaga.PurposeCrossSelling)
	b.Logf("built %d subjects in %v", n, time.Since(t0).Round(time.Second))
	_, key, err := g.CreateActor(ctx, gate.Request{}, "bench marketer", jaga.RoleMarketer)
	if err != nil {
		return err
	}
	v.key = key
	srv := &http.Server{Handler: api.New(g, api.Options{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	v.srv, v.url = srv, "http://"+ln.Addr().String()
	v.close = func() {
		srv.Close()
		g.Close()
		st.Close()
		keys.Close()
	}
	return nil
}

// TestMain removes the listing benchmark's vault (built once per process) at the end.
func TestMain(m *testing.M) {
	code := m.Run()
	if v := &listingVault; v.dir != "" {
		if v.close != nil {
			v.close()
		}
		os.RemoveAll(v.dir)
	}
	os.Exit(code)
}
