package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// keyVault is a fresh vault with one staff key per role the tests need, closed again so
// that the CLI can open it.
type keyVault struct {
	dir  string
	keys map[jaga.Role]string
	ids  map[jaga.Role]string
}

func newKeyVault(t *testing.T) *keyVault {
	t.Helper()
	unsetenv(t, "JAGA_KEY") // the tests set it where they mean to
	ctx := context.Background()
	kv := &keyVault{dir: t.TempDir(), keys: map[jaga.Role]string{}, ids: map[jaga.Role]string{}}
	v := MustOpenVault(t, kv.dir)
	defer v.Close()
	// The audit log is read under purpose security, active once its balancing test is
	// recorded (the demo's here).
	if err := v.gate.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range []jaga.Role{jaga.RoleDPO, jaga.RoleAuditor, jaga.RoleMarketer} {
		a, key, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "staf "+string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		kv.keys[r], kv.ids[r] = key, a.ID
	}
	return kv
}

// run runs the CLI on the vault with stdin.
func (kv *keyVault) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), append(args, "--dir", kv.dir), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// keyFile writes content to a new file of mode perm.
func keyFile(t *testing.T, content string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "staff key")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil { // WriteFile's mode passes through the umask
		t.Fatal(err)
	}
	return p
}

// keyCommands are every command that acts with a staff member's key; the dsr ID, the
// flag number, the subject, the merge, the notice and the purpose need not exist, as
// each test stops before they are looked up or expects "not found" (keyRan). Every one
// may be run by a dpo, and the ones that change something may be run again.
var keyCommands = [][]string{
	{"dsr", "list"},
	{"dsr", "overdue"},
	{"dsr", "show", "dsr_00000000000000000000000000000000"},
	{"dsr", "approve", "dsr_00000000000000000000000000000000"},
	{"dsr", "refuse", "dsr_00000000000000000000000000000000", "--code", "art15_defence"},
	{"dsr", "fulfil", "dsr_00000000000000000000000000000000"},
	{"subjects", "resolve-flag", "999", "--resolution", "accepted"},
	{"quarantine", "list"},
	{"quarantine", "show", noRow},
	{"quarantine", "fix", noRow, "--set", "nik="},
	{"quarantine", "release", noRow},
	{"quarantine", "discard", noRow},
	{"subjects", "merges", noRow},
	{"subjects", "unmerge", noRow, "1"},
	{"subjects", "flags"},
	{"consents", "list", noRow},
	{"consents", "list", noRow, "--at", "2025-07-01T00:00:00+07:00"},
	{"consents", "record", noRow, "--purpose", "cross_selling", "--status", "withdrawn", "--channel", "api"},
	{"consents", "receipt", noRow, "cross_selling"},
	{"consents", "subjects", "legal_obligation"},
	{"notices", "generate", "notice-key-test"},
	{"notices", "approve", "notice_none"},
	{"purposes", "put", "testdata/warranty_reminders.json"},
	{"purposes", "assess", "no_such_purpose", "--kind", "dpia", "--ref", "DPIA-2025-07"},
	{"purposes", "status", "no_such_purpose", "active"},
}

// keyRan reports whether a key-taking command's outcome shows that its key
// authenticated and its role was let through: it succeeded, or it failed on the object
// it names (a request, flag, row, subject, merge, notice or purpose that does not
// exist, a notice generated already by an earlier run).
func keyRan(code int, stderr string) bool {
	if code == 0 {
		return true
	}
	for _, s := range []string{"request not found", "review flag not found", "quarantined row not found", "subject not found",
		"merge not found", "no consent record for purpose", "no notice notice_none", "no purpose no_such_purpose",
		"notice notice-key-test exists"} {
		if code == 1 && strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// noRow is a quarantined row ID of the right shape that no vault holds.
const noRow = "sub_00000000000000000000000000000000"

// TestKeyFile: every key-taking command reads the key from --key-file (first line,
// trimmed) or stdin (--key-file -); a file that group or others may read or write, an
// empty one, a missing one and --key together with --key-file are refused with an
// error naming the file (and the chmod that fixes its mode), never the key.
// --key-file and --key win over $JAGA_KEY.
func TestKeyFile(t *testing.T) {
	kv := newKeyVault(t)
	dpo := kv.keys[jaga.RoleDPO]
	good := keyFile(t, "  "+dpo+" \r\nsecond line is ignored\n", 0o600)

	// A key that authenticated reaches the command: the listing works, the unknown
	// request or flag is not found (an unauthenticated call would say so first).
	authed := func(t *testing.T, args []string, code int, stdout, stderr string) {
		t.Helper()
		if !keyRan(code, stderr) || strings.Contains(stderr, "invalid API key") || strings.Contains(stderr, "warning") {
			t.Errorf("%v: %d %q %q, want the command run as the dpo, without a warning", args, code, stdout, stderr)
		}
	}
	for _, c := range keyCommands {
		args := append(append([]string{}, c...), "--key-file", good)
		code, out, errs := kv.run(t, "", args...)
		authed(t, args, code, out, errs)
		args = append(append([]string{}, c...), "--key-file", "-")
		code, out, errs = kv.run(t, dpo+"\n", args...)
		authed(t, args, code, out, errs)
	}
	t.Run("Precedence", func(t *testing.T) {
		t.Setenv("JAGA_KEY", "jaga_notTheKeyOfAnyone")
		code, out, errs := kv.run(t, "", "dsr", "list", "--key-file", good)
		authed(t, []string{"--key-file over JAGA_KEY"}, code, out, errs)
		if code, _, errs := kv.run(t, "", "dsr", "list", "--key", dpo); code != 0 {
			t.Errorf("--key over JAGA_KEY: %d %s", code, errs)
		}
		t.Setenv("JAGA_KEY", dpo)
		if code, _, errs := kv.run(t, "", "dsr", "list", "--key", "jaga_notTheKeyOfAnyone"); code != 1 || !strings.Contains(errs, "invalid API key") {
			t.Errorf("JAGA_KEY used although --key was given: %d %s", code, errs)
		}
		code, out, errs = kv.run(t, "", "dsr", "list")
		authed(t, []string{"JAGA_KEY"}, code, out, errs)
	})

	for _, c := range []struct {
		name  string
		args  []string
		stdin string
		want  []string
	}{
		{"GroupReadable", []string{"--key-file", keyFile(t, dpo, 0o640)}, "", []string{"can be read or written by group or others (mode 0640)", "chmod 600 '"}},
		{"OthersWritable", []string{"--key-file", keyFile(t, dpo, 0o602)}, "", []string{"(mode 0602)", "chmod 600 '"}},
		{"Empty", []string{"--key-file", keyFile(t, "\n  \n", 0o600)}, "", []string{"is empty"}},
		{"EmptyStdin", []string{"--key-file", "-"}, "", []string{"--key-file - (stdin) is empty"}},
		{"Missing", []string{"--key-file", filepath.Join(t.TempDir(), "nope")}, "", []string{"--key-file: open ", "no such file"}},
		{"Directory", []string{"--key-file", t.TempDir()}, "", []string{"is a directory"}},
		{"Both", []string{"--key", dpo, "--key-file", good}, "", []string{"--key and --key-file are both given"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, cmd := range keyCommands {
				args := append(append([]string{}, cmd...), c.args...)
				code, out, errs := kv.run(t, c.stdin, args...)
				if code != 1 || !strings.HasPrefix(errs, "jaga: error: ") {
					t.Errorf("%v: %d %q %q, want a refusal", cmd, code, out, errs)
				}
				for _, w := range c.want {
					if !strings.Contains(errs, w) {
						t.Errorf("%v: error %q does not say %q", cmd, errs, w)
					}
				}
				if i := len(c.args) - 1; c.args[i-1] == "--key-file" && c.args[i] != "-" && c.name != "Both" && !strings.Contains(errs, filepath.Base(c.args[i])) {
					t.Errorf("%v: error %q does not name the file", cmd, errs)
				}
				if strings.Contains(errs, dpo) || strings.Contains(out, dpo) {
					t.Errorf("%v: the output holds the key: %q %q", cmd, out, errs)
				}
			}
		})
	}
}

// TestKeyFlagWarns: --key still works but warns, on one line of stderr, that other
// users see the key in the process list; JAGA_KEY and --key-file do not warn; the help
// of every key-taking command says so and offers --key-file.
func TestKeyFlagWarns(t *testing.T) {
	kv := newKeyVault(t)
	dpo := kv.keys[jaga.RoleDPO]
	file := keyFile(t, dpo, 0o600)
	for _, c := range keyCommands {
		for _, way := range []struct {
			name  string
			args  []string
			env   string
			warns bool
		}{
			{"--key", []string{"--key", dpo}, "", true},
			{"--key-file", []string{"--key-file", file}, "", false},
			{"JAGA_KEY", nil, dpo, false},
		} {
			t.Setenv("JAGA_KEY", way.env)
			_, _, errs := kv.run(t, "", append(append([]string{}, c...), way.args...)...)
			if strings.Contains(errs, "invalid API key") || strings.Contains(errs, "required") {
				t.Errorf("%v with %s: not authenticated: %s", c, way.name, errs)
			}
			warned := strings.Contains(errs, keyWarning+"\n")
			if warned != way.warns || strings.Count(errs, "process list") > 1 {
				t.Errorf("%v with %s: stderr %q (warning wanted: %v)", c, way.name, errs, way.warns)
			}
		}
		unsetenv(t, "JAGA_KEY")
		code, out, _ := kv.run(t, "", append(append([]string{}, c[:2]...), "--help")...)
		var keyLine string
		for l := range strings.Lines(out) {
			if strings.HasPrefix(strings.TrimSpace(l), "--key KEY") {
				keyLine = l
			}
		}
		if code != 0 || !strings.Contains(out, "--key-file FILE") || !strings.Contains(keyLine, "process list") || !strings.Contains(out, "JAGA_KEY") {
			t.Errorf("%v --help does not warn about --key or offer --key-file:\n%s", c[:2], out)
		}
	}
	if !strings.Contains(keyWarning, "visible to other users of this machine in the process list") || !strings.Contains(keyWarning, "use JAGA_KEY or --key-file") {
		t.Errorf("warning %q", keyWarning)
	}
}

// TestRefusedKeyAudited: a key-taking command refused because its key does not
// authenticate, or because the key's role may not do it (refusal: an auditor resolving
// a flag, approving a request, at the quarantine desk, undoing a merge, reading or
// recording consents, changing notices or purposes; a marketer at the request desk or
// listing review flags), leaves one audit event, as the same refusal inside the gate
// does: the action, the command as reason, the actor and
// role when known, the decision. Neither the key nor its hash is in any event or error.
func TestRefusedKeyAudited(t *testing.T) {
	ctx := context.Background()
	kv := newKeyVault(t)
	const unknown = "jaga_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	type want struct{ action, reason, actor, decision string }
	var wants []want
	secrets := []string{unknown, kv.keys[jaga.RoleAuditor], kv.keys[jaga.RoleMarketer]}
	for _, c := range keyCommands {
		action, refusedRole := refusal(c)
		reason := c[0] + " " + c[1]
		for _, k := range []struct {
			key, actor, decision, msg string
		}{
			{unknown, "", "error:unauthorized", "invalid API key"},
			{"not-a-jaga-key", "", "error:unauthorized", "invalid API key"},
			{kv.keys[refusedRole], kv.ids[refusedRole], "deny:role_not_allowed", "(this key is " + string(refusedRole) + ")"},
		} {
			path := keyFile(t, k.key, 0o600)
			code, out, errs := kv.run(t, "", append(append([]string{}, c...), "--key-file", path)...)
			if code != 1 || !strings.Contains(errs, "jaga: error: ") || !strings.Contains(errs, k.msg) {
				t.Errorf("%v as %q: %d %q %q, want %q", c, k.actor, code, out, errs, k.msg)
			}
			for _, s := range append(secrets, hashPrefix(k.key)) {
				if strings.Contains(errs, s) || strings.Contains(out, s) {
					t.Errorf("%v: the output holds the key or its hash: %q", c, errs)
				}
			}
			wants = append(wants, want{action, reason, k.actor, k.decision})
		}
	}

	v := MustOpenVault(t, kv.dir)
	defer v.Close()
	aud := &jaga.Actor{ID: kv.ids[jaga.RoleAuditor], Kind: jaga.ActorStaff, Role: jaga.RoleAuditor}
	evs, err := v.gate.AuditLog(ctx, gate.Request{Actor: aud, Purpose: jaga.PurposeSecurity}, jaga.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, c := range keyCommands {
		reasons[c[0]+" "+c[1]] = true
	}
	var got []want
	for _, ev := range evs {
		if !reasons[ev.Reason] {
			continue // the vault's set-up (SeedDemo's notices and purposes among it)
		}
		got = append(got, want{ev.Action, ev.Reason, ev.ActorID, ev.Decision})
		line := strings.Join([]string{ev.ActorID, string(ev.Role), ev.Action, ev.Purpose, ev.Reason, ev.Decision, ev.RequestID}, " ")
		for _, s := range secrets {
			if strings.Contains(line, s) || strings.Contains(line, hashPrefix(s)) || strings.Contains(line, s[:12]) {
				t.Errorf("event %d holds a key or its hash: %s", ev.Seq, line)
			}
		}
		if ev.Role != "" && ev.ActorID == "" || ev.ActorID != "" && ev.Role == "" {
			t.Errorf("event %d: actor %q role %q", ev.Seq, ev.ActorID, ev.Role)
		}
	}
	if len(got) != len(wants) {
		t.Fatalf("%d events for %d refused commands:\n%+v", len(got), len(wants), got)
	}
	for i := range wants {
		if got[i] != wants[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], wants[i])
		}
	}
}

// refusal returns, for a key-taking command, the audit action its refusal is recorded
// with and a role that may not run it: the auditor, except where the auditor may (it
// lists review flags, reads the request desk), where the marketer is refused.
func refusal(c []string) (action string, refused jaga.Role) {
	refused = jaga.RoleAuditor
	switch c[0] + " " + c[1] {
	case "dsr list", "dsr overdue", "dsr show":
		return gate.ActionDSRStep, jaga.RoleMarketer
	case "dsr approve", "dsr refuse", "dsr fulfil":
		return gate.ActionDSRStep, refused
	case "subjects resolve-flag":
		return gate.ActionResolveReviewFlag, refused
	case "subjects flags":
		return gate.ActionReadReviewFlags, jaga.RoleMarketer
	case "subjects merges":
		return jaga.ActionMerge, refused
	case "subjects unmerge":
		return jaga.ActionUnmerge, refused
	case "consents list":
		return jaga.ActionReadConsents, refused
	case "consents record":
		return jaga.ActionConsentChange, refused
	case "consents receipt":
		return gate.ActionReadReceipt, refused
	case "consents subjects":
		return gate.ActionListSubjects, refused
	case "notices generate", "notices approve":
		return gate.ActionNoticeChange, refused
	case "purposes put", "purposes assess", "purposes status":
		return gate.ActionPurposeChange, refused
	case "quarantine list", "quarantine show", "quarantine fix", "quarantine release", "quarantine discard":
		return jaga.ActionQuarantine, refused
	}
	panic(fmt.Sprintf("keyCommands entry %v has no refusal in TestRefusedKeyAudited", c))
}

// hashPrefix is the start of the hex SHA-256 of key, as the store keeps it.
func hashPrefix(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:12]
}
