package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestAuditCommands runs audit verify, export, verify --export, tail and verify
// --witness against a vault, then against the same vault with an event edited and
// with its database rolled back below the witnessed checkpoint.
func TestAuditCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	witness := filepath.Join(t.TempDir(), "checkpoint")
	cfg := mustConfigYAML(t, dir, "audit:\n  checkpoint_every: 3\n  witness_file: "+witness+"\n", nil)
	data := filepath.Join(dir, "data", "jaga.db")
	backup := filepath.Join(t.TempDir(), "old.db")
	for i, names := range [][]string{{"a", "b"}, {"c", "d", "e"}} {
		v, err := openVault(ctx, dir, cfg, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if _, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, name, jaga.RoleSupport); err != nil {
				t.Fatal(err)
			}
		}
		if err := v.Close(); err != nil { // signs and witnesses the last checkpoint
			t.Fatal(err)
		}
		if i == 0 { // a backup with 2 events
			db, err := sql.Open("sqlite", data)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec(`VACUUM INTO ?`, backup)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	db, err := sql.Open("sqlite", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA busy_timeout = 5000`); err != nil {
		t.Fatal(err)
	}

	if code, out, errs := run(t, "audit", "verify", "--dir", dir, "--witness", witness); code != 0 || !strings.Contains(out, "audit log ok: 5 events") {
		t.Fatalf("verify: %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "audit", "verify", "--dir", dir, "--from", "2"); code != 0 || !strings.Contains(out, "3 events recomputed (from 2)") {
		t.Fatalf("verify --from: %d %q %q", code, out, errs)
	}
	export := filepath.Join(t.TempDir(), "audit.jsonl")
	if code, _, errs := run(t, "audit", "export", "--dir", dir, "-o", export); code != 0 {
		t.Fatalf("export: %d %q", code, errs)
	}
	if code, out, errs := run(t, "audit", "verify", "--dir", dir, "--export", export); code != 0 || !strings.Contains(out, "2 checkpoints verified") {
		t.Fatalf("verify --export: %d %q %q", code, out, errs)
	}
	t.Run("ExportReadableCopyEdited", func(t *testing.T) {
		b, err := os.ReadFile(export)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		var x map[string]any
		if err := json.Unmarshal([]byte(lines[4]), &x); err != nil || x["type"] != "event" {
			t.Fatalf("line 5: %v %v", err, x)
		}
		x["event"].(map[string]any)["reason"] = "tampered"
		edited, _ := json.Marshal(x)
		lines[4] = string(edited)
		bad := filepath.Join(t.TempDir(), "edited.jsonl")
		if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run(t, "audit", "verify", "--dir", dir, "--export", bad)
		if code != 1 || !strings.Contains(errs, "line 5 (event 3): event does not match its record (field reason)") || strings.Contains(errs, "tampered") {
			t.Fatalf("verify an export whose event copy was edited: %d %q", code, errs)
		}
	})
	code, out, _ := run(t, "audit", "tail", "--dir", dir, "--after", "3")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var ev jaga.AuditEvent
	if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &ev) != nil || ev.Seq != 4 || ev.Action != jaga.ActionActorCreate {
		t.Fatalf("tail: %d %q", code, out)
	}

	t.Run("Edited", func(t *testing.T) {
		if _, err := db.Exec(`UPDATE audit_log SET data = (SELECT data FROM audit_log WHERE first_seq = 1) WHERE first_seq = 2`); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run(t, "audit", "verify", "--dir", dir)
		if code != 1 || !strings.Contains(errs, "jaga: error: audit log broken at event 2") || !strings.Contains(errs, "first failing checkpoint: size 2") {
			t.Fatalf("verify after edit: %d %q", code, errs)
		}
	})
	t.Run("RolledBack", func(t *testing.T) {
		db.Close()
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(data + suffix)
		}
		b, err := os.ReadFile(backup)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(data, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, errs := run(t, "audit", "verify", "--dir", dir); code != 0 || !strings.Contains(out, "audit log ok: 2 events") {
			t.Fatalf("the restored copy alone verifies: %d %q %q", code, out, errs)
		}
		code, _, errs := run(t, "audit", "verify", "--dir", dir, "--witness", witness)
		if code != 1 || !strings.Contains(errs, "first failing checkpoint: size 5") || !strings.Contains(errs, "rolled back") {
			t.Fatalf("verify a rolled-back database against the witness: %d %q", code, errs)
		}
	})
}
