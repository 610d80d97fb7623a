package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoBusyPort: jaga demo on an address something else listens on fails before it
// creates or imports anything, with an error naming the address and the --addr
// 127.0.0.1:0 way out; jaga serve says the same.
func TestDemoBusyPort(t *testing.T) {
	unsetenv(t, "JAGA_DATABASE_URL")
	unsetenv(t, "JAGA_DATABASE_URL_FILE")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	for _, cmd := range []string{"demo", "serve"} {
		t.Run(cmd, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "vault")
			out, errs, code := runMain(t, cmd, "--dir", dir, "--addr", addr)
			for _, w := range []string{
				"jaga: error: cannot listen on " + addr + ": the address is already in use",
				"jaga: hint: stop what listens there, or pick another address with --addr HOST:PORT, or --addr 127.0.0.1:0 for a free port\n",
			} {
				if code != 1 || !strings.Contains(errs, w) {
					t.Errorf("exit %d, stderr %q; want %q", code, errs, w)
				}
			}
			if cmd == "demo" {
				if strings.Contains(out, "imported") || strings.Contains(errs, "demo vault in") {
					t.Errorf("the demo went on before binding: stdout %q, stderr %q", out, errs)
				}
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("the demo created %s before binding (%v)", dir, err)
				}
			}
		})
	}
}
