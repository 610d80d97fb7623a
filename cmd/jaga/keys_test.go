package main

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/seal"
)

// TestKeysRotateWhileServing runs `jaga keys rotate` against a vault that another
// opened vault (a running server) keeps using: the server's reads keep working across
// the rotation (it reloads keys/ when it meets the new key ID), every DEK ends up
// wrapped under the new primary, and the rotation is audited.
func TestKeysRotateWhileServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v, dpo := MustDemoVault(t, dir)
	defer v.Close()
	c := customer(t, "5524")
	req := gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}
	recs, err := v.gate.Find(ctx, gate.FindRequest{Request: req, Field: "email", Value: jaga.Redact(c["email"])})
	if err != nil {
		t.Fatal(err)
	}
	before := v.keys.PrimaryKEK()

	var stdout, stderr bytes.Buffer
	if code := Main(ctx, []string{"keys", "rotate", "--dir", dir, "--grace", "50ms"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("keys rotate exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "2240 re-wrapped") {
		t.Fatalf("rotate output: %s", stdout.String())
	}
	// The serving vault has not reloaded yet; opening a re-wrapped DEK makes it.
	rec, err := v.gate.Read(ctx, gate.ReadRequest{Request: req, Subject: recs[0].Subject})
	if err != nil {
		t.Fatalf("read after rotation: %v", err)
	}
	if rec.Values["full_name"] != c["full_name"] {
		t.Fatalf("read after rotation returned another value")
	}
	if v.keys.PrimaryKEK() == before {
		t.Fatalf("serving vault still has the old primary KEK")
	}
	st, err := seal.RewrapAll(ctx, v.keys, v.store, 500, true)
	if err != nil || st.Scanned != 2240 || st.Rewrapped != 0 {
		t.Fatalf("after rotation: %+v %v (want every DEK under the new primary)", st, err)
	}
	aud, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "auditor", jaga.RoleAuditor)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := v.gate.AuditLog(ctx, gate.Request{Actor: aud, Purpose: jaga.PurposeSecurity}, jaga.AuditFilter{Action: jaga.ActionKeyRotation})
	if err != nil {
		t.Fatal(err)
	}
	id := v.keys.PrimaryKEK()
	want := map[string]int{rotationReason(id, "added"): 0, rotationReason(id, "promoted"): 0, rotationReason(id, "rewrapped"): 2240}
	got := map[string]int{}
	for _, ev := range evs {
		got[ev.Reason] = ev.Count
	}
	if !maps.Equal(got, want) {
		t.Fatalf("key rotation audit: %v, want %v", got, want)
	}
}
