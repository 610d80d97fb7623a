package api

import (
	"net/http"

	"jaga"
	"jaga/gate"
)

// resolveTokenRequest is the body of POST /v1/tokens/resolve. The token goes in the
// body, never in the URL (access logs keep URLs).
type resolveTokenRequest struct {
	Token string `json:"token"`
}

// resolveTokenResponse is its answer: the kind, the value the token stands for and the
// subject it belongs to when Jaga knows it.
type resolveTokenResponse struct {
	Token   string         `json:"token"`
	Kind    string         `json:"kind"`
	Value   string         `json:"value"`
	Subject jaga.SubjectID `json:"subject,omitempty"`
}

// resolveToken handles POST /v1/tokens/resolve: 200 with the value behind a redaction
// token (issue 8) for the dpo or support, under customer_support, legal_obligation or
// dsr, with a Jaga-Reason; the gate audits it (gate.ResolveToken).
func (h *Handler) resolveToken(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var body resolveTokenRequest
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	res, err := h.gate.ResolveToken(r.Context(), req, body.Token)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, &resolveTokenResponse{Token: body.Token, Kind: res.Kind, Value: res.Value.Value(), Subject: res.Subject})
}
