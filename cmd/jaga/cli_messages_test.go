package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigTypeErrors: a value of the wrong kind in jaga.yaml is named by file, line
// and key path with the kind wanted in words, never a Go type and never the value.
func TestConfigTypeErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ yaml, want string }{
		"Seq":      {"addr: [1]\n", "jaga.yaml line 1: field addr: want text"},
		"Int":      {"fields:\n  - name: x\n    max_len: sekret-abc\n", "jaga.yaml line 3: field fields[0].max_len: want a whole number"},
		"List":     {"fields: 3\n", "jaga.yaml line 1: field fields: want a list"},
		"Duration": {"dsr_target: 3 sekret\n", "jaga.yaml line 1: field dsr_target: want a duration such as 72h, 30m or 10s"},
		"Nested":   {"audit:\n  checkpoint_every: sekret\n", "jaga.yaml line 2: field audit.checkpoint_every: want a whole number"},
		"Unknown":  {"smpt_host: x\n", "jaga.yaml line 1: unknown field smpt_host"},
		"User":     {"smtp_user: [sekret]\n", "jaga.yaml line 1: field smtp_user: want text"},
	} {
		t.Run(name, func(t *testing.T) {
			d := filepath.Join(dir, name)
			os.MkdirAll(d, 0o700)
			p := filepath.Join(d, "jaga.yaml")
			os.WriteFile(p, []byte(tc.yaml), 0o600)
			_, err := loadConfig(p, true, func(string) string { return "" })
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v; want %q", err, tc.want)
			}
			for _, bad := range []string{"main.", "jaga.FieldSpec", "time.Duration", "sekret", "!!"} {
				if strings.Contains(err.Error(), bad) {
					t.Fatalf("%q holds %q", err, bad)
				}
			}
		})
	}
}

// TestCLIMessages: the smaller command-line messages say what is wanted: --in-force
// names itself and the formats, an unknown refusal code lists the valid ones, and no
// message names the HTTP header Jaga-Purpose.
func TestCLIMessages(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	code, _, errs := run(t, "notices", "approve", "notice-x", "--in-force", "yesterday", "--dir", dir)
	if code != 1 || !strings.Contains(errs, "jaga: error: in-force: want a date YYYY-MM-DD or RFC 3339 time") {
		t.Fatalf("--in-force yesterday: %d %s", code, errs)
	}
	code, _, errs = run(t, "dsr", "refuse", "dsr_x", "--code", "bogus", "--dir", dir)
	if code != 1 || !strings.Contains(errs, "bogus is not a refusal code") || !strings.Contains(errs, "art33_other_person (access)") || !strings.Contains(errs, "art15_defence (erase") {
		t.Fatalf("refuse --code bogus: %d %s", code, errs)
	}
	dpo, _ := addStaff(t, dir, "dpo")
	t.Setenv("JAGA_KEY", dpo)
	code, _, errs = run(t, "consents", "subjects", "world_domination", "--dir", dir)
	if code != 1 || strings.Contains(errs, "Jaga-Purpose") || !strings.Contains(errs, "world_domination") {
		t.Fatalf("consents subjects of no purpose: %d %s", code, errs)
	}
}

// TestConsentSubjectsRole: the listing is made for the role of the key given, under
// the purpose named (service_improvement is the analyst's, cross_selling the
// marketer's); a role the policy does not allow the purpose is refused naming the roles
// that may, not the header, and the refusal names the staff member in the audit log.
func TestConsentSubjectsRole(t *testing.T) {
	dir := t.TempDir()
	v, _ := MustDemoVault(t, dir)
	v.Close()
	analyst, _ := addStaff(t, dir, "analyst")
	marketer, marketerID := addStaff(t, dir, "marketer")
	for _, c := range []struct{ purpose, key string }{{"service_improvement", analyst}, {"cross_selling", marketer}} {
		if code, out, errs := run(t, "consents", "subjects", c.purpose, "--dir", dir, "--key-file", keyFile(t, c.key, 0o600)); code != 0 || len(strings.Fields(out)) == 0 {
			t.Fatalf("consents subjects %s: %d %s", c.purpose, code, errs)
		}
	}
	code, out, errs := run(t, "consents", "subjects", "service_improvement", "--dir", dir, "--key-file", keyFile(t, marketer, 0o600))
	if code != 1 || out != "" || strings.Contains(errs, "Jaga-Purpose") ||
		!strings.Contains(errs, "listing the subjects of this purpose is for the analyst role (this key is marketer)") {
		t.Fatalf("marketer listing service_improvement: %d %q %s", code, out, errs)
	}
	evs := auditEvents(t, dir, "consents subjects")
	if n := len(evs); n == 0 || evs[n-1].ActorID != marketerID || evs[n-1].Decision != "deny:role_not_allowed" || evs[n-1].Action != "list_subjects" {
		t.Fatalf("the refusal is not audited naming the marketer: %+v", evs)
	}
}
