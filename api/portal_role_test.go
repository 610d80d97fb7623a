package api_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/portal"
)

// TestAccessHistoryPortalSignIn: the portal's sign-in look-up is listed in the access
// history as role portal with the label of the customer's own sign-in, in both
// languages (UU PDP Art 32, R-29), and an API key can never act as the portal.
func TestAccessHistoryPortalSignIn(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	f := e.seed(t)
	if _, err := e.gate.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: portal.Actor, Purpose: jaga.PurposeDSR},
		Field: "email", Value: jaga.Redact(sitiEmail), Fields: []string{"email", "phone"}}); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"id": "Portal privasi — saat Anda masuk", "en": "Privacy portal — your sign-in"} {
		var h struct {
			Entries []struct {
				Role      string
				RoleLabel string `json:"role_label"`
				Action    string
			}
		}
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/access-history?lang=" + lang, key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR}).
			want(t, 200).decode(t, &h)
		found := false
		for _, en := range h.Entries {
			if en.Action == jaga.ActionFind {
				found = true
				if en.Role != string(jaga.RolePortal) || en.RoleLabel != want {
					t.Errorf("lang %s: sign-in look-up shown as %s %q, want portal %q", lang, en.Role, en.RoleLabel, want)
				}
			}
		}
		if !found {
			t.Fatalf("lang %s: no look-up in %+v", lang, h.Entries)
		}
	}

	// A key whose actor row says role portal (written by hand) is refused as unknown.
	key := gate.APIKeyPrefix + "portalportalportalportalportalportalportal1"
	sum := sha256.Sum256([]byte(key))
	a := &jaga.Actor{ID: "act_0000000000000000000000000000beef", Name: "forged portal", Kind: jaga.ActorService, Role: jaga.RolePortal, KeyHash: sum[:], CreatedAt: time.Now().UTC()}
	if err := e.store.Update(ctx, func(tx jaga.Tx) error { return tx.CreateActor(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: key, purpose: jaga.PurposeDSR, body: map[string]string{"email": sitiEmail}}).want(t, 401)
}
