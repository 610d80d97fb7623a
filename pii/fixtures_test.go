package pii

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedFile returns the path of a fixture under ../shared/data (HELPERS.md: tests fail,
// not skip, when a fixture is missing and CI=true).
func sharedFile(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join("..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("fixture %s missing: %v", rel, err)
		}
		tb.Skipf("fixture %s missing (set CI=true to make this fail): %v", rel, err)
	}
	return p
}
