package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"jaga"
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

// TestActorsName: a name with a control character (newline, ESC of an ANSI sequence,
// tab) or blank after trimming is refused saying what a name may be, without echoing
// it; a name stored before the rule (written to the store directly) is listed quoted
// with its control characters escaped, so the table holds no raw escape byte.
func TestActorsName(t *testing.T) {
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	ctx := context.Background()
	old := "Old\x1b[2Jname\nX"
	if err := v.store.Update(ctx, func(tx jaga.Tx) error {
		return tx.CreateActor(ctx, &jaga.Actor{ID: "act_0123456789abcdef0123456789abcdef", Name: old, Kind: jaga.ActorStaff, Role: jaga.RoleSupport, KeyHash: make([]byte, 32), CreatedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	for name, tc := range map[string]struct{ arg, want string }{
		"Newline": {"Rina\nSari", "name: holds a control character"},
		"ANSI":    {"Rina\x1b[31mSari", "name: holds a control character"},
		"Tab":     {"Rina\tSari", "name: holds a control character"},
		"Bidi":    {"Rina\u202eiraS", "name: holds a control character"},
		"Blank":   {" \t ", "name: blank"},
		"Empty":   {"", "name: blank"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := run(t, "actors", "add", "--name", tc.arg, "--role", "support", "--dir", dir)
			wantRefused(t, name, code, errs, 1, []string{"jaga: error: " + tc.want, "printable text of 1 to 100 bytes"}, "1-100 bytes", "Sari", "iraS", "\x1b")
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
	code, out, errs := run(t, "actors", "list", "--dir", dir)
	if code != 0 {
		t.Fatalf("list: %d %s", code, errs)
	}
	if strings.ContainsAny(out, "\x1b\t") || !strings.Contains(out, `"Old\x1b[2Jname\nX"`) {
		t.Fatalf("list prints the stored name raw or not escaped:\n%q", out)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Fatalf("list has %d lines, want the header and one actor:\n%s", n, out)
	}
}
