package jaga_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportGraph checks DESIGN.md's dependency rules on the non-test imports of every
// package: the root imports only the standard library; only the gate (and cmd/jaga,
// which wires concrete types) imports seal (invariant 1: only the gate opens with key
// material); handlers never import sqlstore or seal; only cmd/jaga imports a store.
// internal/vaulttest wires the same concrete types for tests, so no package's own
// (non-test) code may import it.
func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const vaultTest = "jaga/internal/vaulttest"
	sealUsers := map[string]bool{"jaga/gate": true, "jaga/cmd/jaga": true, vaultTest: true}
	storeUsers := map[string]bool{"jaga/cmd/jaga": true, vaultTest: true}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imps, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imps) {
			switch {
			case imp == vaultTest:
				t.Errorf("%s imports %s; only test files may", pkg, imp)
			case pkg == "jaga" && strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				t.Errorf("root package imports %s; it may import only the standard library", imp)
			case pkg == "jaga" && strings.HasPrefix(imp, "jaga/"):
				t.Errorf("root package imports %s", imp)
			case imp == "jaga/seal" && !sealUsers[pkg]:
				t.Errorf("%s imports jaga/seal; only the gate may open with key material", pkg)
			case strings.HasPrefix(imp, "jaga/sqlstore") && !strings.HasPrefix(pkg, "jaga/sqlstore") && !storeUsers[pkg]:
				t.Errorf("%s imports %s; only cmd/jaga knows concrete stores", pkg, imp)
			case strings.Contains(imp, "modernc.org/sqlite") && !strings.HasPrefix(pkg, "jaga/sqlstore"):
				t.Errorf("%s imports the SQLite driver directly", pkg)
			}
		}
	}
}
