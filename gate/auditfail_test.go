package gate_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// failAudit makes every append to the audit log fail: a trigger on the store's own
// SQLite file (a second connection, as an operator or a full disk would) that aborts an
// insert into audit_log. The returned func drops it again.
func failAudit(tb testing.TB, f *fixture) func() {
	tb.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+f.store.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log
		BEGIN SELECT RAISE(ABORT, 'audit append failed (test)'); END`); err != nil {
		tb.Fatal(err)
	}
	return func() {
		tb.Helper()
		if _, err := db.ExecContext(ctx, `DROP TRIGGER test_audit_fails`); err != nil {
			tb.Fatal(err)
		}
	}
}

func auditSize(tb testing.TB, f *fixture) int64 {
	tb.Helper()
	ctx := context.Background()
	var h jaga.AuditHead
	if err := f.store.View(ctx, func(tx jaga.Tx) (err error) { h, err = tx.AuditHead(ctx); return err }); err != nil {
		tb.Fatal(err)
	}
	return h.Size
}

// TestAuditDurableBeforeData is invariant 1's failure injection: when the audit event
// of a read cannot be written in the gate's transaction, the caller gets an error and no
// plaintext at all (no record, no value in the error), and a write whose event fails
// leaves nothing behind. Once the log accepts appends again, the same calls succeed, so
// the failure, not the fixture, refused them.
func TestAuditDurableBeforeData(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	const email, newEmail = "rina.audit@example.com", "sekar.baru@example.com"
	sub := f.MustCreate(t, email, jaga.ConsentGiven)
	secrets := []string{"Rina Sari", email, "3456", "3273055712859902", "Bandung", newEmail, "Sekar Ayu"}
	noSecrets := func(t *testing.T, err error) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(s)) {
				t.Fatalf("error %q holds a value", err)
			}
		}
	}
	dpo := f.req(jaga.RoleDPO, jaga.PurposeDSR)
	before := auditSize(t, f)
	restore := failAudit(t, f)

	t.Run("Read", func(t *testing.T) {
		rec, err := f.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: sub})
		if err == nil || rec != nil {
			t.Fatalf("read with a failing audit log: record %v, error %v", rec != nil, err)
		}
		noSecrets(t, err)
	})
	t.Run("Find", func(t *testing.T) {
		recs, err := f.g.Find(ctx, gate.FindRequest{Request: dpo, Field: "email", Value: jaga.Redact(email), Fields: []string{"full_name", "email"}})
		if err == nil || len(recs) != 0 {
			t.Fatalf("find with a failing audit log: %d records, error %v", len(recs), err)
		}
		noSecrets(t, err)
	})
	t.Run("Create", func(t *testing.T) {
		id, err := f.g.Create(ctx, gate.CreateRequest{Request: f.req(jaga.RoleService, jaga.PurposeServiceProvision),
			Values: map[string]string{"full_name": "Sekar Ayu", "email": newEmail}, Channel: jaga.ChannelStoreVisit})
		if err == nil {
			t.Fatalf("create with a failing audit log stored %s", id)
		}
		noSecrets(t, err)
	})
	if n := auditSize(t, f); n != before {
		t.Fatalf("audit log grew from %d to %d while appends failed", before, n)
	}

	restore()
	rec, err := f.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: sub})
	if err != nil || rec.Values["email"] != email {
		t.Fatalf("read after the log recovered: %v", err)
	}
	// The failed create left no subject: its address is not found.
	recs, err := f.g.Find(ctx, gate.FindRequest{Request: dpo, Field: "email", Value: jaga.Redact(newEmail), Fields: []string{"email"}})
	if jaga.ErrorCode(err) != jaga.ENOTFOUND && (err != nil || len(recs) != 0) {
		t.Fatalf("the create whose audit event failed left %d subjects (%v)", len(recs), err)
	}
	if n := auditSize(t, f); n <= before {
		t.Fatalf("audit log size %d after recovery, %d before", n, before)
	}
}
