package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// TestQuarantineListLine: `jaga quarantine list` shows the file line of a row from an
// import, and "-" (not 0) for a row from a web form, which has no line: its FILE
// column, form:<id>, already says where it came from.
func TestQuarantineListLine(t *testing.T) {
	kv := newKeyVault(t)
	in := filepath.Join(t.TempDir(), "signups.csv")
	if err := os.WriteFile(in, []byte("full_name,email\nAni Lestari,ani.lestari(at)example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := kv.run(t, "", "import", in); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	v := MustOpenVault(t, kv.dir)
	out, err := v.gate.IntakeOne(context.Background(), gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision, Reason: "web form expo"},
		gate.IntakeRow{File: "form:expo", Values: map[string]string{"full_name": "Budi Hartono", "email": "budi.hartono(at)example.com"},
			Channel: jaga.ChannelWebForm, CollectedAt: time.Now().UTC()})
	v.Close()
	if err != nil || out.Status != gate.IntakeQuarantined {
		t.Fatalf("web form row: %+v %v", out, err)
	}

	t.Setenv("JAGA_KEY", kv.keys[jaga.RoleDPO])
	code, stdout, errs := kv.run(t, "", "quarantine", "list")
	if code != 0 {
		t.Fatalf("list: %d %s", code, errs)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 4 {
			t.Fatalf("list line %q", l)
		}
		lines[f[1]] = f[2]
	}
	if lines["signups.csv"] != "2" || lines["form:expo"] != "-" {
		t.Errorf("LINE column by file %v, want signups.csv 2 and form:expo -:\n%s", lines, stdout)
	}
}
