package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/api"
	"jaga/gate"
	"jaga/policy"
)

// TestPolicyReloadServerFileAtFault: a reload whose policy file does not parse, does not
// check against the registry, or cannot be read is the server's fault, not the
// caller's: 409 conflict (never 400 invalid), naming the file by its base name with
// line, column and reason, never the server's directory; the policy in force stays.
func TestPolicyReloadServerFileAtFault(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "etc-jaga-secret-dir")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "policy.yaml")
	reload := func(ctx context.Context, req gate.Request) error {
		if err := e.gate.CheckPolicyReload(ctx, req); err != nil {
			return err
		}
		p, err := policy.Load(path)
		if err != nil {
			return err
		}
		return e.gate.ReloadPolicy(ctx, req, p)
	}
	srv := httptest.NewServer(api.New(e.gate, api.Options{Desk: e.desk, ReloadPolicy: reload}))
	t.Cleanup(srv.Close)
	e.srv, e.client = srv, srv.Client()
	for _, c := range []struct{ name, file, want string }{
		{"BadRule", "version: 1\nroles:\n  support:\n    purposes:\n      customer_support:\n        fields: {nik: maybe}\n",
			"policy.yaml:6:23: "},
		{"UnknownPurpose", "version: 1\nroles:\n  support:\n    purposes:\n      no_such_purpose:\n        fields: {\"*\": allow}\n",
			"policy.yaml:5:7: role support: unknown purpose"},
		{"Missing", "", "policy file policy.yaml cannot be read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(path)
			if c.file != "" {
				if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r := e.do(t, call{method: "POST", path: "/v1/admin/policy/reload", key: e.keys[jaga.RoleAdmin]})
			p := r.wantProblem(t, http.StatusConflict, jaga.ECONFLICT, "", "")
			if !strings.Contains(p.Detail, c.want) {
				t.Errorf("detail %q does not hold %q", p.Detail, c.want)
			}
			if strings.Contains(p.Detail, dir) || strings.Contains(p.Detail, "etc-jaga-secret-dir") {
				t.Errorf("detail %q shows the server's directory", p.Detail)
			}
		})
	}
}
