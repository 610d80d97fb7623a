package api_test

import (
	"net/http"
	"testing"

	"jaga"
)

// TestQueryValuesAre400: a malformed or unknown value of a query parameter is 400
// invalid naming the parameter on every route that takes query parameters, as an
// unknown parameter is (?at=yesterday and ?lang=fr alike).
func TestQueryValuesAre400(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	sub := "/v1/subjects/" + string(f.siti)
	dpo, auditor, support := e.keys[jaga.RoleDPO], e.keys[jaga.RoleAuditor], e.keys[jaga.RoleSupport]
	for _, c := range []struct {
		method, path, key, purpose, param string
	}{
		{"GET", sub + "/consents?at=yesterday", dpo, jaga.PurposeDSR, "at"},
		{"GET", sub + "/access-history?lang=fr", dpo, jaga.PurposeDSR, "lang"},
		{"GET", sub + "/access-history?download=2", dpo, jaga.PurposeDSR, "download"},
		{"GET", sub + "/access-history?limit=x", dpo, jaga.PurposeDSR, "limit"},
		{"GET", sub + "?fields=", support, jaga.PurposeCustomerSupport, "fields"},
		{"GET", "/v1/audit?limit=0", auditor, "", "limit"},
		{"GET", "/v1/audit?subject=x", auditor, "", "subject"},
		{"GET", "/v1/audit/checkpoints?after=-1", auditor, "", "after"},
		{"GET", "/v1/audit/proof/inclusion?seq=0", auditor, "", "seq"},
		{"GET", "/v1/audit/proof/consistency?from=x", auditor, "", "from"},
		{"GET", "/v1/audit/stream?after=x", auditor, "", "after"},
		{"GET", "/v1/dsr?view=later", dpo, "", "view"},
		{"GET", "/v1/dsr?type=delete", dpo, "", "type"},
		{"GET", "/v1/dsr?status=stuck", dpo, "", "status"},
		{"GET", "/v1/dsr?subject=x", dpo, "", "subject"},
		{"GET", "/v1/review-flags?state=closed", support, jaga.PurposeCustomerSupport, "state"},
		{"GET", "/v1/review-flags?limit=0", support, jaga.PurposeCustomerSupport, "limit"},
	} {
		t.Run(c.path, func(t *testing.T) {
			r := e.do(t, call{method: c.method, path: c.path, key: c.key, purpose: c.purpose})
			r.wantProblem(t, http.StatusBadRequest, jaga.EINVALID, c.param, "")
		})
	}
}
