package gate_test

import (
	"context"
	"testing"

	"jaga"
	"jaga/gate"
)

func TestRemovesLastIdentifier(t *testing.T) {
	all := func(string) bool { return true }
	only := func(fs ...string) func(string) bool {
		return func(f string) bool {
			for _, x := range fs {
				if x == f {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		name   string
		has    func(string) bool
		set    map[string]string
		remove []string
		want   string
	}{
		{"RemoveAll", all, nil, []string{"nik", "email", "phone"}, "nik"},
		{"BlankAll", all, map[string]string{"email": "", "phone": " ", "nik": ""}, nil, "nik"},
		{"RemoveTwoOfThree", all, nil, []string{"email", "phone"}, ""},
		{"RemoveTheOnlyOne", only("phone"), nil, []string{"phone"}, "phone"},
		{"RemoveMissingToo", only("email"), nil, []string{"email", "nik"}, "email"},
		{"ReplaceKeeps", only("phone"), map[string]string{"email": "a@example.com"}, []string{"phone"}, ""},
		{"NoneBefore", only(), nil, []string{"email"}, ""},
		{"OtherField", only("email"), map[string]string{"address": ""}, []string{"domicile_city"}, ""},
	} {
		if got := gate.RemovesLastIdentifier(tc.has, tc.set, tc.remove); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestUpdateKeepsIdentifier: the gate refuses, for every caller (API, CLI, request
// desk), an update that leaves a subject without email, phone and nik, naming the last
// one removed; the refusal is audited and nothing is stored.
func TestUpdateKeepsIdentifier(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	sub := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	dpo := f.req(jaga.RoleDPO, jaga.PurposeDSR)
	err := f.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: sub, Remove: []string{"email", "phone", "nik"}})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "nik" {
		t.Fatalf("removing every identifier: %v", err)
	}
	err = f.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: sub, Set: map[string]string{"email": "", "phone": "", "domicile_city": "Kota Malang"}, Remove: []string{"nik"}})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "nik" {
		t.Fatalf("blanking every identifier: %v", err)
	}
	rec, err := f.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"email", "phone", "nik"} {
		if rec.Values[name] == "" {
			t.Errorf("%s removed by a refused update", name)
		}
	}
	if rec.Values["domicile_city"] != "Kota Bandung" {
		t.Errorf("domicile_city %q changed by a refused update", rec.Values["domicile_city"])
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionUpdate, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Decision != "error:"+jaga.EUNPROCESSABLE || evs[1].Decision != "error:"+jaga.EUNPROCESSABLE {
		t.Fatalf("update events %+v", evs)
	}
	if err := f.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: sub, Remove: []string{"email", "nik"}}); err != nil {
		t.Fatalf("removing two of three: %v", err)
	}
}

// TestCreateNeedsIdentifier: as intake does, the gate refuses to create a subject with
// none of email, phone and nik (422 naming email; audited, nothing stored), and creates
// one that has any of them.
func TestCreateNeedsIdentifier(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	dpo := f.req(jaga.RoleDPO, jaga.PurposeDSR)
	_, err := f.g.Create(ctx, gate.CreateRequest{Request: dpo, Values: map[string]string{"full_name": "Rina Sari", "domicile_city": "Kota Malang"}})
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "email" {
		t.Fatalf("create without an identifier: %v", err)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionCreate, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Decision != "error:"+jaga.EUNPROCESSABLE || len(evs[0].Subjects) != 0 {
		t.Fatalf("create events %+v", evs)
	}
	if _, err := f.g.Create(ctx, gate.CreateRequest{Request: dpo, Values: map[string]string{"full_name": "Rina Sari", "phone": "0812-3456-7890"}}); err != nil {
		t.Fatalf("create with a phone only: %v", err)
	}
}
