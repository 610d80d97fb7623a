package api

import "net/http"

var contentTypeNDJSON = []string{"application/x-ndjson"}

// ndjsonStream is a JSON Lines response (application/x-ndjson) whose status 200 and
// headers go out with the first line, so that a failure before any line still gets a
// problem response with its own status.
type ndjsonStream struct {
	w       http.ResponseWriter
	flusher http.Flusher // nil when w cannot flush
	noStore bool         // send Cache-Control: no-store
	started bool
}

func newNDJSONStream(w http.ResponseWriter, noStore bool) ndjsonStream {
	f, _ := w.(http.Flusher)
	return ndjsonStream{w: w, flusher: f, noStore: noStore}
}

// start sends the status and headers once; later calls do nothing.
func (s *ndjsonStream) start() {
	if s.started {
		return
	}
	hd := s.w.Header()
	hd["Content-Type"] = contentTypeNDJSON
	if s.noStore {
		hd["Cache-Control"] = cacheNoStore
	}
	s.w.WriteHeader(http.StatusOK)
	s.started = true
}

// flush pushes what was written to the client.
func (s *ndjsonStream) flush() {
	if s.flusher != nil {
		s.flusher.Flush()
	}
}
