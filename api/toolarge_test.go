package api_test

import (
	"net/http"
	"strings"
	"testing"

	"jaga"
)

// TestBodyTooLarge: a body over the limit is 413 Content Too Large as a problem
// document (validated against openapi.yaml) on every operation that takes a body, not a
// 400 that reads like a malformed request; nothing of it is echoed.
func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	big := `{"note": "` + strings.Repeat("pic_", 17<<10) + `"}`
	e.secrets = append(e.secrets, "pic_pic_")
	for _, op := range bodyOperations(t, f) {
		method, path, _ := strings.Cut(op, " ")
		r := e.do(t, call{method: method, path: path, key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR, body: big})
		if r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d %s; want 413", op, r.status, r.body)
			continue
		}
		if p := r.problem(t); p.Type != "urn:jaga:problem:"+jaga.EINVALID || !strings.Contains(p.Detail, "larger than") {
			t.Errorf("%s: problem %+v", op, p)
		}
	}
}
