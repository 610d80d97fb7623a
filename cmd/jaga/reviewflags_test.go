package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
)

// TestReviewFlagCommands imports a file in which two people with different NIKs share
// one e-mail address: identity resolution keeps them apart and flags both. `jaga
// subjects flags` lists the pair, `jaga subjects resolve-flag` closes it (both sides)
// with a resolution and a note, a second resolution and an unknown flag are refused,
// bad input gets a clear error, and the audit log holds the resolution and no value.
func TestReviewFlagCommands(t *testing.T) {
	dir := t.TempDir()
	const (
		email      = "keluarga.sari@example.com"
		nikA, nikB = "3273015501900019", "3273055712859902"
		nameA      = "Rina Sari"
		nameB      = "Dewi Lestari"
		note       = "TICKET-512 sisters share the family mailbox"
	)
	csv := "source_id,full_name,email,nik\n" +
		"1," + nameA + "," + email + "," + nikA + "\n" +
		"2," + nameB + "," + email + "," + nikB + "\n"
	file := filepath.Join(dir, "signups.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	vault := filepath.Join(dir, "vault")
	if out, errs, code := runMain(t, "import", "--dir", vault, file); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}

	// The staff member who resolves: a dpo's key; a marketer's key is refused.
	newKey := func(role string) (string, string) {
		t.Helper()
		out, errs, code := runMain(t, "actors", "add", "--dir", vault, "--name", "Staf "+role, "--role", role)
		if code != 0 {
			t.Fatalf("actors add %s: %d %s", role, code, errs)
		}
		id := strings.Fields(strings.TrimPrefix(errs, "jaga: created actor "))[0]
		return strings.TrimSpace(out), id
	}
	dpoKey, dpoID := newKey("dpo")
	marketerKey, _ := newKey("marketer")

	listJSON := func(t *testing.T, args ...string) []jaga.ReviewFlag {
		t.Helper()
		out, errs, code := runMain(t, append([]string{"subjects", "flags", "--dir", vault, "--json", "--key", dpoKey}, args...)...)
		if code != 0 {
			t.Fatalf("subjects flags %v: %d %s", args, code, errs)
		}
		var fl []jaga.ReviewFlag
		if err := json.Unmarshal([]byte(out), &fl); err != nil {
			t.Fatalf("--json output: %v\n%s", err, out)
		}
		return fl
	}
	open := listJSON(t, "--reason", "identity_conflict")
	if len(open) != 2 {
		t.Fatalf("identity conflicts: %+v, want a pair", open)
	}
	a, b := open[0], open[1]
	if a.Subject == b.Subject || a.Other != b.Subject || b.Other != a.Subject || a.File != "signups.csv" || a.Line != b.Line || a.Line == 0 {
		t.Fatalf("the pair does not name each other: %+v %+v", a, b)
	}
	if got := listJSON(t, "--subject", string(b.Subject), "--reason", "identity_conflict"); len(got) != 1 || got[0].ID != b.ID {
		t.Fatalf("flags of %s: %+v", b.Subject, got)
	}
	out, _, code := runMain(t, "subjects", "flags", "--dir", vault, "--key", dpoKey)
	if code != 0 || !strings.HasPrefix(out, "FLAG") || strings.Count(out, "identity_conflict") != 2 || !strings.Contains(out, "signups.csv:") {
		t.Fatalf("table: %d\n%s", code, out)
	}

	t.Run("BadInput", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{fmt.Sprint(a.ID), "--resolution", "fixed"}, "use one of accepted, corrected, dismissed"},
			{[]string{fmt.Sprint(a.ID)}, "--resolution is required"},
			{[]string{"abc", "--resolution", "accepted"}, "ID must be a review flag number"},
			{[]string{fmt.Sprint(a.ID), "--resolution", "accepted", "--note", "mailed " + email}, "must not hold personal data"},
			{[]string{fmt.Sprint(a.ID), "--resolution", "accepted", "--note", "NIK " + nikB}, "must not hold personal data"},
		} {
			out, errs, code := runMain(t, append([]string{"subjects", "resolve-flag", "--dir", vault, "--key", dpoKey}, c.args...)...)
			if code != 1 || !strings.Contains(errs, "jaga: error: ") || !strings.Contains(errs, c.want) {
				t.Errorf("resolve-flag %v: %d %q %q, want an error saying %q", c.args[1:], code, out, errs, c.want)
			}
			if strings.Contains(errs, email) || strings.Contains(errs, nikB) {
				t.Errorf("the error repeats a personal value: %s", errs)
			}
		}
		for _, c := range []struct{ key, want string }{
			{"", "an API key is required"},
			{marketerKey, "resolving a review flag is for the dpo or support roles (this key is marketer)"},
			{"jaga_not_a_key", "invalid API key"},
		} {
			args := []string{"subjects", "resolve-flag", "--dir", vault, fmt.Sprint(a.ID), "--resolution", "accepted"}
			if c.key != "" {
				args = append(args, "--key", c.key)
			}
			if _, errs, code := runMain(t, args...); code != 1 || !strings.Contains(strings.ToLower(errs), strings.ToLower(c.want)) {
				t.Errorf("resolve-flag with key %q: %d %q, want %q", c.key, code, errs, c.want)
			}
		}
		if _, errs, _ := runMain(t, "subjects", "flags", "--dir", vault, "--subject", "rina"); !strings.Contains(errs, "--subject must be a subject ID") {
			t.Errorf("flags --subject rina: %s", errs)
		}
		if got := listJSON(t); len(got) != 2 {
			t.Fatalf("a refused resolution closed a flag: %+v", got)
		}
	})

	t.Run("Resolve", func(t *testing.T) {
		out, errs, code := runMain(t, "subjects", "resolve-flag", "--dir", vault, "--key", dpoKey, fmt.Sprint(a.ID), "--resolution", "accepted", "--note", note)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("flag %d identity_conflict of %s: accepted\n", a.ID, a.Subject)) ||
			!strings.Contains(out, fmt.Sprintf("flag %d identity_conflict of %s: accepted (the other side", b.ID, b.Subject)) {
			t.Fatalf("resolve-flag: %d\n%s%s", code, out, errs)
		}
		if got := listJSON(t); len(got) != 0 {
			t.Fatalf("open flags after resolving the pair: %+v", got)
		}
		done := listJSON(t, "--state", "resolved")
		if len(done) != 2 {
			t.Fatalf("resolved flags: %+v", done)
		}
		for _, f := range done {
			if f.Resolution != jaga.ResolutionAccepted || f.ResolvedBy != dpoID || f.Note != note || f.ResolvedAt.IsZero() {
				t.Fatalf("resolved flag %+v", f)
			}
		}
		_, errs, code = runMain(t, "subjects", "resolve-flag", "--dir", vault, "--key", dpoKey, fmt.Sprint(b.ID), "--resolution", "dismissed")
		if code != 1 || !strings.Contains(errs, "resolved already") {
			t.Fatalf("second resolution: %d %s", code, errs)
		}
		_, errs, code = runMain(t, "subjects", "resolve-flag", "--dir", vault, "--key", dpoKey, "999999", "--resolution", "dismissed")
		if code != 1 || !strings.Contains(errs, "review flag not found") {
			t.Fatalf("unknown flag: %d %s", code, errs)
		}
	})

	t.Run("Audit", func(t *testing.T) {
		out, errs, code := runMain(t, "audit", "tail", "--dir", vault)
		if code != 0 {
			t.Fatalf("audit tail: %d %s", code, errs)
		}
		for _, v := range []string{email, nikA, nikB, nameA, nameB, "sisters", "family mailbox"} {
			if strings.Contains(out, v) {
				t.Fatalf("the audit log holds %q:\n%s", v, out)
			}
		}
		var resolved, refused, listed int
		for line := range strings.Lines(out) {
			var ev jaga.AuditEvent
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("audit line %q: %v", line, err)
			}
			switch {
			case ev.Action == "resolve_review_flag" && ev.Decision == "allow":
				resolved++
				want := fmt.Sprintf("review flag %d identity_conflict: accepted (subjects resolve-flag)", a.ID)
				if ev.Reason != want || ev.ActorID != dpoID || ev.Role != jaga.RoleDPO || ev.Count != 2 || len(ev.Subjects) != 2 {
					t.Errorf("resolution event %+v, want reason %q naming both subjects", ev, want)
				}
			case ev.Action == "resolve_review_flag":
				refused++
			case ev.Action == "read_review_flags":
				listed++
				// The listing names who looked, not the console (UU PDP Art 31).
				if ev.ActorID != dpoID || ev.Role != jaga.RoleDPO || ev.Purpose != jaga.PurposeDSR || ev.Reason != "subjects flags" {
					t.Errorf("listing event %d: actor %q role %q purpose %q reason %q, want the dpo %s under dsr", ev.Seq, ev.ActorID, ev.Role, ev.Purpose, ev.Reason, dpoID)
				}
			}
		}
		// Four refusals are audited: the marketer's key (role_not_allowed) and the key
		// that does not authenticate, the second resolution (409) and the unknown flag
		// (404); the bad input above and the missing key were refused before the vault
		// was opened.
		if resolved != 1 || refused != 4 || listed < 6 {
			t.Fatalf("audit: %d resolutions, %d refused, %d listings\n%s", resolved, refused, listed, out)
		}
	})
}
