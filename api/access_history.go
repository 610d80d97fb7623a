package api

import (
	"net/http"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
	"jaga/gate"
)

// accessLabels are the words of the access history, shared with the privacy portal.
var accessLabels = gate.AccessLabels

// accessLang picks "id" or "en": ?lang= first, then the first of those two in
// Accept-Language (by order, q-values aside), else Bahasa Indonesia.
func accessLang(r *http.Request) (string, error) {
	if l := r.URL.Query().Get("lang"); l != "" {
		if accessLabels[l] == nil {
			return "", queryError("lang", "lang must be id or en")
		}
		return l, nil
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if accessLabels[base] != nil {
			return base, nil
		}
	}
	return "id", nil
}

// accessEntryView is one use of the subject's data: date, staff role (never the name),
// action, purpose and fields, each code with its label in the chosen language. With
// ?download=1 it carries the record and proofs (base64).
type accessEntryView struct {
	Seq          int64            `json:"seq"`
	Time         time.Time        `json:"time"`
	Role         string           `json:"role"`
	RoleLabel    string           `json:"role_label"`
	Action       string           `json:"action"`
	ActionLabel  string           `json:"action_label"`
	Purpose      string           `json:"purpose,omitempty"`
	PurposeLabel string           `json:"purpose_label,omitempty"`
	Fields       []string         `json:"fields"`
	Decision     string           `json:"decision"`
	Record       []byte           `json:"record,omitempty"`
	LeafHash     *tlog.Hash       `json:"leaf_hash,omitempty"`
	Proof        tlog.RecordProof `json:"proof,omitempty"`
	SubjectPos   *int             `json:"subject_position,omitempty"`
	SubjectProof tlog.RecordProof `json:"subject_proof,omitempty"`
}

// accessHistory handles GET /v1/subjects/{id}/access-history?lang=&after=&limit=&download=:
// the uses of a subject's data (UU PDP Art 32, R-29), for answering the subject's
// request (purpose dsr). With download=1 the response is an attachment with the
// verifier key, the checkpoint, and for each entry its record and inclusion proof.
func (h *Handler) accessHistory(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	lang, err := accessLang(r)
	var after, limit int64
	if err == nil {
		after, err = queryInt(r, "after", 0, 0)
	}
	if err == nil {
		limit, err = queryInt(r, "limit", 100, 1000)
	}
	download := false
	if err == nil {
		switch r.URL.Query().Get("download") {
		case "", "0", "false":
		case "1", "true":
			download = true
		default:
			err = queryError("download", "download must be 1 or 0")
		}
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	hist, err := h.gate.AccessHistory(r.Context(), gate.AccessHistoryRequest{Request: req, Subject: id, After: after, Limit: int(limit), Proofs: download})
	if err != nil {
		h.error(w, r, err)
		return
	}
	labels := accessLabels[lang]
	label := func(code string) string {
		if l, ok := labels[code]; ok {
			return l
		}
		return code
	}
	out := struct {
		Subject    jaga.SubjectID    `json:"subject"`
		Lang       string            `json:"lang"`
		Entries    []accessEntryView `json:"entries"`
		NextAfter  int64             `json:"next_after"`
		Key        string            `json:"verifier_key,omitempty"`
		Checkpoint *checkpointView   `json:"checkpoint,omitempty"`
	}{Subject: id, Lang: lang, Entries: []accessEntryView{}, NextAfter: hist.NextAfter}
	for _, e := range hist.Entries {
		v := accessEntryView{Seq: e.Seq, Time: e.Time.UTC(), Role: string(e.Role), RoleLabel: gate.WhoLabel(lang, e.Role, e.Job),
			Action: e.Action, ActionLabel: label(e.Action), Purpose: e.Purpose, Fields: e.Fields, Decision: e.Decision}
		if e.Purpose != "" {
			v.PurposeLabel = label(e.Purpose)
		}
		if v.Fields == nil {
			v.Fields = []string{}
		}
		if e.Record != nil {
			leaf := tlog.RecordHash(e.Record)
			v.Record, v.LeafHash, v.Proof = e.Record, &leaf, nonNilProof(e.Proof)
			if e.SubjectProof != nil {
				pos := e.SubjectPos
				v.SubjectPos, v.SubjectProof = &pos, e.SubjectProof
			}
		}
		out.Entries = append(out.Entries, v)
	}
	if download {
		out.Key = h.gate.AuditLogOf().VerifierKey()
		if hist.Checkpoint != nil {
			out.Checkpoint = viewCheckpoint(hist.Checkpoint)
		}
		w.Header().Set("Content-Disposition", `attachment; filename="access-history-`+string(id)+`.json"`)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
