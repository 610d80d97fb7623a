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

// streamStarted ends the producing phase of st: an error before the first line is
// answered as a problem (and streamStarted reports false); otherwise the status and
// headers are sent if no line was, and the caller may write a closing line.
func (h *Handler) streamStarted(st *ndjsonStream, r *http.Request, err error) bool {
	if err != nil && !st.started {
		h.error(st.w, r, err)
		return false
	}
	st.start()
	return true
}
