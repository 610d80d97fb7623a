package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// TestDSRCommands: a phone request entered by staff is listed, shown with its timeline,
// refused only with a valid code, and fulfilled at the console by a dpo's key.
func TestDSRCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	// dsr show reads the request's timeline from the audit log, under purpose security:
	// active once its balancing test is recorded (the demo's here).
	if err := v.gate.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	key, sub, desk := mustDesk(t, v)
	_, supKey, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "support one", jaga.RoleSupport)
	if err != nil {
		t.Fatal(err)
	}
	r, err := desk.Submit(ctx, &jaga.Actor{ID: "act_x", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}, dsr.Submission{Subject: sub, Type: jaga.DSRRestrict, Channel: jaga.DSRChannelPhone})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	run := func(args ...string) (int, string, string) {
		var out, errw bytes.Buffer
		code := Main(ctx, append(args, "--dir", dir), strings.NewReader(""), &out, &errw)
		return code, out.String(), errw.String()
	}
	if code, out, _ := run("dsr", "list", "--key", key); code != 0 || !strings.Contains(out, r.ID) || !strings.Contains(out, "3x24h") {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, _, errs := run("dsr", "list", "--key", supKey); code != 1 || !strings.Contains(errs, "jaga: error: the request desk is for the auditor or dpo roles (this key is support)") {
		t.Fatalf("list as support: %d %s", code, errs)
	}
	if code, _, errs := run("dsr", "list"); code != 1 || !strings.Contains(errs, "jaga: hint:") {
		t.Fatalf("list without a key: %d %s", code, errs)
	}
	if code, _, errs := run("dsr", "refuse", r.ID, "--code", "art33_other_person", "--key", key); code != 1 || !strings.Contains(errs, "does not apply to a restrict request") {
		t.Fatalf("refuse with an access code: %d %s", code, errs)
	}
	if code, out, errs := run("dsr", "fulfil", r.ID, "--key", key); code != 0 || !strings.Contains(out, "fulfilled") {
		t.Fatalf("fulfil: %d %s %s", code, out, errs)
	}
	if code, out, _ := run("dsr", "overdue", "--key", key); code != 0 || strings.Contains(out, r.ID) {
		t.Fatalf("overdue: %d %s", code, out)
	}
	code, out, _ := run("dsr", "show", r.ID, "--key", key)
	if code != 0 || !strings.Contains(out, `"status": "fulfilled"`) || !strings.Contains(out, "fulfilled restrict") {
		t.Fatalf("show: %d %s", code, out)
	}
}
