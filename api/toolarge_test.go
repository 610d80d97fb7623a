package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"jaga"
)

// TestBodyTooLarge: a body over the limit is 413 Content Too Large as a problem
// document (validated against openapi.yaml) on every operation that takes a body, not a
// 400 that reads like a malformed request; nothing of it is echoed.
func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths.Map() {
		if strings.HasPrefix(path, "/v1/intake/") {
			continue // the intake package's routes, tested there
		}
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				ops = append(ops, method+" "+path)
			}
		}
	}
	sort.Strings(ops)
	if len(ops) < 14 {
		t.Fatalf("only %d operations with a body: %v", len(ops), ops)
	}
	big := `{"note": "` + strings.Repeat("pic_", 17<<10) + `"}`
	e.secrets = append(e.secrets, "pic_pic_")
	fill := strings.NewReplacer("{id}", string(f.siti), "{purpose}", jaga.PurposeCrossSelling, "{version}", "notice-id-v1")
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		path = fill.Replace(path)
		switch {
		case strings.HasPrefix(path, "/v1/dsr/"):
			path = strings.Replace(path, string(f.siti), "dsr_"+strings.Repeat("0", 32), 1)
		case strings.HasPrefix(path, "/v1/review-flags/"):
			path = strings.Replace(path, string(f.siti), "1", 1)
		}
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
