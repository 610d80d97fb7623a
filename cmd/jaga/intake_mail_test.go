package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serveForTest runs serve on a loopback port for a fresh vault without smtp_host and
// returns the base URL and the command's stderr.
func serveForTest(t *testing.T, demo bool) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	v, err := openVault(ctx, t.TempDir(), defaultConfig(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.gate.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: func(string) string { return "" }}
	var peek = demoPeek(stderr)
	if !demo {
		peek = nil
	}
	bound := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, e, v, "127.0.0.1:0", func(a string) { bound <- a }, peek) }()
	t.Cleanup(func() { cancel(); <-done; v.Close() })
	select {
	case a := <-bound:
		return "http://" + a, stderr
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("serve did not start")
	}
	return "", nil
}

func postNewsletter(t *testing.T, base string) (int, string) {
	t.Helper()
	res, err := http.Post(base+"/v1/intake/forms/newsletter", "application/json",
		strings.NewReader(`{"fields":{"full_name":"Sari Dewi","email":"sari.dewi@example.com"},"consents":{"cross_selling":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeWithoutSMTP: `jaga serve` without smtp_host warns at start-up and refuses
// double opt-in sign-ups with 503 (nothing claims a mail was sent); `jaga demo` keeps
// the log-only mailer and prints the confirmation link, which completes the sign-up.
func TestServeWithoutSMTP(t *testing.T) {
	t.Run("Serve", func(t *testing.T) {
		base, stderr := serveForTest(t, false)
		if !strings.Contains(stderr.String(), "jaga: warning: smtp_host is not set: portal sign-in codes and notices are only logged, double opt-in sign-ups are refused") {
			t.Fatalf("no start-up warning:\n%s", stderr)
		}
		if st, body := postNewsletter(t, base); st != http.StatusServiceUnavailable || strings.Contains(body, "confirmation_sent") {
			t.Fatalf("newsletter without mail: %d %s; want 503", st, body)
		}
	})
	t.Run("Demo", func(t *testing.T) {
		base, stderr := serveForTest(t, true)
		if strings.Contains(stderr.String(), "warning: smtp_host") {
			t.Fatalf("the demo warns:\n%s", stderr)
		}
		if st, body := postNewsletter(t, base); st != http.StatusAccepted {
			t.Fatalf("newsletter in the demo: %d %s", st, body)
		}
		link := regexp.MustCompile(`double opt-in confirmation link (\S+)`).FindStringSubmatch(stderr.String())
		if link == nil || strings.Contains(stderr.String(), "sari.dewi") {
			t.Fatalf("no link printed, or the address:\n%s", stderr)
		}
		req, _ := http.NewRequest("POST", link[1], nil) // the button of the page the link shows
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Origin", base)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"confirmed"`) {
			t.Fatalf("confirm: %d %s", res.StatusCode, b)
		}
	})
}
