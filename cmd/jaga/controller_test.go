package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestConfigController: the controller block of jaga.yaml (or JAGA_CONTROLLER_*) names
// the company in generated notices and in consent receipts; a block without a name is
// refused; the demo's controller says it is a demo.
func TestConfigController(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	yaml := "controller:\n  name: PT Sinar Contoh Abadi\n  address: Jl. Merdeka No. 5, Bandung 40111\n  contact: privasi@sinar.example.co.id\n  dpo_contact: dpo@sinar.example.co.id\n"
	cfg := mustConfigYAML(t, dir, yaml, func(k string) string {
		return map[string]string{"JAGA_CONTROLLER_DPO_CONTACT": "pejabat.pdp@sinar.example.co.id"}[k]
	})
	want := controllerConfig{Name: "PT Sinar Contoh Abadi", Address: "Jl. Merdeka No. 5, Bandung 40111", Contact: "privasi@sinar.example.co.id",
		DPOContact: "pejabat.pdp@sinar.example.co.id"}
	if cfg.Controller != want {
		t.Fatalf("controller %+v; want %+v", cfg.Controller, want)
	}

	v, err := openVault(ctx, dir, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.gate.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	n, ok := v.gate.Notice("notice-id-v3")
	if !ok {
		t.Fatal("no notice-id-v3")
	}
	for _, s := range []string{want.Name, want.Address, want.Contact, want.DPOContact} {
		if !strings.Contains(n.TextID, s) || !strings.Contains(n.TextEN, s) {
			t.Errorf("notice texts lack %q", s)
		}
	}
	sub, err := v.gate.Create(ctx, gate.CreateRequest{Request: gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision},
		Values: map[string]string{"full_name": "Budi Santoso", "email": "budi.santoso@example.com"}, Channel: jaga.ChannelWebForm,
		Consents: []gate.ConsentInput{{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, NoticeVersion: "notice-id-v3"}}})
	if err != nil {
		t.Fatal(err)
	}
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.gate.Receipt(ctx, gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, sub, jaga.PurposeCrossSelling)
	if err != nil {
		t.Fatal(err)
	}
	var pl struct {
		Controllers []struct {
			Name    string `json:"piiController"`
			Contact string `json:"contact"`
			Address string `json:"address"`
			Email   string `json:"email"`
		} `json:"piiControllers"`
	}
	if err := json.Unmarshal(r.Payload, &pl); err != nil || len(pl.Controllers) != 1 {
		t.Fatalf("receipt payload: %v %s", err, r.Payload)
	}
	if c := pl.Controllers[0]; c.Name != want.Name || c.Address != want.Address || c.Contact != want.DPOContact || c.Email != want.Contact {
		t.Fatalf("receipt controller %+v, want %+v", c, want)
	}

	t.Run("ErrNoName", func(t *testing.T) {
		p := filepath.Join(dir, "noname.yaml")
		os.WriteFile(p, []byte("controller:\n  address: Jl. Merdeka No. 5\n"), 0o600)
		if _, err := loadConfig(p, true, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "controller.name") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Demo", func(t *testing.T) {
		c := demoController
		if c.validate() != nil || !strings.Contains(c.Name, "DEMO") || !strings.Contains(c.Address, "demo") || !strings.Contains(c.DPOContact, "DEMO") {
			t.Fatalf("demo controller %+v", c)
		}
	})
}
