package api

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPI is the OpenAPI 3.0 document of the API (openapi.yaml), embedded at build time.
//
//go:embed openapi.yaml
var openAPI []byte

var openAPILength = []string{strconv.Itoa(len(openAPI))}

// serveOpenAPI handles GET /v1/openapi.yaml. It needs no API key: the document holds no
// data.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd["Content-Type"] = []string{"application/yaml"}
	hd["Content-Length"] = openAPILength
	hd["Cache-Control"] = []string{"public, max-age=300"}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(openAPI)
	}
}
