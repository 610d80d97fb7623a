package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/policy"
)

// TestRegistryCommands walks a fresh vault's registry through the CLI: cross_selling
// starts as a draft, cannot be activated without its DPIA and a covering notice, and
// can once both exist.
func TestRegistryCommands(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	dpo, _ := addStaff(t, dir, "dpo")
	t.Setenv("JAGA_KEY", dpo)
	code, out, _ := run(t, "purposes", "list", "--dir", dir)
	if code != 0 || !strings.Contains(out, "cross_selling") || !strings.Contains(out, "draft") {
		t.Fatalf("purposes list: %d\n%s", code, out)
	}
	code, _, errs := run(t, "purposes", "status", "cross_selling", "active", "--dir", dir)
	if code != 1 || !strings.Contains(errs, "DPIA") || !strings.Contains(errs, "notice") {
		t.Fatalf("activation without DPIA and notice: %d %s", code, errs)
	}
	for _, args := range [][]string{
		{"purposes", "assess", "cross_selling", "--kind", "dpia", "--ref", "DPIA-2025-07", "--summary", "profiling reviewed"},
		{"notices", "generate", "notice-2025-07"},
		{"notices", "approve", "notice-2025-07", "--in-force", "2025-07-01"},
		{"purposes", "status", "cross_selling", "active"},
	} {
		if code, _, errs := run(t, append(args, "--dir", dir)...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
	}
	code, out, _ = run(t, "notices", "show", "notice-2025-07", "--lang", "id", "--dir", dir)
	for _, item := range []string{"Dasar pemrosesan", "Tujuan", "Jenis dan relevansi data", "Masa retensi", "Rincian data", "Jangka waktu pemrosesan", "Hak Anda", "Pengendali data pribadi"} {
		if !strings.Contains(out, item) {
			t.Errorf("notice text lacks %q (UU PDP Art 21(1))", item)
		}
	}
	code, out, _ = run(t, "purposes", "show", "cross_selling", "--dir", dir)
	var p jaga.Purpose
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Status != jaga.PurposeActive || p.DPIA == nil || p.DPIA.Ref != "DPIA-2025-07" {
		t.Fatalf("cross_selling after activation: %v %s", err, out)
	}
}

// TestConsentCommands records a withdrawal through the CLI on the demo vault (as
// support) and checks that the marketer's listing drops the subject and the proof at an
// earlier time (read by the dpo) still shows given.
func TestConsentCommands(t *testing.T) {
	dir := t.TempDir()
	v, _ := MustDemoVault(t, dir)
	v.Close()
	dpo, _ := addStaff(t, dir, "dpo")
	support, _ := addStaff(t, dir, "support")
	marketer, _ := addStaff(t, dir, "marketer")
	t.Setenv("JAGA_KEY", marketer)
	code, out, errs := run(t, "consents", "subjects", "cross_selling", "--dir", dir)
	if code != 0 {
		t.Fatalf("consents subjects: %d %s", code, errs)
	}
	ids := strings.Fields(out)
	if len(ids) == 0 {
		t.Fatal("no consenting subject in the demo data")
	}
	first := ids[0]
	before := time.Now().UTC().Format(time.RFC3339)
	time.Sleep(1100 * time.Millisecond) // --at has second precision
	t.Setenv("JAGA_KEY", support)
	code, out, errs = run(t, "consents", "record", first, "--purpose", "cross_selling", "--status", "withdrawn", "--channel", "api", "--dir", dir)
	if code != 0 || !strings.Contains(errs, "WITHDRAWN") || !strings.Contains(out, `"jws"`) {
		t.Fatalf("consents record: %d %s\n%s", code, errs, out)
	}
	t.Setenv("JAGA_KEY", marketer)
	_, out, _ = run(t, "consents", "subjects", "cross_selling", "--dir", dir)
	if after := strings.Fields(out); len(after) != len(ids)-1 || strings.Contains(out, first) {
		t.Fatalf("after withdrawal %d subjects listed (before %d)", len(after), len(ids))
	}
	t.Setenv("JAGA_KEY", dpo)
	_, out, _ = run(t, "consents", "list", first, "--at", before, "--dir", dir)
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "cross_selling given") {
		t.Fatalf("proof before withdrawal:\n%s", out)
	}
}

// TestPolicyReload: a policy that does not parse is refused with its line and reason and
// the old one stays; a good one takes effect on SIGHUP without a restart.
func TestPolicyReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(path, policy.DefaultYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig()
	cfg.PolicyFile = path
	v, err := openVault(context.Background(), dir, cfg, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	old := v.gate.Policy()
	req := gate.Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeSecurity}
	if err := os.WriteFile(path, []byte("version: 1\nroles:\n  marketer:\n    purposes: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = v.reloadPolicy(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), path+":") {
		t.Fatalf("a broken policy: %v", err)
	}
	if v.gate.Policy() != old {
		t.Fatal("the old policy did not stay")
	}
	// Marketers lose the purchases: visible in the next decision.
	changed := strings.Replace(string(policy.DefaultYAML()), "          purchases: allow\n          email: deny", "          purchases: deny\n          email: deny", 1)
	if changed == string(policy.DefaultYAML()) {
		t.Fatal("test policy edit did not apply")
	}
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go v.watchSIGHUP(ctx)
	time.Sleep(50 * time.Millisecond) // let signal.Notify register
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for v.gate.Policy() == old && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cs, _ := v.gate.Purpose(jaga.PurposeCrossSelling)
	if d := v.gate.Policy().DecidePurchases(jaga.RoleMarketer, cs); d != "deny:role_not_allowed" {
		t.Fatalf("after SIGHUP marketer purchases = %s", d)
	}
}
