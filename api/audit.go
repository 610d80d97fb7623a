package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/gate"
)

// auditResponse is the body of GET /v1/audit. NextAfter is the sequence number to pass
// as ?after= for the next page (the last event's, or the given after when the page is
// empty).
type auditResponse struct {
	Events    []*jaga.AuditEvent `json:"events"`
	NextAfter int64              `json:"next_after"`
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
	out := &auditResponse{Events: evs, NextAfter: f.AfterSeq}
	if out.Events == nil {
		out.Events = []*jaga.AuditEvent{}
	}
	for _, ev := range evs {
		ev.Time = ev.Time.UTC()
		out.NextAfter = ev.Seq
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// auditFilter parses the query of GET /v1/audit. Errors are EINVALID (400) naming the
// parameter (queryError). The subject filter must be a subject ID: the gate records it in the audit
// event of the read, which must never hold anything else (invariant 6).
func auditFilter(r *http.Request) (jaga.AuditFilter, error) {
	q := r.URL.Query()
	var f jaga.AuditFilter
	if s := q.Get("subject"); s != "" {
		id, err := jaga.ParseSubjectID(s)
		if err != nil {
			return f, queryError("subject", "subject must be sub_ followed by 32 hex digits")
		}
		f.Subject = id
	}
	if s := q.Get("actor"); s != "" {
		if !jaga.ValidName(s) {
			return f, queryError("actor", "actor must be an actor ID such as act_…")
		}
		f.ActorID = s
	}
	if s := q.Get("action"); s != "" {
		if !jaga.ValidName(s) {
			return f, queryError("action", "action must be an audit action such as read")
		}
		f.Action = s
	}
	var err error
	if f.AfterSeq, err = queryInt(r, "after", 0, 0); err != nil {
		return f, err
	}
	n, err := queryInt(r, "limit", 0, 1000)
	f.Limit = int(n)
	if err == nil && q.Has("limit") && n < 1 {
		err = queryError("limit", "limit must be between 1 and 1000")
	}
	return f, err
}

// queryInt parses an optional integer query parameter: absent is def; it must be 0 or
// more and, when hi > 0, at most hi. Errors are EINVALID (400) naming the parameter.
func queryInt(r *http.Request, name string, def, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || hi > 0 && n > hi {
		if hi > 0 {
			return 0, queryError(name, "%s must be a whole number from 0 to %d", name, hi)
		}
		return 0, queryError(name, "%s must be a whole number, 0 or more", name)
	}
	return n, nil
}

// auditKey handles GET /v1/audit/key: the checkpoint verifier key in note format
// (text/plain). It is public: anyone may verify checkpoints.
func (h *Handler) auditKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(h.gate.AuditLogOf().VerifierKey() + "\n"))
}

// checkpointView is a signed checkpoint: tree size, when it was written, the note.
type checkpointView struct {
	Size int64     `json:"size"`
	Time time.Time `json:"time"`
	Note string    `json:"note"`
}

func viewCheckpoint(cp *jaga.AuditCheckpoint) *checkpointView {
	return &checkpointView{Size: cp.Size, Time: cp.Time.UTC(), Note: string(cp.Note)}
}

// listCheckpoints handles GET /v1/audit/checkpoints?after=&limit=.
func (h *Handler) listCheckpoints(w http.ResponseWriter, r *http.Request, req gate.Request) {
	after, err := queryInt(r, "after", 0, 0)
	var limit int64
	if err == nil {
		limit, err = queryInt(r, "limit", 100, 1000)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	cps, err := h.gate.AuditCheckpoints(r.Context(), req, after, int(limit))
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := struct {
		Checkpoints []*checkpointView `json:"checkpoints"`
	}{Checkpoints: []*checkpointView{}}
	for _, cp := range cps {
		out.Checkpoints = append(out.Checkpoints, viewCheckpoint(cp))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// inclusionProof handles GET /v1/audit/proof/inclusion?seq=&size=: the event's record
// (base64), its leaf hash, the checkpoint (latest without size) and the proof, checked
// with tlog.CheckRecord(proof, size, root, seq-1, leaf_hash).
func (h *Handler) inclusionProof(w http.ResponseWriter, r *http.Request, req gate.Request) {
	seq, err := queryInt(r, "seq", 0, 0)
	if err == nil && seq < 1 {
		err = queryError("seq", "seq must be an event's sequence number (1 or more)")
	}
	var size int64
	if err == nil {
		size, err = queryInt(r, "size", 0, 0)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	cp, rec, proof, err := h.gate.InclusionProof(r.Context(), req, seq, size)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		Seq        int64            `json:"seq"`
		Record     []byte           `json:"record"`
		LeafHash   tlog.Hash        `json:"leaf_hash"`
		Checkpoint *checkpointView  `json:"checkpoint"`
		Proof      tlog.RecordProof `json:"proof"`
	}{seq, rec.Data, tlog.RecordHash(rec.Data), viewCheckpoint(cp), nonNilProof(proof)})
}

// consistencyProof handles GET /v1/audit/proof/consistency?from=&to=: both stored
// checkpoints and the proof, checked with tlog.CheckTree(proof, to, rootTo, from,
// rootFrom). Without to, the latest checkpoint.
func (h *Handler) consistencyProof(w http.ResponseWriter, r *http.Request, req gate.Request) {
	from, err := queryInt(r, "from", 0, 0)
	if err == nil && from < 1 {
		err = queryError("from", "from must be a checkpoint's size (1 or more)")
	}
	var to int64
	if err == nil {
		to, err = queryInt(r, "to", 0, 0)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	old, cur, proof, err := h.gate.ConsistencyProof(r.Context(), req, from, to)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		From  *checkpointView `json:"from"`
		To    *checkpointView `json:"to"`
		Proof tlog.TreeProof  `json:"proof"`
	}{viewCheckpoint(old), viewCheckpoint(cur), nonNilTree(proof)})
}

func nonNilProof(p tlog.RecordProof) tlog.RecordProof {
	if p == nil {
		return tlog.RecordProof{}
	}
	return p
}

func nonNilTree(p tlog.TreeProof) tlog.TreeProof {
	if p == nil {
		return tlog.TreeProof{}
	}
	return p
}

// streamAudit handles GET /v1/audit/stream?after=: the log as JSON Lines
// (application/x-ndjson), then each new event as it is committed, until the client
// goes away (for a SIEM). Auditor and dpo only; opening the stream is audited.
func (h *Handler) streamAudit(w http.ResponseWriter, r *http.Request, req gate.Request) {
	after, err := queryInt(r, "after", 0, 0)
	if err != nil {
		h.error(w, r, err)
		return
	}
	st := newNDJSONStream(w, false)
	enc := json.NewEncoder(w)
	err = h.gate.TailAudit(r.Context(), req, after, time.Second, func(ev *jaga.AuditEvent) error {
		st.start()
		if err := enc.Encode(ev); err != nil {
			return err
		}
		st.flush()
		return nil
	})
	h.streamStarted(&st, r, err)
}
