package main

import (
	"strings"
	"testing"
)

// TestActorsAddBuiltinRole: `jaga actors add --role portal` (or subject) is refused with
// a message that says why — the role is Jaga's own — and which roles staff may hold;
// no key is printed and no actor is created.
func TestActorsAddBuiltinRole(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	for _, role := range []string{"portal", "subject"} {
		code, out, errs := run(t, "actors", "add", "--name", "sneaky "+role, "--role", role, "--dir", dir)
		if code != 1 || out != "" {
			t.Fatalf("--role %s: exit %d, stdout %q", role, code, out)
		}
		for _, want := range []string{"jaga: error: ", "role " + role + " is Jaga's own", "staff and integrations cannot hold it", "admin, dpo, support"} {
			if !strings.Contains(errs, want) {
				t.Fatalf("--role %s: stderr %q lacks %q", role, errs, want)
			}
		}
	}
	if code, out, errs := run(t, "actors", "list", "--dir", dir); code != 0 || strings.Contains(out, "sneaky") {
		t.Fatalf("actors list: %d %q %s", code, out, errs)
	}
	// A staff role still works.
	if code, out, errs := run(t, "actors", "add", "--name", "Rina", "--role", "support", "--dir", dir); code != 0 || !strings.HasPrefix(out, "jaga_") {
		t.Fatalf("--role support: %d %s", code, errs)
	}
}
