package api

import (
	"net/http"
	"slices"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// The request desk's routes (/v1/dsr…), registered when Options.Desk is set. The
// register is for the dpo role (handling) and the auditor (reading); every change goes
// through the desk, which writes one audit event per step through the gate.

func (h *Handler) registerDSR(mux *http.ServeMux) {
	if h.desk == nil {
		return
	}
	mux.Handle("GET /v1/dsr", h.authed(h.purposeFree(h.listDSR)))
	mux.Handle("POST /v1/dsr", h.authed(h.purposeFree(h.createDSR)))
	mux.Handle("GET /v1/dsr/{id}", h.authed(h.purposeFree(h.showDSR)))
	mux.Handle("GET /v1/dsr/{id}/timeline", h.authed(h.purposeFree(h.timelineDSR)))
	mux.Handle("POST /v1/dsr/{id}/approve", h.authed(h.purposeFree(h.approveDSR)))
	mux.Handle("POST /v1/dsr/{id}/refuse", h.authed(h.purposeFree(h.refuseDSR)))
	mux.Handle("POST /v1/dsr/{id}/fulfil", h.authed(h.purposeFree(h.fulfilDSR)))
}

// deskRole refuses roles other than dpo (and auditor when reading), with an audit
// event as the gate's own refusals have (gate.Refuse; the command line's desk does the
// same).
func (h *Handler) deskRole(r *http.Request, req gate.Request, read bool) error {
	if req.Actor.Role == jaga.RoleDPO || read && req.Actor.Role == jaga.RoleAuditor {
		return nil
	}
	return h.gate.Refuse(r.Context(), req, gate.ActionDSRStep, jaga.Refusal("role_not_allowed", "the request desk is for the dpo role"))
}

// dsrList is the body of GET /v1/dsr.
type dsrList struct {
	Requests []*jaga.DSR `json:"requests"`
}

// listDSR handles GET /v1/dsr?view=open|overdue|due_soon|all&subject=&type=&status=.
func (h *Handler) listDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	if err := h.deskRole(r, req, true); err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	var rs []*jaga.DSR
	var err error
	switch q.Get("view") {
	case "overdue":
		rs, err = h.desk.Overdue(r.Context())
	case "due_soon":
		rs, err = h.desk.DueSoon(r.Context())
	case "", "open", "all":
		f := jaga.DSRFilter{Open: q.Get("view") != "all", Type: jaga.DSRType(q.Get("type")), Status: jaga.DSRStatus(q.Get("status")), Limit: 1000}
		if f.Type != "" && !f.Type.Valid() {
			h.error(w, r, queryError("type", "type must be a request type such as access, rectify or erase"))
			return
		}
		if f.Status != "" && !slices.Contains(dsrStatuses, f.Status) {
			h.error(w, r, queryError("status", "status must be received, awaiting_approval, fulfilled, refused, scheduled or closed"))
			return
		}
		if s := q.Get("subject"); s != "" {
			if f.Subject, err = jaga.ParseSubjectID(s); err != nil {
				h.error(w, r, queryError("subject", "subject must be sub_ followed by 32 hex digits"))
				return
			}
		}
		rs, err = h.desk.List(r.Context(), f)
	default:
		err = queryError("view", "view must be open, overdue, due_soon or all")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if rs == nil {
		rs = []*jaga.DSR{}
	}
	h.writeJSON(w, r, http.StatusOK, &dsrList{Requests: rs})
}

// createDSRRequest is the body of POST /v1/dsr: a request received by e-mail, phone or
// at the store counter and entered by staff. Values are a correction's new
// values (sealed in the request); received_at defaults to now.
type createDSRRequest struct {
	Subject    jaga.SubjectID    `json:"subject"`
	Type       jaga.DSRType      `json:"type"`
	Channel    jaga.DSRChannel   `json:"channel"`
	ReceivedAt *time.Time        `json:"received_at"`
	Purpose    string            `json:"purpose"`
	Values     map[string]string `json:"values"`
}

func (h *Handler) createDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	if err := h.deskRole(r, req, false); err != nil {
		h.error(w, r, err)
		return
	}
	var in createDSRRequest
	if err := h.decode(w, r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if !in.Subject.Valid() {
		h.error(w, r, queryError("subject", "subject must be sub_ followed by 32 hex digits"))
		return
	}
	s := dsr.Submission{Subject: in.Subject, Type: in.Type, Channel: in.Channel, Values: in.Values}
	if in.ReceivedAt != nil {
		// Checked as sent: year 0001 decodes to the zero time, which the desk reads as
		// "not given" (now), and would start the 3×24-hour clock late.
		if in.ReceivedAt.Before(jaga.EarliestRecordTime) {
			h.error(w, r, jaga.FieldError("received_at", "the receipt time is before 1970-01-01T00:00:00Z"))
			return
		}
		s.ReceivedAt = *in.ReceivedAt
	}
	if in.Purpose != "" {
		s.Detail = map[string]string{"purpose": in.Purpose}
	}
	d, err := h.desk.Submit(r.Context(), req.Actor, s)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, d)
}

func (h *Handler) showDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	if err := h.deskRole(r, req, true); err != nil {
		h.error(w, r, err)
		return
	}
	d, err := h.desk.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, d)
}

// timelineDSR handles GET /v1/dsr/{id}/timeline: the request and every audit event of
// it, for a regulator.
func (h *Handler) timelineDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	if err := h.deskRole(r, req, true); err != nil {
		h.error(w, r, err)
		return
	}
	tl, err := h.desk.Timeline(r.Context(), req.Actor, r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := struct {
		Request *jaga.DSR          `json:"request"`
		Events  []*jaga.AuditEvent `json:"events"`
	}{Request: tl.Request, Events: tl.Events}
	if out.Events == nil {
		out.Events = []*jaga.AuditEvent{}
	}
	for _, ev := range out.Events {
		ev.Time = ev.Time.UTC()
	}
	h.writeJSON(w, r, http.StatusOK, &out)
}

func (h *Handler) approveDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	h.deskStep(w, r, req, func() (*jaga.DSR, error) { return h.desk.Approve(r.Context(), req.Actor, r.PathValue("id")) })
}

func (h *Handler) fulfilDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	h.deskStep(w, r, req, func() (*jaga.DSR, error) { return h.desk.Fulfil(r.Context(), req.Actor, r.PathValue("id")) })
}

// refuseDSR handles POST /v1/dsr/{id}/refuse {"refusal_code": "art15_…"|"art33_…"}.
func (h *Handler) refuseDSR(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var in struct {
		RefusalCode string `json:"refusal_code"`
	}
	if err := h.deskRole(r, req, false); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.decode(w, r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	h.deskStep(w, r, req, func() (*jaga.DSR, error) {
		return h.desk.Refuse(r.Context(), req.Actor, r.PathValue("id"), in.RefusalCode)
	})
}

func (h *Handler) deskStep(w http.ResponseWriter, r *http.Request, req gate.Request, step func() (*jaga.DSR, error)) {
	if err := h.deskRole(r, req, false); err != nil {
		h.error(w, r, err)
		return
	}
	d, err := step()
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, d)
}

// dsrStatuses are the statuses ?status= of GET /v1/dsr takes.
var dsrStatuses = []jaga.DSRStatus{jaga.DSRReceived, jaga.DSRAwaitingApproval, jaga.DSRFulfilled, jaga.DSRRefused, jaga.DSRScheduled, jaga.DSRClosed}
