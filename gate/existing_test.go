package gate_test

import (
	"context"
	"sync"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestCreateExisting: Create refuses the same person twice (a stored NIK; an e-mail or
// phone stored under the same name) with 409 identifier_exists, audited, naming the
// subject only to a role that may look it up by that field; a contact shared under
// another name is stored and flagged identity_conflict on both subjects.
func TestCreateExisting(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	first := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven) // NIK 3273055712859902, phone 0812-3456-7890
	create := func(role jaga.Role, purpose string, values map[string]string) (jaga.SubjectID, []string, error) {
		return f.g.CreateWithReview(ctx, gate.CreateRequest{Request: f.req(role, purpose), Values: values})
	}
	count := func(field, value string) int {
		t.Helper()
		recs, err := f.g.Find(ctx, gate.FindRequest{Request: f.req(jaga.RoleService, jaga.PurposeServiceProvision), Field: field, Value: jaga.Redact(value)})
		if err != nil && jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatal(err)
		}
		return len(recs)
	}
	wantConflict := func(t *testing.T, err error, field string, subject jaga.SubjectID) {
		t.Helper()
		e := jaga.AsError(err)
		if e == nil || e.Code != jaga.ECONFLICT || e.Reason != gate.ReasonIdentifierExists || e.Field != field || e.Subject != subject {
			t.Fatalf("got %#v; want ECONFLICT identifier_exists on %s naming %q", e, field, subject)
		}
		ev := lastEvent(t, f, jaga.ActionCreate)
		if ev.Decision != "error:conflict" || ev.Decisions[field] != jaga.Deny(gate.ReasonIdentifierExists) || len(ev.Subjects) != 1 || ev.Subjects[0] != first {
			t.Fatalf("refusal audited as %+v", ev)
		}
	}

	t.Run("NIKOtherName", func(t *testing.T) {
		// The service role may look subjects up by NIK: it learns whose NIK it is.
		_, _, err := create(jaga.RoleService, jaga.PurposeServiceProvision,
			map[string]string{"full_name": "Budi Santoso", "nik": "3273055712859902", "email": "budi@contoh.co.id"})
		wantConflict(t, err, "nik", first)
		if n := count("nik", "3273055712859902"); n != 1 {
			t.Fatalf("%d subjects with the NIK", n)
		}
	})
	t.Run("NIKNoOracle", func(t *testing.T) {
		// Support may not look subjects up by NIK: the 409 does not name the subject.
		_, _, err := create(jaga.RoleSupport, jaga.PurposeServiceProvision,
			map[string]string{"full_name": "Budi Santoso", "nik": "3273055712859902", "email": "budi@contoh.co.id"})
		wantConflict(t, err, "nik", "")
	})
	t.Run("SameNameSamePhone", func(t *testing.T) {
		_, _, err := create(jaga.RoleService, jaga.PurposeServiceProvision,
			map[string]string{"full_name": "  RINA   sari ", "phone": "+62 812 3456 7890"})
		wantConflict(t, err, "phone", first)
		if n := count("phone", "081234567890"); n != 1 {
			t.Fatalf("%d subjects with the phone", n)
		}
	})
	t.Run("SameNameSameEmailSupport", func(t *testing.T) {
		// Support looks subjects up by e-mail (masked): it is told which subject.
		_, _, err := create(jaga.RoleSupport, jaga.PurposeCustomerSupport,
			map[string]string{"full_name": "Rina Sari", "email": "RINA@example.com"})
		wantConflict(t, err, "email", first)
	})
	t.Run("SharedPhoneOtherName", func(t *testing.T) {
		// A family shares a phone: stored, both flagged.
		id, review, err := create(jaga.RoleService, jaga.PurposeServiceProvision,
			map[string]string{"full_name": "Budi Sari", "phone": "0812 3456 7890"})
		if err != nil {
			t.Fatal(err)
		}
		if len(review) != 1 || review[0] != gate.ReasonIdentityConflict {
			t.Errorf("review %v; want identity_conflict", review)
		}
		flags, err := f.g.ReviewFlags(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), jaga.ReviewFlagFilter{Reason: gate.ReasonIdentityConflict})
		if err != nil {
			t.Fatal(err)
		}
		pairs := map[jaga.SubjectID]jaga.SubjectID{}
		for _, fl := range flags {
			pairs[fl.Subject] = fl.Other
		}
		if len(flags) != 2 || pairs[id] != first || pairs[first] != id {
			t.Fatalf("flags %+v; want identity_conflict on both, each naming the other", flags)
		}
		if n := count("phone", "081234567890"); n != 2 {
			t.Fatalf("%d subjects with the phone, want 2", n)
		}
	})
	t.Run("SameNameOtherNIK", func(t *testing.T) {
		// Same name and e-mail but another NIK: two people (the importer's rule), flagged.
		_, review, err := create(jaga.RoleService, jaga.PurposeServiceProvision,
			map[string]string{"full_name": "Rina Sari", "email": "rina@example.com", "nik": "3273055712851234"})
		if err != nil || len(review) != 1 || review[0] != gate.ReasonIdentityConflict {
			t.Fatalf("%v, review %v; want stored with identity_conflict", err, review)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		values := map[string]string{"full_name": "Konkuren Test", "email": "konkuren@contoh.co.id"}
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = create(jaga.RoleService, jaga.PurposeServiceProvision, values)
			}()
		}
		wg.Wait()
		created, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case jaga.ErrorCode(err) == jaga.ECONFLICT:
				conflicts++
			default:
				t.Fatal(err)
			}
		}
		if created != 1 || conflicts != 39 || count("email", "konkuren@contoh.co.id") != 1 {
			t.Fatalf("%d created, %d conflicts, %d stored; want 1, 39, 1", created, conflicts, count("email", "konkuren@contoh.co.id"))
		}
	})
}

// lastEvent returns the newest audit event of action.
func lastEvent(t *testing.T, f *fixture, action string) *jaga.AuditEvent {
	t.Helper()
	evs, err := f.g.AuditLog(context.Background(), f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatalf("no %s event", action)
	}
	return evs[len(evs)-1]
}
