package api

import (
	"net/http"
	"time"

	"jaga"
	"jaga/gate"
)

// consentsResponse is the body of GET /v1/subjects/{id}/consents.
type consentsResponse struct {
	Subject  jaga.SubjectID `json:"subject"`
	Consents []consentView  `json:"consents"`
}

// consentView is one consent record (proof of consent, UU PDP Art 24, R-9). Evidence is
// a reference (notice version, double-opt-in ID, paper form number), never a value.
type consentView struct {
	Purpose       string             `json:"purpose"`
	Status        jaga.ConsentStatus `json:"status"`
	Flag          string             `json:"flag,omitempty"`
	NoticeVersion string             `json:"notice_version,omitempty"`
	Channel       jaga.Channel       `json:"channel"`
	Evidence      string             `json:"evidence,omitempty"`
	At            time.Time          `json:"at"`
	RecordedAt    time.Time          `json:"recorded_at"`
}

// listConsents handles GET /v1/subjects/{id}/consents: 200 with the subject's consent
// records, oldest first.
func (h *Handler) listConsents(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	cs, err := h.gate.Consents(r.Context(), req, id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := &consentsResponse{Subject: id, Consents: make([]consentView, len(cs))}
	for i, c := range cs {
		out.Consents[i] = consentView{Purpose: c.Purpose, Status: c.Status, Flag: c.Flag, NoticeVersion: c.NoticeVersion,
			Channel: c.Channel, Evidence: c.Evidence, At: c.At.UTC(), RecordedAt: c.RecordedAt.UTC()}
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
