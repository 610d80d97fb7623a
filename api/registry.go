package api

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"path/filepath"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/policy"
)

// The purpose registry, notices, the consent-receipt keys and the policy reload
// (issue 3). Registry documents are metadata: no personal value passes here.

// purposeList is the body of GET /v1/purposes.
type purposeList struct {
	Purposes []*jaga.Purpose `json:"purposes"`
}

// listPurposes handles GET /v1/purposes: 200 with every registered purpose. Any actor
// may read the registry.
func (h *Handler) listPurposes(w http.ResponseWriter, r *http.Request, req gate.Request) {
	h.writeJSON(w, r, http.StatusOK, &purposeList{Purposes: h.gate.Purposes()})
}

// getPurpose handles GET /v1/purposes/{id}.
func (h *Handler) getPurpose(w http.ResponseWriter, r *http.Request, req gate.Request) {
	p, ok := h.gate.Purpose(r.PathValue("id"))
	if !ok {
		h.error(w, r, jaga.Errorf(jaga.ENOTFOUND, "no such purpose"))
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// putPurpose handles PUT /v1/purposes/{id}: registers (201, as a draft) or changes (200)
// a purpose. A change of an active purpose's fields, retention or recipients comes back
// under "pending" until a notice covers it.
func (h *Handler) putPurpose(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var p jaga.Purpose
	if err := h.decode(w, r, &p); err != nil {
		h.error(w, r, err)
		return
	}
	id := r.PathValue("id")
	if p.ID == "" {
		p.ID = id
	}
	if p.ID != id {
		h.error(w, r, jaga.FieldError("id", "the body's id differs from the path's"))
		return
	}
	_, existed := h.gate.Purpose(id)
	out, err := h.gate.PutPurpose(r.Context(), gate.PurposeChange{Request: req, Purpose: p})
	if err != nil {
		h.error(w, r, err)
		return
	}
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
	}
	h.writeJSON(w, r, status, out)
}

// setPurposeStatus handles POST /v1/purposes/{id}/status {"status": …}.
func (h *Handler) setPurposeStatus(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var body struct {
		Status jaga.PurposeStatus `json:"status"`
	}
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	out, err := h.gate.SetPurposeStatus(r.Context(), req, r.PathValue("id"), body.Status)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// recordAssessment handles POST /v1/purposes/{id}/assessments {"kind", "ref", "summary"}.
func (h *Handler) recordAssessment(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var body struct {
		Kind    string `json:"kind"`
		Ref     string `json:"ref"`
		Summary string `json:"summary"`
	}
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	out, err := h.gate.RecordAssessment(r.Context(), req, r.PathValue("id"), body.Kind,
		jaga.Assessment{Ref: body.Ref, Summary: body.Summary, Approved: true})
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// noticeList is the body of GET /v1/notices.
type noticeList struct {
	Notices []*jaga.Notice `json:"notices"`
}

// listNotices handles GET /v1/notices: every notice version, oldest first.
func (h *Handler) listNotices(w http.ResponseWriter, r *http.Request, req gate.Request) {
	h.writeJSON(w, r, http.StatusOK, &noticeList{Notices: h.gate.Notices()})
}

// getNotice handles GET /v1/notices/{version}.
func (h *Handler) getNotice(w http.ResponseWriter, r *http.Request, req gate.Request) {
	n, ok := h.gate.Notice(r.PathValue("version"))
	if !ok {
		h.error(w, r, jaga.Errorf(jaga.ENOTFOUND, "no such notice version"))
		return
	}
	h.writeJSON(w, r, http.StatusOK, n)
}

// createNotice handles POST /v1/notices {"version"}: 201 with a draft generated from the
// registry.
func (h *Handler) createNotice(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var body struct {
		Version string `json:"version"`
	}
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	n, err := h.gate.GenerateNotice(r.Context(), req, body.Version)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, n)
}

// approveNotice handles POST /v1/notices/{version}/approve {"in_force_at"} (optional;
// default now).
func (h *Handler) approveNotice(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var body struct {
		InForceAt time.Time `json:"in_force_at"`
	}
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	n, err := h.gate.ApproveNotice(r.Context(), req, r.PathValue("version"), body.InForceAt)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, n)
}

// jwks is the body of GET /v1/keys (RFC 7517 JWK Set).
type jwks struct {
	Keys []gate.JWK `json:"keys"`
}

// keys handles GET /v1/keys: the public keys that verify consent receipts. It needs no
// API key: a subject verifies their receipt with it.
func (h *Handler) keys(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, r, http.StatusOK, &jwks{Keys: h.gate.JWKS()})
}

// reloadPolicy handles POST /v1/admin/policy/reload: the policy file is read again and,
// if it parses and passes its checks, takes effect for the next decision (204); if not,
// 409 with file name, line, column and reason (reloadProblem) and the old policy stays. The role is checked first
// (403 role_not_allowed, audited), before anything about the configuration is said.
func (h *Handler) reloadPolicy(w http.ResponseWriter, r *http.Request, req gate.Request) {
	if err := h.gate.CheckPolicyReload(r.Context(), req); err != nil {
		h.error(w, r, err)
		return
	}
	if h.reload == nil {
		h.error(w, r, jaga.Errorf(jaga.ENOTFOUND, "this server has no policy file to reload"))
		return
	}
	if err := h.reload(r.Context(), req); err != nil {
		h.error(w, r, reloadProblem(err))
		return
	}
	w.Header()["Cache-Control"] = cacheNoStore
	w.WriteHeader(http.StatusNoContent)
}

// reloadProblem turns the error of a reload the caller was allowed to ask for into one
// that says the server's configuration is at fault, not the request: a policy file
// that does not parse or check, or cannot be read, is ECONFLICT (409: the file on the
// server conflicts with the reload) naming the file by its base name only (the server's
// directories are not the caller's business; the server's log and `jaga serve` keep
// the full path) with line, column and reason; any other EINVALID of the reloader (no
// policy file configured) is ECONFLICT with its message. Other errors pass unchanged.
func reloadProblem(err error) error {
	if fe := (*policy.FileError)(nil); errors.As(err, &fe) {
		return jaga.Errorf(jaga.ECONFLICT, "the server's policy file is not valid and the policy in force stays: %s", fe.Base())
	}
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return jaga.Errorf(jaga.ECONFLICT, "the server's policy file %s cannot be read (%s) and the policy in force stays",
			filepath.Base(pe.Path), pe.Err)
	}
	if jaga.ErrorCode(err) == jaga.EINVALID {
		return jaga.Errorf(jaga.ECONFLICT, "%s", jaga.ErrorMessage(err))
	}
	return err
}

// PolicyReloader reloads the policy file for the actor of req (Options.ReloadPolicy).
type PolicyReloader func(ctx context.Context, req gate.Request) error

// registerConsent adds the routes of issue 3.
func (h *Handler) registerConsent(mux *http.ServeMux) {
	mux.Handle("GET /v1/purposes", h.authed(h.purposeFree(h.listPurposes)))
	mux.Handle("GET /v1/purposes/{id}", h.authed(h.purposeFree(h.getPurpose)))
	mux.Handle("PUT /v1/purposes/{id}", h.authed(h.putPurpose))
	mux.Handle("POST /v1/purposes/{id}/status", h.authed(h.setPurposeStatus))
	mux.Handle("POST /v1/purposes/{id}/assessments", h.authed(h.recordAssessment))
	mux.Handle("GET /v1/notices", h.authed(h.purposeFree(h.listNotices)))
	mux.Handle("POST /v1/notices", h.authed(h.createNotice))
	mux.Handle("GET /v1/notices/{version}", h.authed(h.purposeFree(h.getNotice)))
	mux.Handle("POST /v1/notices/{version}/approve", h.authed(h.approveNotice))
	mux.Handle("POST /v1/subjects/{id}/consents", h.authed(h.recordConsent))
	mux.Handle("GET /v1/subjects/{id}/consents/{purpose}/receipt", h.authed(h.consentReceipt))
	mux.Handle("PUT /v1/subjects/{id}/guardian", h.authed(h.setGuardian))
	mux.Handle("GET /v1/subjects", h.authed(h.listSubjects))
	mux.Handle("POST /v1/admin/policy/reload", h.authed(h.purposeFree(h.reloadPolicy)))
	mux.HandleFunc("GET /v1/keys", h.keys)
}
