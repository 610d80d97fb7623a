package api

import (
	"net/http"
	"strconv"

	"jaga"
	"jaga/gate"
)

// The review desk: GET /v1/review-flags lists the flags identity resolution and intake
// raised, POST /v1/review-flags/{id}/resolve closes one (gate.ReviewFlags,
// gate.ResolveReviewFlag).

// reviewFlagsResponse is the body of GET /v1/review-flags. NextAfter is the ID to pass
// as ?after= for the next page (the last flag's, or the given after when the page is
// empty).
type reviewFlagsResponse struct {
	Flags     []*jaga.ReviewFlag `json:"flags"`
	NextAfter int64              `json:"next_after"`
}

// resolveFlagRequest is the body of POST /v1/review-flags/{id}/resolve.
type resolveFlagRequest struct {
	Resolution jaga.ReviewResolution `json:"resolution"`
	Note       string                `json:"note,omitempty"`
}

// resolveFlagResponse is its answer: the flags closed, the one asked first (an
// identity_conflict closes its partner on the other subject too).
type resolveFlagResponse struct {
	Resolved []*jaga.ReviewFlag `json:"resolved"`
}

// listReviewFlags handles GET /v1/review-flags?state=&subject=&reason=&after=&limit=:
// 200 with a page of flags by ID (open ones by default). Errors: as gate.ReviewFlags;
// a malformed parameter is 400 naming it (queryError).
func (h *Handler) listReviewFlags(w http.ResponseWriter, r *http.Request, req gate.Request) {
	q := r.URL.Query()
	f := jaga.ReviewFlagFilter{State: q.Get("state"), Reason: q.Get("reason")}
	var err error
	if s := q.Get("subject"); s != "" {
		if f.Subject, err = jaga.ParseSubjectID(s); err != nil {
			// The raw value never reaches the gate's audit event (invariant 6).
			h.error(w, r, queryError("subject", "subject must be sub_ followed by 32 hex digits"))
			return
		}
	}
	if f.Reason != "" && !gate.ValidReviewReason(f.Reason) {
		h.error(w, r, queryError("reason", "reason must be a review reason code such as identity_conflict"))
		return
	}
	if f.After, err = queryInt(r, "after", 0, 0); err != nil {
		h.error(w, r, err)
		return
	}
	n, err := queryInt(r, "limit", 100, 1000)
	if err == nil && n < 1 {
		err = queryError("limit", "limit must be between 1 and 1000")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	f.Limit = int(n)
	flags, err := h.gate.ReviewFlags(r.Context(), req, f)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := &reviewFlagsResponse{Flags: flags, NextAfter: f.After}
	if out.Flags == nil {
		out.Flags = []*jaga.ReviewFlag{}
	}
	for _, fl := range flags {
		out.NextAfter = fl.ID
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// resolveReviewFlag handles POST /v1/review-flags/{id}/resolve with {"resolution",
// "note"}: 200 with the flags closed; 404 for an unknown flag (or an {id} that is no
// flag ID), 409 for one resolved already, 422 for a resolution outside the closed set
// or a note that holds personal data. Every call that reaches the gate is audited.
func (h *Handler) resolveReviewFlag(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.error(w, r, jaga.Errorf(jaga.ENOTFOUND, "review flag not found"))
		return
	}
	var body resolveFlagRequest
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	flags, err := h.gate.ResolveReviewFlag(r.Context(), req, id, body.Resolution, body.Note)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, &resolveFlagResponse{Resolved: flags})
}
