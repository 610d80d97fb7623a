package api

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"jaga"
	"jaga/gate"
)

// auditResponse is the body of GET /v1/audit. NextAfter is the sequence number to pass
// as ?after= for the next page (the last event's, or the given after when the page is
// empty).
type auditResponse struct {
	Events    []auditEventView `json:"events"`
	NextAfter int64            `json:"next_after"`
}

// auditEventView is one audit event with its hashes hex-encoded. It holds no value
// (invariant 6): subject IDs, field names and decisions only.
type auditEventView struct {
	Seq             int64                    `json:"seq"`
	Time            time.Time                `json:"time"`
	ActorID         string                   `json:"actor_id"`
	Role            jaga.Role                `json:"role"`
	Action          string                   `json:"action"`
	Purpose         string                   `json:"purpose,omitempty"`
	Reason          string                   `json:"reason,omitempty"`
	Subjects        []jaga.SubjectID         `json:"subjects,omitempty"`
	FieldsRequested []string                 `json:"fields_requested,omitempty"`
	FieldsReturned  []string                 `json:"fields_returned,omitempty"`
	Decision        string                   `json:"decision"`
	Decisions       map[string]jaga.Decision `json:"decisions,omitempty"`
	RequestID       string                   `json:"request_id,omitempty"`
	Count           int                      `json:"count,omitempty"`
	PrevHash        string                   `json:"prev_hash"`
	Hash            string                   `json:"hash"`
}

// listAudit handles GET /v1/audit?subject=&actor=&action=&after=&limit=: 200 with a page
// of events in sequence order. Only the auditor and dpo roles may read it (the gate
// refuses others); Jaga-Purpose is optional and defaults to security.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, req gate.Request) {
	f, err := auditFilter(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	evs, err := h.gate.AuditLog(r.Context(), req, f)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := &auditResponse{Events: make([]auditEventView, len(evs)), NextAfter: f.AfterSeq}
	for i, ev := range evs {
		out.Events[i] = auditView(ev)
		out.NextAfter = ev.Seq
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// auditFilter parses the query of GET /v1/audit. Errors are EUNPROCESSABLE naming the
// parameter. The subject filter must be a subject ID: the gate records it in the audit
// event of the read, which must never hold anything else (invariant 6).
func auditFilter(r *http.Request) (jaga.AuditFilter, error) {
	q := r.URL.Query()
	var f jaga.AuditFilter
	if s := q.Get("subject"); s != "" {
		id, err := jaga.ParseSubjectID(s)
		if err != nil {
			return f, jaga.FieldError("subject", "subject must be sub_ followed by 32 hex digits")
		}
		f.Subject = id
	}
	if s := q.Get("actor"); s != "" {
		if !jaga.ValidName(s) {
			return f, jaga.FieldError("actor", "actor must be an actor ID such as act_…")
		}
		f.ActorID = s
	}
	if s := q.Get("action"); s != "" {
		if !jaga.ValidName(s) {
			return f, jaga.FieldError("action", "action must be an audit action such as read")
		}
		f.Action = s
	}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return f, jaga.FieldError("after", "after must be a sequence number (0 or more)")
		}
		f.AfterSeq = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return f, jaga.FieldError("limit", "limit must be between 1 and 1000")
		}
		f.Limit = n
	}
	return f, nil
}

// auditView is the API view of one audit event.
func auditView(ev *jaga.AuditEvent) auditEventView {
	return auditEventView{Seq: ev.Seq, Time: ev.Time.UTC(), ActorID: ev.ActorID, Role: ev.Role, Action: ev.Action,
		Purpose: ev.Purpose, Reason: ev.Reason, Subjects: ev.Subjects, FieldsRequested: ev.FieldsRequested,
		FieldsReturned: ev.FieldsReturned, Decision: ev.Decision, Decisions: ev.Decisions, RequestID: ev.RequestID,
		Count: ev.Count, PrevHash: hex.EncodeToString(ev.PrevHash), Hash: hex.EncodeToString(ev.Hash)}
}
