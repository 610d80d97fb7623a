package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
	"jaga/importer"
	"jaga/seal"
)

// TestKeysRetireEveryKind stores one key of every kind the KEK wraps (a subject, a
// quarantined row, a pending sign-up, a pending purchase, a request with its request
// key, a redaction token) in a real SQLite vault, promotes a new KEK without re-wrapping
// (refused retirement: every kind still under the old KEK is named), then runs `jaga
// keys rotate` and `jaga keys retire` for the old versions, and opens every value again
// through the path that uses it, with a vault opened afresh from keys/ that no longer
// holds the old versions.
func TestKeysRetireEveryKind(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v := MustOpenVault(t, dir)
	sys := gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision}
	dpo, dpoKey, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	dpoReq := gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "DSR-7"}

	// 1. A subject.
	sub, err := v.gate.Create(ctx, gate.CreateRequest{Request: sys, Values: map[string]string{"full_name": "Budi Santoso", "email": "budi.santoso@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	// 2. A quarantined row.
	q, err := v.gate.IntakeOne(ctx, sys, gate.IntakeRow{Key: []string{"test", "row", "2"}, File: "expo.csv", Line: 2, Channel: jaga.ChannelExhibition,
		Values:   map[string]string{"full_name": "Sari Wulandari", "email": "sari.wulandari@example.com"},
		Problems: []jaga.RowReason{{Field: "nik", Code: "nik_precision_lost", Reason: "a numeric cell lost digits"}}})
	if err != nil || q.Status != gate.IntakeQuarantined {
		t.Fatalf("quarantine: %+v, %v", q, err)
	}
	// 3. A sign-up awaiting double opt-in.
	signupToken := sha256.Sum256([]byte("signup-token"))
	if err := v.gate.StartSignup(ctx, sys, "newsletter", gate.IntakeRow{Channel: jaga.ChannelEmailSignup,
		Values: map[string]string{"full_name": "Rina Sari", "email": "rina.sari@example.com"}}, signupToken[:], time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// 4. A purchase whose customer is not in the vault yet.
	purchases := "customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price\n999999999,PX-77,STK-77,TENUN IKAT SUMBA BIRU,1,2024-01-02 03:04:05,123.45\n"
	rep, err := importer.Import(ctx, v.gate, "late_purchases.csv", strings.NewReader(purchases), int64(len(purchases)), importer.Options{Actor: cliActor})
	if err != nil || rep.Purchases.Pending != 1 {
		t.Fatalf("pending purchase: %v, %+v", err, rep.Purchases)
	}
	// 5. A request with its request key (the notice address, sealed).
	desk, _, err := deskAndPortal(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := desk.Submit(ctx, dpo, dsr.Submission{Subject: sub, Type: jaga.DSRAccess, Channel: jaga.DSRChannelEmail, ReceivedAt: time.Now()})
	if err != nil || len(r.SealedKey) == 0 {
		t.Fatalf("request: %+v, %v", r, err)
	}
	// 6. A redaction token.
	ts, err := v.gate.NewTokenSession(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	red, err := ts.Redact(ctx, []byte("NPWP 01.312.166.0-091.000 dicatat"))
	if err != nil {
		t.Fatal(err)
	}
	tok := regexp.MustCompile(`jgt_[a-z]{26}`).FindString(string(red))
	if tok == "" {
		t.Fatalf("no token in %q", red)
	}

	kekA := v.keys.PrimaryKEK()
	const all = "6 wrapped keys (1 subject, 1 quarantine, 1 signup, 1 pending_purchase, 1 request, 1 token)"
	out, errs, code := runMain(t, "keys", "list", "--dir", dir)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("kek %d enabled primary: %s", kekA, all)) {
		t.Fatalf("keys list (exit %d):\n%s%s", code, out, errs)
	}

	t.Run("ErrRetirePrimary", func(t *testing.T) {
		_, errs, code := runMain(t, "keys", "retire", "--dir", dir, fmt.Sprint(kekA))
		if code == 0 || !strings.Contains(errs, "jaga: error: kek") || !strings.Contains(errs, "is the primary") {
			t.Fatalf("retire the primary: exit %d\n%s", code, errs)
		}
	})
	t.Run("ErrRetireUnknown", func(t *testing.T) {
		for _, arg := range []string{"12", "abc"} {
			if _, errs, code := runMain(t, "keys", "retire", "--dir", dir, arg); code == 0 || !strings.Contains(errs, "jaga: hint: 'jaga keys list'") {
				t.Fatalf("retire %s: exit %d\n%s", arg, code, errs)
			}
		}
	})

	// A rotation that stopped after the promotion: nothing is re-wrapped yet.
	kekB, err := v.keys.AddKEK()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.keys.PromoteKEK(kekB); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrRetireBeforeRewrap", func(t *testing.T) {
		_, errs, code := runMain(t, "keys", "retire", "--dir", dir, fmt.Sprint(kekA))
		want := fmt.Sprintf("jaga: error: kek %d still wraps %s", kekA, strings.Replace(all, "wrapped keys", "keys", 1))
		if code == 0 || !strings.Contains(errs, want) || !strings.Contains(errs, "jaga: hint: 'jaga keys rewrap' re-wraps them") {
			t.Fatalf("retire before the re-wrap: exit %d\n%s\nwant %q", code, errs, want)
		}
		if !strings.Contains(mustReadKEK(t, dir), fmt.Sprint(kekA)) {
			t.Fatal("the refused retirement changed kek.json")
		}
	})

	out, errs, code = runMain(t, "keys", "rotate", "--dir", dir, "--grace", "10ms", "--batch", "1")
	if code != 0 || !strings.Contains(out, "6 re-wrapped (subject 1/1, quarantine 1/1, signup 1/1, pending_purchase 1/1, request 1/1, token 1/1)") {
		t.Fatalf("keys rotate (exit %d):\n%s%s", code, out, errs)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	out, _, _ = runMain(t, "keys", "list", "--dir", dir)
	for _, old := range []uint32{kekA, kekB} {
		if !strings.Contains(out, fmt.Sprintf("kek %d enabled: no wrapped keys", old)) {
			t.Fatalf("keys list after the re-wrap:\n%s", out)
		}
	}
	for _, old := range []uint32{kekA, kekB} {
		if out, errs, code := runMain(t, "keys", "retire", "--dir", dir, fmt.Sprint(old)); code != 0 || !strings.Contains(out, fmt.Sprintf("kek %d retired", old)) {
			t.Fatalf("retire %d: exit %d\n%s%s", old, code, out, errs)
		}
	}
	kek := mustReadKEK(t, dir)
	if strings.Contains(kek, fmt.Sprintf(`"keyId": %d`, kekA)) || strings.Contains(kek, fmt.Sprintf(`"keyId": %d`, kekB)) {
		t.Fatalf("kek.json still holds a retired version:\n%s", regexp.MustCompile(`"value":\s*"[^"]*"`).ReplaceAllString(kek, `"value":"…"`))
	}
	if fi, err := os.Stat(filepath.Join(dir, "keys", seal.KEKFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kek.json: %v, mode %v", err, fi.Mode())
	}

	// Every value opens again, through the path that uses it, from the keys left.
	v = MustOpenVault(t, dir)
	defer v.Close()
	if ids := v.keys.KEKs(); len(ids) != 1 || !ids[0].Primary {
		t.Fatalf("KEKs after retiring: %+v", ids)
	}
	t.Run("Subject", func(t *testing.T) {
		rec, err := v.gate.Read(ctx, gate.ReadRequest{Request: dpoReq, Subject: sub})
		if err != nil || rec.Values["full_name"] != "Budi Santoso" {
			t.Fatalf("read: %v", err)
		}
	})
	t.Run("Quarantine", func(t *testing.T) {
		t.Setenv("JAGA_KEY", dpoKey)
		out, errs, code := runMain(t, "quarantine", "show", "--dir", dir, string(q.Subject))
		if code != 0 || !strings.Contains(out, "Sari Wulandari") {
			t.Fatalf("quarantine show: exit %d\n%s", code, errs)
		}
	})
	t.Run("Request", func(t *testing.T) {
		desk, _, err := deskAndPortal(v, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := desk.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := v.gate.OpenRequestData(ctx, gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, RequestID: r.ID}, sub, got.Sealed, got.SealedKey)
		if err != nil || vals["@email"] != "budi.santoso@example.com" {
			t.Fatalf("request data: %v", err)
		}
	})
	t.Run("Token", func(t *testing.T) {
		got, err := v.gate.ResolveToken(ctx, dpoReq, tok)
		if err != nil || got.Value.Value() != "01.312.166.0-091.000" {
			t.Fatalf("resolve token: %v", err)
		}
	})
	t.Run("Signup", func(t *testing.T) {
		o, err := v.gate.ConfirmSignup(ctx, sys, signupToken[:], "doi:test")
		if err != nil || o.Status != gate.IntakeCreated {
			t.Fatalf("confirm sign-up: %+v, %v", o, err)
		}
		rec, err := v.gate.Read(ctx, gate.ReadRequest{Request: dpoReq, Subject: o.Subject})
		if err != nil || rec.Values["email"] != "rina.sari@example.com" {
			t.Fatalf("read the confirmed sign-up: %v", err)
		}
	})
	t.Run("PendingPurchase", func(t *testing.T) {
		customers := "source_id,full_name,email\n999999999,Dewi Lestari,dewi.lestari@example.com\n"
		rep, err := importer.Import(ctx, v.gate, "customers.csv", strings.NewReader(customers), int64(len(customers)), importer.Options{Actor: cliActor})
		if err != nil || rep.Created != 1 {
			t.Fatalf("import the customer: %v, %+v", err, rep)
		}
		recs, err := v.gate.Find(ctx, gate.FindRequest{Request: dpoReq, Field: "email", Value: jaga.Redact("dewi.lestari@example.com")})
		if err != nil || len(recs) != 1 {
			t.Fatalf("find: %v", err)
		}
		ps, err := v.gate.Purchases(ctx, gate.ReadRequest{Request: dpoReq, Subject: recs[0].Subject})
		if err != nil || len(ps) != 1 || ps[0].Description != "TENUN IKAT SUMBA BIRU" {
			t.Fatalf("linked purchases: %d, %v", len(ps), err)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		out, errs, code := runMain(t, "audit", "tail", "--dir", dir)
		if code != 0 {
			t.Fatalf("audit tail: exit %d\n%s", code, errs)
		}
		for _, want := range []string{fmt.Sprintf(`"reason":"kek-%d-retired"`, kekA), fmt.Sprintf(`"reason":"kek-%d-retired"`, kekB), "-promoted\""} {
			if !strings.Contains(out, want) {
				t.Errorf("no key_rotation event says %q:\n%s", want, out)
			}
		}
	})
}

// mustReadKEK returns the text of keys/kek.json (for checks of which versions it holds).
func mustReadKEK(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "keys", seal.KEKFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
