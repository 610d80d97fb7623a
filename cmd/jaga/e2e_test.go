package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga/demodata"
)

// buildBinary builds cmd/jaga into a temporary directory once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jaga")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// startDemo runs `jaga demo --dir dir --addr 127.0.0.1:0` and waits for its
// "listening on" line; it returns the base URL.
func startDemo(t *testing.T, bin, dir string) string {
	t.Helper()
	return startJaga(t, bin, []string{"JAGA_DIR=/nonexistent-demo-ignores-it"}, "demo", "--dir", dir, "--addr", "127.0.0.1:0")
}

// startJaga runs bin with args and env added to the environment, waits for its
// "listening on" line and returns the base URL; the process is interrupted when the
// test ends.
func startJaga(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	exited := make(chan struct{})
	var mu sync.Mutex
	var log bytes.Buffer
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			log.WriteString(line + "\n")
			mu.Unlock()
			if u, ok := strings.CutPrefix(line, "jaga: listening on "); ok {
				found <- u
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-exited:
	case <-time.After(3 * time.Minute):
	}
	mu.Lock()
	defer mu.Unlock()
	t.Fatalf("jaga %s did not start; stderr:\n%s", args[0], log.String())
	return ""
}

type apiCall struct {
	method, path, key, purpose, body string
}

func do(t *testing.T, base string, c apiCall) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if c.purpose != "" {
		req.Header.Set("Jaga-Purpose", c.purpose)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// customer returns the bundled row with the given source_id as a column map.
func customer(t *testing.T, sourceID string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(demodata.CustomersCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		if r[0] == sourceID {
			m := map[string]string{}
			for i, h := range rows[0] {
				m[h] = r[i]
			}
			return m
		}
	}
	t.Fatalf("no bundled customer %s", sourceID)
	return nil
}

// TestDemoEndToEnd is the first must-show, against the real binary on a
// loopback port: support looks a customer up by e-mail typed in another case with
// spaces and gets the phone masked; no purpose is 400; the marketer is 403; a
// cross_selling read of a customer who said N is refused; every call is audited.
func TestDemoEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "vault")
	base := startDemo(t, bin, dir)

	var keys map[string]string
	b, err := os.ReadFile(filepath.Join(dir, "demo-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"admin", "dpo", "support", "marketer", "analyst", "auditor", "service"} {
		if !strings.HasPrefix(keys[r], "jaga_") {
			t.Fatalf("demo-keys.json has no key for role %s", r)
		}
	}
	if st, _ := do(t, base, apiCall{method: "GET", path: "/healthz"}); st != 200 {
		t.Fatalf("/healthz = %d", st)
	}

	// 2174 PAIMAN ARDANA consented to service_improvement but said N to cross_selling.
	c := customer(t, "2174")
	if c["consent_cross_selling"] != "N" {
		t.Fatalf("fixture changed: 2174 cross_selling = %s", c["consent_cross_selling"])
	}
	typed := "  " + strings.ToUpper(c["email"]) + " "
	body := fmt.Sprintf(`{"email": %q}`, typed)

	t.Run("SupportLookupMasksPhone", func(t *testing.T) {
		st, out := do(t, base, apiCall{"POST", "/v1/subjects/lookup", keys["support"], "customer_support", body})
		if st != 200 {
			t.Fatalf("status %d: %v", st, out)
		}
		subs, _ := out["subjects"].([]any)
		if len(subs) != 1 {
			t.Fatalf("want 1 subject, got %d", len(subs))
		}
		s := subs[0].(map[string]any)
		fields := s["fields"].(map[string]any)
		if fields["full_name"] != c["full_name"] {
			t.Errorf("full_name not returned as stored")
		}
		phone, _ := fields["phone"].(string)
		if !strings.HasPrefix(phone, "+62 8") || !strings.Contains(phone, "•") || !strings.HasSuffix(phone, c["phone"][len(c["phone"])-3:]) {
			t.Errorf("phone not masked to the last 3 digits: %q", phone)
		}
		if d := s["decisions"].(map[string]any)["phone"]; d != "mask:last3" {
			t.Errorf("decision for phone = %v", d)
		}
		if _, ok := fields["nik"]; ok {
			t.Errorf("support must not see the NIK")
		}
	})
	t.Run("NoPurposeIs400", func(t *testing.T) {
		if st, out := do(t, base, apiCall{"POST", "/v1/subjects/lookup", keys["support"], "", body}); st != 400 {
			t.Fatalf("status %d: %v", st, out)
		}
	})
	t.Run("MarketerIs403", func(t *testing.T) {
		st, out := do(t, base, apiCall{"POST", "/v1/subjects/lookup", keys["marketer"], "customer_support", body})
		if st != 403 || out["reason"] != "role_not_allowed" {
			t.Fatalf("status %d: %v", st, out)
		}
	})
	var id string
	t.Run("CrossSellingReadOfRefuserIsRefused", func(t *testing.T) {
		st, out := do(t, base, apiCall{"POST", "/v1/subjects/lookup", keys["support"], "customer_support", body})
		if st != 200 {
			t.Fatalf("lookup %d", st)
		}
		id = out["subjects"].([]any)[0].(map[string]any)["id"].(string)
		st, out = do(t, base, apiCall{"GET", "/v1/subjects/" + id, keys["marketer"], "cross_selling", ""})
		if st != 403 || out["reason"] != "no_consent" {
			t.Fatalf("status %d: %v", st, out)
		}
	})
	t.Run("EveryCallAudited", func(t *testing.T) {
		st, out := do(t, base, apiCall{"GET", "/v1/audit?limit=1000", keys["auditor"], "", ""})
		if st != 200 {
			t.Fatalf("audit status %d: %v", st, out)
		}
		var decisions []string
		for _, e := range out["events"].([]any) {
			ev := e.(map[string]any)
			if ev["action"] == "find" || ev["action"] == "read" {
				decisions = append(decisions, fmt.Sprintf("%v/%v/%v", ev["action"], ev["purpose"], ev["decision"]))
			}
		}
		want := []string{"find/customer_support/allow", "find/<nil>/error:invalid", "find/customer_support/deny:role_not_allowed",
			"find/customer_support/allow", "read/cross_selling/deny:no_consent"}
		if strings.Join(decisions, " ") != strings.Join(want, " ") {
			t.Fatalf("audit events:\n got %v\nwant %v", decisions, want)
		}
	})
}
