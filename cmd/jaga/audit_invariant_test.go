package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
)

// TestNoPlaintextInAuditLog is invariant 6 for the audit log (issue 5, must-show 4):
// after the bundled customers are imported, found by e-mail, phone and NIK, read with
// reveals, updated and erased, no stored event, export, SIEM tail, witnessed
// checkpoint, access-history download or log line holds any of their plaintext values.
func TestNoPlaintextInAuditLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := defaultConfig()
	cfg.Audit.CheckpointEvery = 50
	cfg.Audit.WitnessFile = filepath.Join(dir, "witness", "checkpoint")
	logf, err := os.OpenFile(filepath.Join(dir, "jaga.log"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	v, err := openVault(ctx, dir, cfg, logf)
	if err != nil {
		t.Fatal(err)
	}
	if err := demoImport(ctx, testEnv(), v); err != nil {
		t.Fatal(err)
	}
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	req := gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "DSR-7"}
	var last jaga.SubjectID
	for _, src := range []string{"5524", "2174", "4141"} {
		c := customer(t, src)
		for _, f := range []string{"email", "phone", "nik"} {
			recs, err := v.gate.Find(ctx, gate.FindRequest{Request: req, Field: f, Value: jaga.Redact(c[f]), Reveal: []string{"phone", "email"}})
			if err != nil || len(recs) != 1 {
				t.Fatalf("find by %s: %v", f, err)
			}
			last = recs[0].Subject
		}
		// A look-up that finds nothing is audited too, without the value looked for.
		if _, err := v.gate.Find(ctx, gate.FindRequest{Request: req, Field: "email", Value: jaga.Redact("x" + c["email"])}); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("find unknown: %v", err)
		}
		if err := v.gate.Update(ctx, gate.UpdateRequest{Request: req, Subject: last, Set: map[string]string{"full_name": c["full_name"] + " Baru"}}); err != nil {
			t.Fatal(err)
		}
	}
	hist, err := v.gate.AccessHistory(ctx, gate.AccessHistoryRequest{Request: req, Subject: last, Proofs: true})
	if err != nil || len(hist.Entries) < 5 {
		t.Fatalf("access history: %v", err)
	}
	if err := v.gate.Erase(ctx, req, last); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o700); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(hist)
	if err := os.WriteFile(filepath.Join(out, "history.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	var export, tail bytes.Buffer
	if _, err := v.gate.AuditLogOf().Export(ctx, v.store, &export); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	err = auditlog.Tail(tctx, v.store, 0, 0, func(ev *jaga.AuditEvent) error {
		b, _ := json.Marshal(ev)
		tail.Write(append(b, '\n'))
		if ev.Action == jaga.ActionErase {
			cancel()
		}
		return nil
	})
	cancel()
	if err != nil || tail.Len() == 0 {
		t.Fatalf("tail: %v", err)
	}
	for name, b := range map[string][]byte{"export.jsonl": export.Bytes(), "tail.jsonl": tail.Bytes()} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Audit.WitnessFile); err != nil {
		t.Fatalf("no witnessed checkpoint: %v", err)
	}
	rep, err := auditlog.VerifyExport(bytes.NewReader(export.Bytes()), v.gate.AuditLogOf().VerifierKey())
	if err != nil || !rep.OK() || rep.Events < 2 {
		t.Fatalf("export does not verify: %v %+v", err, rep)
	}
	values := secrets(t)
	if hits := scanDir(t, dir, values, nil); len(hits) > 0 {
		t.Fatalf("plaintext in the audit log, its export, tail, witness or logs: %d hits, e.g. %v", len(hits), hits[:min(5, len(hits))])
	}
	// Control: the values looked up are among those searched for, and a planted one is found.
	c := customer(t, "5524")
	found := 0
	for _, v := range values {
		if string(v) == c["email"] || string(v) == c["nik"] {
			found++
		}
	}
	if found != 2 {
		t.Fatalf("the looked-up values are not among the searched values")
	}
	if err := os.WriteFile(filepath.Join(out, "control"), []byte(c["nik"]), 0o600); err != nil {
		t.Fatal(err)
	}
	if hits := scanDir(t, out, values, nil); len(hits) != 1 {
		t.Fatalf("the scan cannot find a planted value: %v", hits)
	}
}
