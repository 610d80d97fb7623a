package seal_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports checks the package doc's promise: seal imports the standard library,
// tink-go and the root package jaga, nothing else (in particular no other jaga package).
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		first, _, _ := strings.Cut(imp, "/")
		switch {
		case imp == "jaga":
		case strings.HasPrefix(imp, "github.com/tink-crypto/tink-go/v2/"):
		case first == "jaga":
			t.Errorf("seal imports %s: only the root package jaga is allowed", imp)
		case strings.Contains(first, "."):
			t.Errorf("seal imports %s: only the standard library, tink-go and jaga are allowed", imp)
		}
	}
}
