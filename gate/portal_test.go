package gate_test

import (
	"context"
	"crypto/sha256"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/portal"
)

// TestPortalRole: the privacy portal's sign-in actor (role portal) finds a customer by
// e-mail or phone under dsr and gets only those two fields; every other field, look-up
// key, purpose or gate call is refused, and each refusal is audited under its own role.
func TestPortalRole(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	dsr := gate.Request{Actor: portal.Actor, Purpose: jaga.PurposeDSR}

	t.Run("OK", func(t *testing.T) {
		for _, by := range []struct{ field, value string }{{"email", " Rina@Example.com "}, {"phone", "0812-3456-7890"}} {
			for _, fields := range [][]string{nil, {"email", "phone"}} {
				recs, err := f.g.Find(ctx, gate.FindRequest{Request: dsr, Field: by.field, Value: jaga.Redact(by.value), Fields: fields})
				if err != nil || len(recs) != 1 || recs[0].Subject != sub {
					t.Fatalf("find by %s, fields %v: %v %v", by.field, fields, recs, err)
				}
				if got := slices.Sorted(maps.Keys(recs[0].Values)); strings.Join(got, ",") != "email,phone" {
					t.Errorf("find by %s, fields %v: got fields %v, want email and phone only", by.field, fields, got)
				}
				if recs[0].Values["email"] != "rina@example.com" || recs[0].Values["phone"] != "+6281234567890" {
					t.Errorf("values are masked or wrong (a code could not be delivered)")
				}
			}
		}
	})

	// refused runs call, which must be refused with EFORBIDDEN and reason, and checks
	// that the refusal was audited as the portal's, with that decision.
	refused := func(t *testing.T, reason string, call func() error) {
		t.Helper()
		before := f.portalEvents(t)
		err := call()
		if e := jaga.AsError(err); e == nil || e.Code != jaga.EFORBIDDEN || e.Reason != reason {
			t.Fatalf("got %v, want EFORBIDDEN %s", err, reason)
		}
		evs := f.portalEvents(t)
		if len(evs) != len(before)+1 {
			t.Fatalf("refusal not audited: %d portal events before, %d after", len(before), len(evs))
		}
		if last := evs[len(evs)-1]; last.Role != jaga.RolePortal || last.Decision != "deny:"+reason {
			t.Fatalf("audit event role %s decision %s", last.Role, last.Decision)
		}
	}
	find := func(r gate.Request, field, value string, fields ...string) func() error {
		return func() error {
			_, err := f.g.Find(ctx, gate.FindRequest{Request: r, Field: field, Value: jaga.Redact(value), Fields: fields})
			return err
		}
	}
	t.Run("ErrOtherField", func(t *testing.T) {
		for _, fl := range []string{"full_name", "nik", "address", "education"} {
			refused(t, "role_not_allowed", find(dsr, "email", "rina@example.com", "email", fl))
		}
	})
	t.Run("ErrLookupByNIK", func(t *testing.T) {
		refused(t, "lookup_field_denied", find(dsr, "nik", "3273055712859902"))
	})
	t.Run("ErrOtherPurpose", func(t *testing.T) {
		for _, p := range []string{jaga.PurposeServiceProvision, jaga.PurposeCustomerSupport, jaga.PurposeCrossSelling, jaga.PurposeLegalObligation} {
			refused(t, "role_not_allowed", find(gate.Request{Actor: portal.Actor, Purpose: p}, "email", "rina@example.com", "email"))
		}
	})
	t.Run("ErrOtherCalls", func(t *testing.T) {
		// The policy gives the role email and phone under dsr; the gate still lets it
		// only look up: no read by ID, no write, no erasure, no history, no consents.
		refused(t, "role_not_allowed", func() error {
			_, err := f.g.Read(ctx, gate.ReadRequest{Request: dsr, Subject: sub, Fields: []string{"email"}})
			return err
		})
		refused(t, "role_not_allowed", func() error {
			return f.g.Update(ctx, gate.UpdateRequest{Request: dsr, Subject: sub, Set: map[string]string{"email": "evil@example.com"}})
		})
		refused(t, "role_not_allowed", func() error { return f.g.Erase(ctx, dsr, sub) })
		refused(t, "role_not_allowed", func() error {
			_, err := f.g.AccessHistory(ctx, gate.AccessHistoryRequest{Request: dsr, Subject: sub})
			return err
		})
		refused(t, "role_not_allowed", func() error { _, err := f.g.Consents(ctx, dsr, sub); return err })
		rec, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: sub, Fields: []string{"email"}})
		if err != nil || rec.Values["email"] != "rina@example.com" {
			t.Fatalf("after the refused calls the subject is changed or gone: %v", err)
		}
	})

	t.Run("ErrCreateActor", func(t *testing.T) {
		for _, r := range jaga.BuiltinRoles {
			_, key, err := f.g.CreateActor(ctx, gate.Request{}, "staff as "+string(r), r)
			e := jaga.AsError(err)
			if e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "role" || !strings.Contains(e.Message, "staff and integrations cannot hold it") || key != "" {
				t.Fatalf("create actor with role %s: %v", r, err)
			}
		}
	})
	t.Run("ErrAuthenticate", func(t *testing.T) {
		// An actor row with a built-in role (written by hand, or by a bug) never
		// authenticates; the same row with a staff role does.
		for i, r := range []jaga.Role{jaga.RolePortal, jaga.RoleSubject, jaga.RoleSupport} {
			key := gate.APIKeyPrefix + strings.Repeat(string(rune('a'+i)), 43)
			sum := sha256.Sum256([]byte(key))
			a := &jaga.Actor{ID: "act_" + strings.Repeat(string(rune('a'+i)), 32), Name: "row " + string(r), Kind: jaga.ActorService, Role: r, KeyHash: sum[:], CreatedAt: time.Now().UTC()}
			if err := f.store.Update(ctx, func(tx jaga.Tx) error { return tx.CreateActor(ctx, a) }); err != nil {
				t.Fatal(err)
			}
			got, err := f.g.Authenticate(ctx, key)
			if r.Builtin() && jaga.ErrorCode(err) != jaga.EUNAUTHORIZED {
				t.Fatalf("authenticate a %s key: %v %v", r, got, err)
			}
			if !r.Builtin() && (err != nil || got.Role != r) {
				t.Fatalf("authenticate a %s key: %v", r, err)
			}
		}
	})
}

// portalEvents returns the audit events of the portal's actor, oldest first.
func (f *fixture) portalEvents(t *testing.T) []*jaga.AuditEvent {
	t.Helper()
	evs, err := f.g.AuditLog(context.Background(), f.req(jaga.RoleDPO, ""), jaga.AuditFilter{ActorID: portal.Actor.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
