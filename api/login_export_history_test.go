package api_test

import (
	"context"
	"testing"

	"jaga"
	"jaga/gate"
)

// TestAccessHistoryLoginExport: the customer's sign-in (action login) and an export of
// their data as a file (action export) appear in their access history with the words
// for them in Bahasa Indonesia and English (UU PDP Art 32, R-29).
func TestAccessHistoryLoginExport(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	ctx := context.Background()
	if err := e.gate.Login(ctx, gate.Request{Actor: jaga.SubjectActor(f.budi), Purpose: jaga.PurposeDSR}, f.budi); err != nil {
		t.Fatal(err)
	}
	if _, err := e.desk.ExportFile(ctx, e.actors[jaga.RoleDPO], f.budi, "json"); err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Role, Action, Decision string
		RoleLabel              string   `json:"role_label"`
		ActionLabel            string   `json:"action_label"`
		Fields                 []string `json:"fields"`
	}
	want := map[string]map[string][2]string{ // lang → action → role label, action label
		"id": {jaga.ActionLogin: {"Anda sendiri", "masuk"}, jaga.ActionExport: {"pejabat pelindungan data", "mengekspor data"}},
		"en": {jaga.ActionLogin: {"you", "signed in"}, jaga.ActionExport: {"data protection officer", "exported data"}},
	}
	for lang, actions := range want {
		var h struct{ Entries []entry }
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi) + "/access-history?lang=" + lang, key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR}).want(t, 200).decode(t, &h)
		seen := map[string]bool{}
		for _, en := range h.Entries {
			w, ok := actions[en.Action]
			if !ok {
				continue
			}
			seen[en.Action] = true
			if en.RoleLabel != w[0] || en.ActionLabel != w[1] || en.Decision != "allow" {
				t.Errorf("%s: %s shown as %+v", lang, en.Action, en)
			}
			if en.Action == jaga.ActionExport && len(en.Fields) == 0 {
				t.Errorf("%s: the export names no fields", lang)
			}
		}
		if len(seen) != len(actions) {
			t.Fatalf("%s: history shows %v of login and export", lang, seen)
		}
	}
}
