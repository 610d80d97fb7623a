package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestQuarantineActsAsStaff: every quarantine subcommand acts as the staff member whose
// key is given (through --key-file, stdin or $JAGA_KEY), so that each audit event of the
// quarantine names that person and role (UU PDP Art 31, R-16), not the console's shared
// act_cli; a role other than the dpo is refused, audited, naming the role that may; no
// key and an unknown key are refused without echoing the key or any value.
func TestQuarantineActsAsStaff(t *testing.T) {
	kv := newKeyVault(t)
	dpo, auditor := kv.keys[jaga.RoleDPO], kv.keys[jaga.RoleAuditor]
	dpoFile := keyFile(t, dpo, 0o600)

	// Two rows without a valid e-mail, phone or NIK are quarantined.
	in := filepath.Join(t.TempDir(), "signups.csv")
	if err := os.WriteFile(in, []byte("full_name,email\nAni Lestari,ani.lestari(at)example.com\nBudi Hartono,budi.hartono(at)example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := kv.run(t, "", "import", in); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}

	t.Setenv("JAGA_KEY", dpo)
	code, out, errs := kv.run(t, "", "quarantine", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("list with JAGA_KEY: %d %q %s", code, out, errs)
	}
	fixed, dropped := strings.Fields(lines[1])[0], strings.Fields(lines[2])[0]
	unsetenv(t, "JAGA_KEY")

	t.Run("NoKey", func(t *testing.T) {
		code, out, errs := kv.run(t, "", "quarantine", "show", fixed)
		wantRefused(t, "no key", code, errs, 1, []string{"jaga: error: an API key is required",
			"jaga: hint: set JAGA_KEY or pass --key-file FILE with a dpo's key (jaga actors add --role dpo)"})
		if out != "" {
			t.Errorf("stdout %q", out)
		}
	})
	t.Run("UnknownKey", func(t *testing.T) {
		const unknown = "jaga_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
		code, out, errs := kv.run(t, "", "quarantine", "show", fixed, "--key-file", keyFile(t, unknown, 0o600))
		wantRefused(t, "unknown key", code, errs, 1, []string{"jaga: error: ", "invalid API key"}, unknown, unknown[5:20], "Ani")
		if out != "" {
			t.Errorf("stdout %q", out)
		}
	})
	t.Run("RoleRefused", func(t *testing.T) {
		for _, sub := range [][]string{{"list"}, {"show", fixed}, {"fix", fixed, "--set", "email=ani@example.com"}, {"release", fixed}, {"discard", fixed}} {
			code, out, errs := kv.run(t, "", append(append([]string{"quarantine"}, sub...), "--key-file", keyFile(t, auditor, 0o600))...)
			wantRefused(t, "auditor "+sub[0], code, errs, 1, []string{"jaga: error: ", "the quarantine desk is for the dpo role (this key is auditor)"}, auditor, "Ani", "ani")
			if out != "" {
				t.Errorf("auditor %s: stdout %q", sub[0], out)
			}
		}
	})

	// The dpo works the desk with each way of giving the key.
	t.Setenv("JAGA_KEY", dpo)
	code, out, errs = kv.run(t, "", "quarantine", "show", fixed)
	if code != 0 || !strings.Contains(out, "ani.lestari(at)example.com") {
		t.Fatalf("show with JAGA_KEY: %d %q %s", code, out, errs)
	}
	unsetenv(t, "JAGA_KEY")
	// The values left the gate: the event says who saw them.
	for _, ev := range quarantineEvents(t, kv)["quarantine show"] {
		if ev.Decision == string(jaga.Allow) && (ev.ActorID != kv.ids[jaga.RoleDPO] || ev.Role != jaga.RoleDPO) {
			t.Fatalf("quarantine show event %d names actor %s role %s, want the dpo %s", ev.Seq, ev.ActorID, ev.Role, kv.ids[jaga.RoleDPO])
		}
	}
	if code, out, errs := kv.run(t, "", "quarantine", "fix", fixed, "--set", "email=ani.lestari@example.com", "--key-file", dpoFile); code != 0 || !strings.Contains(out, "valid now") {
		t.Fatalf("fix with --key-file: %d %q %s", code, out, errs)
	}
	code, out, errs = kv.run(t, dpo+"\n", "quarantine", "release", fixed, "--key-file", "-")
	if code != 0 || !strings.Contains(out, "created subject sub_") {
		t.Fatalf("release with --key-file -: %d %q %s", code, out, errs)
	}
	subject := jaga.SubjectID(strings.TrimSpace(out[strings.LastIndex(out, " "):]))
	if code, out, errs := kv.run(t, "", "quarantine", "discard", dropped, "--key", dpo); code != 0 || !strings.Contains(errs, keyWarning) {
		t.Fatalf("discard with --key: %d %q %s", code, out, errs)
	}

	// The audit log names the dpo on every quarantine event, and the auditor on its
	// refusals; none is the console's act_cli.
	byReason := quarantineEvents(t, kv)
	for _, c := range []struct {
		reason string
		action string
		actor  string
		role   jaga.Role
		sub    jaga.SubjectID
	}{
		{"quarantine list", jaga.ActionQuarantine, kv.ids[jaga.RoleDPO], jaga.RoleDPO, ""},
		{"quarantine show", jaga.ActionQuarantine, kv.ids[jaga.RoleDPO], jaga.RoleDPO, jaga.SubjectID(fixed)},
		{"quarantine fix", jaga.ActionQuarantine, kv.ids[jaga.RoleDPO], jaga.RoleDPO, jaga.SubjectID(fixed)},
		{"quarantine release", jaga.ActionQuarantine, kv.ids[jaga.RoleDPO], jaga.RoleDPO, jaga.SubjectID(fixed)},
		{"quarantine release", jaga.ActionImport, kv.ids[jaga.RoleDPO], jaga.RoleDPO, subject},
		{"quarantine discard", jaga.ActionQuarantine, kv.ids[jaga.RoleDPO], jaga.RoleDPO, jaga.SubjectID(dropped)},
	} {
		var found bool
		for _, ev := range byReason[c.reason] {
			if ev.Action != c.action || ev.Decision != string(jaga.Allow) && c.action == jaga.ActionQuarantine {
				continue
			}
			if c.sub != "" && !slices.Contains(ev.Subjects, c.sub) {
				continue
			}
			found = true
			if ev.ActorID != c.actor || ev.Role != c.role || ev.Purpose != jaga.PurposeLegalObligation {
				t.Errorf("%s %s event %d: actor %s role %s purpose %s, want %s %s legal_obligation",
					c.reason, c.action, ev.Seq, ev.ActorID, ev.Role, ev.Purpose, c.actor, c.role)
			}
		}
		if !found {
			t.Errorf("no allowed %s event with reason %q (subject %s): %+v", c.action, c.reason, c.sub, byReason[c.reason])
		}
	}
	// One refusal per refused run: four for the auditor's subcommands on the row plus its
	// listing, one for the unknown key.
	var refused, unknown int
	for _, evs := range byReason {
		for _, ev := range evs {
			switch {
			case ev.ActorID == kv.ids[jaga.RoleAuditor] && ev.Role == jaga.RoleAuditor && ev.Decision == "deny:role_not_allowed":
				refused++
				// A refusal on a row records which row was asked for (its ID, never a
				// value), as a refused read of a subject records the subject.
				want := []jaga.SubjectID{jaga.SubjectID(fixed)}
				if ev.Reason == "quarantine list" {
					want = nil
				}
				if !slices.Equal(ev.Subjects, want) {
					t.Errorf("refused %s event %d records rows %v, want %v", ev.Reason, ev.Seq, ev.Subjects, want)
				}
			case ev.ActorID == "" && ev.Decision == "error:unauthorized":
				unknown++
			}
		}
	}
	if refused != 5 || unknown != 1 {
		t.Errorf("%d audited role refusals (want 5), %d unknown-key refusals (want 1)", refused, unknown)
	}
}

// quarantineEvents reads kv's audit log as its auditor and returns the events of the
// quarantine commands (reason "quarantine <subcommand>") by reason; no such event may
// name the console's act_cli.
func quarantineEvents(t *testing.T, kv *keyVault) map[string][]*jaga.AuditEvent {
	t.Helper()
	v := MustOpenVault(t, kv.dir)
	defer v.Close()
	aud := &jaga.Actor{ID: kv.ids[jaga.RoleAuditor], Kind: jaga.ActorStaff, Role: jaga.RoleAuditor}
	evs, err := v.gate.AuditLog(context.Background(), gate.Request{Actor: aud, Purpose: jaga.PurposeSecurity}, jaga.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byReason := map[string][]*jaga.AuditEvent{}
	for _, ev := range evs {
		if !strings.HasPrefix(ev.Reason, "quarantine ") {
			continue // the vault's set-up and the import (which the console runs)
		}
		byReason[ev.Reason] = append(byReason[ev.Reason], ev)
		if ev.ActorID == cliActor.ID {
			t.Errorf("event %d (%s) names the console actor %s", ev.Seq, ev.Reason, cliActor.ID)
		}
	}
	return byReason
}

// useDPOKey adds a dpo to the vault in dir (jaga actors add) and puts its key in
// $JAGA_KEY for the rest of t, for tests that run the quarantine desk; it returns the
// dpo's actor ID.
func useDPOKey(t *testing.T, dir string) string {
	t.Helper()
	key, id := addStaff(t, dir, "dpo")
	t.Setenv("JAGA_KEY", key)
	return id
}
