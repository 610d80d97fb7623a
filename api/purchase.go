package api

import (
	"net/http"

	"jaga"
	"jaga/gate"
)

// purchasesResponse is the body of GET /v1/subjects/{id}/purchases.
type purchasesResponse struct {
	Subject   jaga.SubjectID  `json:"subject"`
	Purchases []gate.Purchase `json:"purchases"`
}

// listPurchases handles GET /v1/subjects/{id}/purchases: 200 with the subject's purchase
// lines, when the role and purpose may use purchases and the subject allows it.
func (h *Handler) listPurchases(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	ps, err := h.gate.Purchases(r.Context(), gate.ReadRequest{Request: req, Subject: id})
	if err != nil {
		h.error(w, r, err)
		return
	}
	if ps == nil {
		ps = []gate.Purchase{}
	}
	h.writeJSON(w, r, http.StatusOK, &purchasesResponse{Subject: id, Purchases: ps})
}
