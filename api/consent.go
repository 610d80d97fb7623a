package api

import (
	"net/http"
	"strconv"
	"time"

	"jaga"
	"jaga/gate"
)

// consentsResponse is the body of GET /v1/subjects/{id}/consents. At is set when the
// records are those in force at a time (?at=).
type consentsResponse struct {
	Subject  jaga.SubjectID `json:"subject"`
	At       *time.Time     `json:"at,omitempty"`
	Consents []consentView  `json:"consents"`
}

// consentView is one consent record (proof of consent, UU PDP Art 24, R-9): UTC and
// local time, channel, notice version and the evidence references, never a value.
type consentView struct {
	Purpose       string             `json:"purpose"`
	Status        jaga.ConsentStatus `json:"status"`
	Flag          string             `json:"flag,omitempty"`
	NoticeVersion string             `json:"notice_version,omitempty"`
	Channel       jaga.Channel       `json:"channel"`
	Evidence      string             `json:"evidence,omitempty"`
	At            time.Time          `json:"at"`
	AtLocal       string             `json:"at_local,omitempty"`
	RecordedAt    time.Time          `json:"recorded_at"`
	jaga.ConsentDetails
}

func viewConsent(c *jaga.Consent) consentView {
	v := consentView{Purpose: c.Purpose, Status: c.Status, Flag: c.Flag, NoticeVersion: c.NoticeVersion,
		Channel: c.Channel, Evidence: c.Evidence, At: c.At.UTC(), RecordedAt: c.RecordedAt.UTC(), ConsentDetails: c.ConsentDetails}
	if c.Zone != "" {
		v.AtLocal = c.Local().Format(time.RFC3339)
	}
	return v
}

// listConsents handles GET /v1/subjects/{id}/consents: 200 with the subject's consent
// records, oldest first; with ?at=<RFC 3339 time>, the record in force at that time for
// each purpose.
func (h *Handler) listConsents(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := &consentsResponse{Subject: id}
	var cs []*jaga.Consent
	if s := r.URL.Query().Get("at"); s != "" {
		at, perr := time.Parse(time.RFC3339, s)
		if perr != nil {
			h.error(w, r, &jaga.Error{Code: jaga.EINVALID, Field: "at", Message: "at must be an RFC 3339 time with zone"})
			return
		}
		at = at.UTC()
		out.At = &at
		cs, err = h.gate.ConsentsAt(r.Context(), req, id, at)
	} else {
		cs, err = h.gate.Consents(r.Context(), req, id)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	out.Consents = make([]consentView, len(cs))
	for i, c := range cs {
		out.Consents[i] = viewConsent(c)
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// consentRequest is the body of POST /v1/subjects/{id}/consents: one purpose per
// request.
type consentRequest struct {
	Purpose       string             `json:"purpose"`
	Status        jaga.ConsentStatus `json:"status"`
	Channel       jaga.Channel       `json:"channel"`
	NoticeVersion string             `json:"notice_version"`
	Evidence      string             `json:"evidence"`
	At            *time.Time         `json:"at"`
	GivenBy       string             `json:"given_by"`
	Guardian      jaga.SubjectID     `json:"guardian"`
	Collector     string             `json:"collector"`
	Zone          string             `json:"zone"`
	TextHash      string             `json:"text_hash"`
	SourceHash    string             `json:"source_hash"`
	SourceRow     int                `json:"source_row"`
	ScanHash      string             `json:"scan_hash"`
}

// consentResult is the body of a 201 from POST /v1/subjects/{id}/consents.
type consentResult struct {
	Consent    consentView   `json:"consent"`
	Counts     bool          `json:"counts"`
	Receipt    *gate.Receipt `json:"receipt"`
	Withdrawal *withdrawal   `json:"withdrawal,omitempty"`
}

// withdrawal says what happens to the data after a withdrawal.
type withdrawal struct {
	Kept      map[string][]gate.KeptBy `json:"kept"`
	Scheduled *jaga.ScheduledDeletion  `json:"scheduled_deletion,omitempty"`
}

// recordConsent handles POST /v1/subjects/{id}/consents: 201 with the record, whether
// it counts, its signed receipt and, for a withdrawal, the bases that keep data and the
// deletion scheduled for the rest. The browser's User-Agent is kept as device evidence
// and Sec-GPC: 1 flags a given consent invalid:gpc. An at that is given must lie within
// jaga.CheckRecordTime's bounds (422 naming at); null or absent is now.
func (h *Handler) recordConsent(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var b consentRequest
	if err := h.decode(w, r, &b); err != nil {
		h.error(w, r, err)
		return
	}
	var at time.Time
	if b.At != nil {
		// Checked here as well as in the gate, which takes the zero time (year 0001,
		// as sent) for no time and would record the consent as given now.
		if err := jaga.CheckRecordTime("at", *b.At, h.gate.Now()); err != nil {
			h.error(w, r, err)
			return
		}
		at = *b.At
	}
	in := gate.ConsentInput{Purpose: b.Purpose, Status: b.Status, NoticeVersion: b.NoticeVersion, Evidence: b.Evidence, At: at,
		GPC: r.Header.Get("Sec-GPC") == "1",
		Details: jaga.ConsentDetails{GivenBy: b.GivenBy, Guardian: b.Guardian, Collector: b.Collector, Zone: b.Zone,
			TextHash: b.TextHash, SourceHash: b.SourceHash, SourceRow: b.SourceRow, ScanHash: b.ScanHash}}
	if b.Channel == jaga.ChannelWebForm {
		in.Details.UserAgent = r.UserAgent()
	}
	res, err := h.gate.RecordConsent(r.Context(), gate.ConsentRequest{Request: req, Subject: id, Channel: b.Channel, Consent: in})
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := &consentResult{Consent: viewConsent(res.Consent), Counts: res.Counts, Receipt: res.Receipt}
	if res.Withdrawal != nil {
		out.Withdrawal = &withdrawal{Kept: res.Withdrawal.Kept, Scheduled: res.Withdrawal.Scheduled}
	}
	h.writeJSON(w, r, http.StatusCreated, out)
}

// consentReceipt handles GET /v1/subjects/{id}/consents/{purpose}/receipt: a signed
// receipt of the consent in force.
func (h *Handler) consentReceipt(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	rc, err := h.gate.Receipt(r.Context(), req, id, r.PathValue("purpose"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, rc)
}

// setGuardian handles PUT /v1/subjects/{id}/guardian {"guardian", "adult_at"}: 204.
func (h *Handler) setGuardian(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var b struct {
		Guardian jaga.SubjectID `json:"guardian"`
		AdultAt  time.Time      `json:"adult_at"`
	}
	if err := h.decode(w, r, &b); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.gate.SetGuardian(r.Context(), req, id, b.Guardian, b.AdultAt); err != nil {
		h.error(w, r, err)
		return
	}
	w.Header()["Cache-Control"] = cacheNoStore
	w.WriteHeader(http.StatusNoContent)
}

// listSubjects handles GET /v1/subjects with Jaga-Purpose: the IDs of the subjects with
// a valid basis for that purpose, streamed as JSON Lines
// (application/x-ndjson), one {"id": "sub_…"} per line, computed in the database. A
// failure after the first line cannot change the status: the stream then ends with a
// line {"error": "<problem type>"} so that a client can tell a cut list from a whole
// one, and a whole one ends with {"count": N}.
func (h *Handler) listSubjects(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var buf []byte
	st := newNDJSONStream(w, true)
	n, err := h.gate.ListSubjects(r.Context(), req, func(id jaga.SubjectID) error {
		st.start()
		buf = append(buf, `{"id":"`...)
		buf = append(buf, id...)
		buf = append(buf, "\"}\n"...)
		if len(buf) >= 32<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
			st.flush()
		}
		return nil
	})
	if !h.streamStarted(&st, r, err) {
		return
	}
	if err != nil {
		buf = append(buf, `{"error":"`+ProblemOf(err).Type+"\"}\n"...)
	} else {
		buf = append(buf, `{"count":`...)
		buf = strconv.AppendInt(buf, int64(n), 10)
		buf = append(buf, "}\n"...)
	}
	w.Write(buf)
}
