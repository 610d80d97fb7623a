package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/seal"
)

// TestKeysRotateInterruptedAndRewrap stops `jaga keys rotate` part-way through its
// re-wrap (one subject's wrapped DEK is damaged, so it fails to open, after the batches
// before it committed): the addition and the promotion are audited all the same, and the
// re-wrapped keys so far. `jaga keys rewrap` then finishes under the same primary,
// adding no KEK version, and every subject opens again. The dry runs count what each
// command would re-wrap: rotate every key, rewrap those not under the primary.
func TestKeysRotateInterruptedAndRewrap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	defer v.Close()
	sys := gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision}
	names := []string{"Budi Santoso", "Sari Wulandari", "Rina Sari", "Dewi Lestari"}
	var subs []jaga.SubjectID
	for i, name := range names {
		id, err := v.gate.Create(ctx, gate.CreateRequest{Request: sys, Values: map[string]string{"full_name": name, "email": fmt.Sprintf("pelanggan%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, id)
	}
	slices.Sort(subs) // the order the re-wrap pages through them
	kekA := v.keys.PrimaryKEK()

	t.Run("DryRunsBefore", func(t *testing.T) {
		out, errs, code := runMain(t, "keys", "rotate", "--dir", dir, "--dry-run")
		want := fmt.Sprintf("re-wraps all 4 wrapped keys under it (4 subject); 0 of them are not under the current primary kek %d now", kekA)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("keys rotate --dry-run (exit %d):\n%s%s\nwant %q", code, out, errs, want)
		}
		out, errs, code = runMain(t, "keys", "rewrap", "--dir", dir, "--dry-run")
		want = fmt.Sprintf("dry run: 4 wrapped keys scanned, 0 not under the primary kek %d (subject 0/4)", kekA)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("keys rewrap --dry-run (exit %d):\n%s%s\nwant %q", code, out, errs, want)
		}
	})

	// Damage the third subject's wrapped DEK: the first's, which does not open with the
	// third's associated data.
	var good []byte
	if err := v.store.Update(ctx, func(tx jaga.Tx) error {
		recs, err := tx.WrappedKeys(ctx, jaga.WrappedSubjectDEK, "", 0)
		if err != nil {
			return err
		}
		if len(recs) != 4 || recs[0].ID != string(subs[0]) || recs[2].ID != string(subs[2]) {
			return fmt.Errorf("wrapped keys %d, not in subject order", len(recs))
		}
		good = recs[2].Wrapped
		return tx.SetWrappedKey(ctx, jaga.WrappedSubjectDEK, recs[2].ID, recs[0].Wrapped)
	}); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runMain(t, "keys", "rotate", "--dir", dir, "--grace", "10ms", "--batch", "1")
	if code == 0 || !strings.Contains(errs, "jaga: error: ") || !strings.Contains(errs, "jaga: hint: 'jaga keys rewrap' resumes it") {
		t.Fatalf("keys rotate over a damaged key (exit %d):\n%s%s", code, out, errs)
	}
	if err := v.keys.Reload(); err != nil {
		t.Fatal(err)
	}
	kekB := v.keys.PrimaryKEK()
	if kekB == kekA {
		t.Fatal("the interrupted rotation did not promote its version")
	}
	versions := func(t *testing.T) []string {
		t.Helper()
		out, errs, code := runMain(t, "keys", "list", "--dir", dir)
		if code != 0 {
			t.Fatalf("keys list (exit %d): %s", code, errs)
		}
		return regexp.MustCompile(`(?m)^kek \d+`).FindAllString(out, -1)
	}
	before := versions(t)
	if len(before) != 2 {
		t.Fatalf("versions after the interrupted rotation: %q", before)
	}
	audited := func(t *testing.T) map[string]int {
		t.Helper()
		out, errs, code := runMain(t, "audit", "tail", "--dir", dir)
		if code != 0 {
			t.Fatalf("audit tail (exit %d): %s", code, errs)
		}
		got := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var ev jaga.AuditEvent
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Action == jaga.ActionKeyRotation {
				got[ev.Reason] = ev.Count
			}
		}
		return got
	}
	t.Run("PromotionAudited", func(t *testing.T) {
		// Two subjects were re-wrapped, one batch each, before the damaged one.
		want := map[string]int{rotationReason(kekB, "added"): 0, rotationReason(kekB, "promoted"): 0, rotationReason(kekB, "rewrap-stopped"): 2}
		if got := audited(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("key_rotation events %v, want %v", got, want)
		}
	})

	if err := v.store.Update(ctx, func(tx jaga.Tx) error {
		return tx.SetWrappedKey(ctx, jaga.WrappedSubjectDEK, string(subs[2]), good)
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("DryRunsInterrupted", func(t *testing.T) {
		out, errs, code := runMain(t, "keys", "rotate", "--dir", dir, "--dry-run")
		want := fmt.Sprintf("re-wraps all 4 wrapped keys under it (4 subject); 2 of them are not under the current primary kek %d now", kekB)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("keys rotate --dry-run (exit %d):\n%s%s\nwant %q", code, out, errs, want)
		}
		out, errs, code = runMain(t, "keys", "rewrap", "--dir", dir, "--dry-run")
		want = fmt.Sprintf("dry run: 4 wrapped keys scanned, 2 not under the primary kek %d (subject 2/4)", kekB)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("keys rewrap --dry-run (exit %d):\n%s%s\nwant %q", code, out, errs, want)
		}
	})

	out, errs, code = runMain(t, "keys", "rewrap", "--dir", dir, "--batch", "1")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("kek %d primary; 4 data keys scanned, 2 re-wrapped (subject 2/4)", kekB)) {
		t.Fatalf("keys rewrap (exit %d):\n%s%s", code, out, errs)
	}
	if after := versions(t); !slices.Equal(after, before) {
		t.Fatalf("keys rewrap changed the versions: %q, before %q", after, before)
	}
	out, _, _ = runMain(t, "keys", "list", "--dir", dir)
	if !strings.Contains(out, fmt.Sprintf("kek %d enabled: no wrapped keys", kekA)) || !strings.Contains(out, fmt.Sprintf("kek %d enabled primary: 4 wrapped keys", kekB)) {
		t.Fatalf("keys list after keys rewrap:\n%s", out)
	}
	if got := audited(t); got[rotationReason(kekB, "rewrapped")] != 2 || len(got) != 4 {
		t.Fatalf("key_rotation events after keys rewrap: %v", got)
	}
	if err := v.keys.Reload(); err != nil {
		t.Fatal(err)
	}
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range subs {
		rec, err := v.gate.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, Subject: id})
		if err != nil || !slices.Contains(names, rec.Values["full_name"]) {
			t.Fatalf("read %s after keys rewrap: %v", id, err)
		}
	}
	t.Run("NothingLeft", func(t *testing.T) {
		out, errs, code := runMain(t, "keys", "rewrap", "--dir", dir)
		if code != 0 || !strings.Contains(out, "0 re-wrapped") {
			t.Fatalf("second keys rewrap (exit %d):\n%s%s", code, out, errs)
		}
		if after := versions(t); !slices.Equal(after, before) {
			t.Fatalf("versions %q, before %q", after, before)
		}
	})
}

// TestKeysRetireDuringRotation: while a rotation or re-wrap holds the rotation lock (on
// any node), keys retire is refused as rotate and rewrap are, and kek.json keeps the
// version: retiring the version a rotation is promoting made that rotation fail.
func TestKeysRetireDuringRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	defer v.Close()
	id, err := v.keys.AddKEK()
	if err != nil {
		t.Fatal(err)
	}
	release, ok, err := v.store.TryLock(ctx, rotationLock)
	if err != nil || !ok {
		t.Fatalf("take the rotation lock: %v %v", ok, err)
	}
	out, errs, code := runMain(t, "keys", "retire", "--dir", dir, fmt.Sprint(id))
	if code == 0 || !strings.Contains(errs, "another key rotation is running on a node of this vault") {
		t.Fatalf("keys retire during a rotation (exit %d):\n%s%s", code, out, errs)
	}
	if err := v.keys.Reload(); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(v.keys.KEKs(), func(k seal.KeyInfo) bool { return k.ID == id }) {
		t.Fatalf("kek %d was retired while the rotation lock was held", id)
	}
	release()
	if out, errs, code := runMain(t, "keys", "retire", "--dir", dir, fmt.Sprint(id)); code != 0 {
		t.Fatalf("keys retire after the rotation (exit %d):\n%s%s", code, out, errs)
	}
}
