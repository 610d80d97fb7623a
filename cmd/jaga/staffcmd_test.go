package main

import (
	"encoding/json"
	"strings"
	"testing"

	"jaga"
)

// addStaff adds a staff member of role to the vault in dir (jaga actors add) and
// returns its API key and actor ID.
func addStaff(t *testing.T, dir, role string) (key, id string) {
	t.Helper()
	out, errs, code := runMain(t, "actors", "add", "--dir", dir, "--name", "Staf "+role, "--role", role)
	if code != 0 {
		t.Fatalf("actors add %s: %d %s", role, code, errs)
	}
	id = strings.Fields(strings.TrimPrefix(errs, "jaga: created actor "))[0]
	return strings.TrimSpace(out), id
}

// auditEvents returns the events of the vault in dir (jaga audit tail) whose reason is
// reason, oldest first; reason "*" returns every event.
func auditEvents(t *testing.T, dir, reason string) []*jaga.AuditEvent {
	t.Helper()
	out, errs, code := runMain(t, "audit", "tail", "--dir", dir)
	if code != 0 {
		t.Fatalf("audit tail: %d %s", code, errs)
	}
	var evs []*jaga.AuditEvent
	for line := range strings.Lines(out) {
		ev := &jaga.AuditEvent{}
		if err := json.Unmarshal([]byte(line), ev); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if reason == "*" || ev.Reason == reason {
			evs = append(evs, ev)
		}
	}
	return evs
}

// wantStaffEvent fails t unless evs holds an allowed event of action and that every
// allowed one names the staff member id of role acting under purpose, never the
// console's shared act_cli (UU PDP Art 31, R-29; DESIGN.md invariant 1).
func wantStaffEvent(t *testing.T, evs []*jaga.AuditEvent, action, id string, role jaga.Role, purpose string) {
	t.Helper()
	var found bool
	for _, ev := range evs {
		if ev.ActorID == cliActor.ID {
			t.Errorf("event %d (%s %s) names the console actor %s", ev.Seq, ev.Action, ev.Reason, cliActor.ID)
		}
		if ev.Action != action || ev.Decision != string(jaga.Allow) {
			continue
		}
		found = true
		if ev.ActorID != id || ev.Role != role || ev.Purpose != purpose {
			t.Errorf("%s event %d (%s): actor %q role %q purpose %q, want %s %s %s", action, ev.Seq, ev.Reason, ev.ActorID, ev.Role, ev.Purpose, id, role, purpose)
		}
	}
	if !found {
		t.Errorf("no allowed %s event among %d: %+v", action, len(evs), evs)
	}
}

// TestRegistryActsAsStaff: the registry commands that change what customer data may be
// used for act as the staff member whose key is given, so that the audit log names who
// approved a DPIA, wrote and approved a notice and activated a purpose (UU PDP Art 31,
// R-29), under purpose legal_obligation; a role that may not is refused naming the
// roles that may, audited. With the console's shared identity every event said act_cli.
func TestRegistryActsAsStaff(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	admin, adminID := addStaff(t, dir, "admin")
	dpo, dpoID := addStaff(t, dir, "dpo")
	auditor, auditorID := addStaff(t, dir, "auditor")
	as := func(key string, args ...string) (int, string) {
		t.Helper()
		t.Setenv("JAGA_KEY", key)
		out, errs, code := runMain(t, append(args, "--dir", dir)...)
		return code, out + errs
	}
	for _, c := range []struct {
		key  string
		args []string
		want string
	}{
		{auditor, []string{"purposes", "status", "cross_selling", "active"}, "changing the purpose registry is for the admin or dpo roles (this key is auditor)"},
		{admin, []string{"purposes", "assess", "cross_selling", "--kind", "dpia", "--ref", "DPIA-2025-07"}, "recording an assessment is for the dpo role (this key is admin)"},
		{auditor, []string{"notices", "generate", "notice-2025-07"}, "generating a notice is for the admin or dpo roles (this key is auditor)"},
		{admin, []string{"notices", "approve", "notice-2025-07"}, "approving a notice is for the dpo role (this key is admin)"},
		{auditor, []string{"purposes", "put", "testdata/warranty_reminders.json"}, "changing the purpose registry is for the admin or dpo roles (this key is auditor)"},
	} {
		if code, out := as(c.key, c.args...); code != 1 || !strings.Contains(out, "jaga: error: "+c.want) {
			t.Errorf("%v: %d %s, want %q", c.args, code, out, c.want)
		}
	}
	for _, c := range []struct {
		key  string
		args []string
	}{
		{dpo, []string{"purposes", "assess", "cross_selling", "--kind", "dpia", "--ref", "DPIA-2025-07"}},
		{admin, []string{"purposes", "put", "testdata/warranty_reminders.json"}},
		{admin, []string{"notices", "generate", "notice-2025-07"}},
		{dpo, []string{"notices", "approve", "notice-2025-07", "--in-force", "2025-07-01"}},
		{admin, []string{"purposes", "status", "cross_selling", "active"}},
	} {
		if code, out := as(c.key, c.args...); code != 0 {
			t.Errorf("%v: %d %s", c.args, code, out) // the audit log below says more
		}
	}
	for _, c := range []struct {
		reason, action, id string
		role               jaga.Role
	}{
		{"purposes assess", "purpose_change", dpoID, jaga.RoleDPO},
		{"purposes put", "purpose_change", adminID, jaga.RoleAdmin},
		{"notices generate", "notice_change", adminID, jaga.RoleAdmin},
		{"notices approve", "notice_change", dpoID, jaga.RoleDPO},
		{"purposes status", "purpose_change", adminID, jaga.RoleAdmin},
	} {
		evs := auditEvents(t, dir, c.reason)
		wantStaffEvent(t, evs, c.action, c.id, c.role, jaga.PurposeLegalObligation)
		if len(evs) != 2 || evs[0].Decision != "deny:role_not_allowed" || evs[0].ActorID == c.id || evs[0].ActorID == "" {
			t.Errorf("%s: want one audited refusal naming the refused staff member, then the change: %+v", c.reason, evs)
		}
	}
	// The registry remembers who: the notice's approver, the DPIA's.
	v := MustOpenVault(t, dir)
	defer v.Close()
	n, _ := v.gate.Notice("notice-2025-07")
	p, _ := v.gate.Purpose("cross_selling")
	if n == nil || n.ApprovedBy != dpoID || p == nil || p.DPIA == nil || p.DPIA.ApprovedBy != dpoID || p.Status != jaga.PurposeActive {
		t.Fatalf("notice %+v, purpose %+v: want both approved by %s (auditor %s refused)", n, p, dpoID, auditorID)
	}
}
