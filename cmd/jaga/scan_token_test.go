package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/pii"
)

// TestScanRedactToken: `jaga scan --redact DIR --redact-mode token --dir VAULT` writes
// copies whose values are tokens of the vault; the vault's dpo resolves them (the NIK
// linked to its subject); scanning the copies finds nothing; without a vault the
// command refuses with a hint.
func TestScanRedactToken(t *testing.T) {
	ctx := context.Background()
	vaultDir := t.TempDir()
	cfg, err := loadConfig(filepath.Join(vaultDir, "jaga.yaml"), false, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	v, err := openVault(ctx, vaultDir, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	const nik = "3171011708450001"
	sub, err := v.gate.Create(ctx, gate.CreateRequest{Request: gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision},
		Values: map[string]string{"full_name": "Budi Santoso", "nik": nik}})
	if err != nil {
		t.Fatal(err)
	}
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	in := t.TempDir()
	notes := filepath.Join(in, "tiket.txt")
	if err := os.WriteFile(notes, []byte("NIK-nya "+nik+", NPWP 01.312.166.0-091.000, surel siti@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, stdout, errs := runJaga(t, "scan", "--redact", out, "--redact-mode", "token", "--dir", vaultDir, notes)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	var red []byte
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			red, err = os.ReadFile(p)
		}
		return err
	})
	toks := regexp.MustCompile(`jgt_[a-z]{26}`).FindAllString(string(red), -1)
	if len(toks) != 3 || strings.Contains(string(red), nik) || strings.Contains(string(red), "siti@") {
		t.Fatalf("redacted copy %q", red)
	}
	if fs := pii.Scan(string(red)); len(fs) != 0 {
		t.Fatalf("the redacted copy still holds personal data: %v", fs)
	}

	v, err = openVault(ctx, vaultDir, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	got, err := v.gate.ResolveToken(ctx, gate.Request{Actor: dpo, Purpose: jaga.PurposeLegalObligation, Reason: "LEGAL-9"}, toks[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "nik" || got.Value.Value() != nik || got.Subject != sub {
		t.Fatalf("resolved %s %q of %s", got.Kind, got.Value.Value(), got.Subject)
	}

	t.Run("ErrNoVault", func(t *testing.T) {
		code, _, errs := runJaga(t, "scan", "--redact", t.TempDir(), "--redact-mode", "token", "--dir", filepath.Join(t.TempDir(), "none"), notes)
		if code == 0 || !strings.Contains(errs, "jaga: error: no vault in") {
			t.Fatalf("exit %d %q", code, errs)
		}
	})
}
