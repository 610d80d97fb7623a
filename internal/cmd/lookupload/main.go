// Command lookupload drives a running Jaga (the real binary, in a process of its own)
// with gated look-ups over loopback HTTP, as the core issue states its read target: c
// concurrent clients POST /v1/subjects/lookup by e-mail with the support key under
// purpose customer_support, the addresses taken in turn from a people file. It prints
// reads/s and the p99 latency of each of its runs. scripts/bench binary runs it against
// `jaga demo`, built with and without the benchmark-only jaga_noaudit tag.
//
//	go run ./internal/cmd/lookupload -url http://127.0.0.1:18081 -key KEY -people demodata/customers_id.csv
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "", "base URL of the running Jaga")
	key := flag.String("key", "", "API key of a support actor")
	people := flag.String("people", "demodata/customers_id.csv", "CSV file with an email column: the addresses looked up")
	clients := flag.Int("c", 32, "concurrent clients")
	n := flag.Int("n", 40000, "look-ups per run")
	runs := flag.Int("runs", 3, "measured runs, after one warm-up run of n/10")
	flag.Parse()
	if *url == "" || *key == "" || *clients < 1 || *n < *clients || *runs < 1 {
		fmt.Fprintln(os.Stderr, "lookupload: -url and -key are required; -c ≥ 1, -n ≥ -c, -runs ≥ 1")
		os.Exit(2)
	}
	bodies, err := lookupBodies(*people)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookupload:", err)
		os.Exit(1)
	}
	l := &load{url: *url + "/v1/subjects/lookup", key: "Bearer " + *key, bodies: bodies,
		client: &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * *clients, MaxIdleConnsPerHost: 2 * *clients}}}
	if _, _, err := l.run(*clients, max(*n/10, *clients)); err != nil {
		fmt.Fprintln(os.Stderr, "lookupload:", err)
		os.Exit(1)
	}
	for range *runs {
		rate, p99, err := l.run(*clients, *n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "lookupload:", err)
			os.Exit(1)
		}
		fmt.Printf("%d look-ups, %d clients: %.0f reads/s, p99 %.2f ms\n", *n, *clients, rate, float64(p99.Microseconds())/1000)
	}
}

// lookupBodies reads the email column of a CSV file into look-up request bodies.
func lookupBodies(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	col := slices.Index(recs[0], "email")
	if col < 0 {
		return nil, fmt.Errorf("%s: no email column in the header", path)
	}
	var out [][]byte
	for _, r := range recs[1:] {
		if col < len(r) && r[col] != "" {
			b, _ := json.Marshal(map[string]string{"email": r[col]})
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no e-mail addresses", path)
	}
	return out, nil
}

type load struct {
	url, key string
	bodies   [][]byte
	client   *http.Client
}

// run sends n look-ups from c clients and returns the rate and the p99 latency. Any
// answer but 200 (a subject found) or 404 (none) is an error.
func (l *load) run(c, n int) (float64, time.Duration, error) {
	var (
		next atomic.Int64
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, n)
		errs []error
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, n/c+1)
			var err error
			for {
				i := next.Add(1)
				if i > int64(n) {
					break
				}
				var d time.Duration
				if d, err = l.one(l.bodies[int(i)%len(l.bodies)]); err != nil {
					break
				}
				local = append(local, d)
			}
			mu.Lock()
			lat = append(lat, local...)
			if err != nil {
				errs = append(errs, err)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	slices.Sort(lat)
	return float64(n) / el.Seconds(), lat[len(lat)*99/100], nil
}

func (l *load) one(body []byte) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, l.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", l.key)
	req.Header.Set("Jaga-Purpose", "customer_support")
	req.Header.Set("Content-Type", "application/json")
	t := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
		return 0, fmt.Errorf("look-up answered %s", resp.Status)
	}
	return d, nil
}
