package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"

	"jaga"
	"jaga/gate"
)

// createSubjectRequest is the body of POST /v1/subjects. Fields holds identity fields,
// Attributes the attributes (schema kind decides which is which); both merge into the
// gate's values. A null value is the same as leaving the member out.
type createSubjectRequest struct {
	Fields      map[string]json.RawMessage `json:"fields"`
	Attributes  map[string]json.RawMessage `json:"attributes"`
	Channel     string                     `json:"channel"`
	CollectedAt string                     `json:"collected_at"`
	Consents    []consentInputRequest      `json:"consents"`
}

// consentInputRequest is one consent collected with a new subject.
type consentInputRequest struct {
	Purpose       string `json:"purpose"`
	Status        string `json:"status"`
	NoticeVersion string `json:"notice_version"`
	Evidence      string `json:"evidence"`
	At            string `json:"at"`
}

// createSubject handles POST /v1/subjects: 201 {"id": "sub_…"} with Location. A
// collected_at or consent at that is given must lie within jaga.CheckRecordTime's
// bounds (422 naming collected_at or consents).
func (h *Handler) createSubject(w http.ResponseWriter, r *http.Request, req gate.Request) {
	var body createSubjectRequest
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	values := make(map[string]string, len(body.Fields)+len(body.Attributes))
	if err := h.mergeValues(values, nil, body.Fields, jaga.KindField); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.mergeValues(values, nil, body.Attributes, jaga.KindAttribute); err != nil {
		h.error(w, r, err)
		return
	}
	now := h.gate.Now()
	collected, err := parseTime("collected_at", body.CollectedAt)
	if err == nil && body.CollectedAt != "" {
		// Checked here as well as in the gate: the gate cannot tell the zero time
		// (year 0001, as sent) from no time.
		err = jaga.CheckRecordTime("collected_at", collected, now)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	consents := make([]gate.ConsentInput, len(body.Consents))
	for i, c := range body.Consents {
		at, err := parseTime("consents", c.At)
		if err != nil {
			h.error(w, r, jaga.FieldError("consents", "consent %d: at must be an RFC 3339 date-time", i+1))
			return
		}
		if c.At != "" {
			if err := jaga.CheckRecordTime("consents", at, now); err != nil {
				h.error(w, r, jaga.FieldError("consents", "consent %d: at: %s", i+1, jaga.ErrorMessage(err)))
				return
			}
		}
		consents[i] = gate.ConsentInput{Purpose: c.Purpose, Status: jaga.ConsentStatus(c.Status),
			NoticeVersion: c.NoticeVersion, Evidence: c.Evidence, At: at}
	}
	id, review, err := h.gate.CreateWithReview(r.Context(), gate.CreateRequest{Request: req, Values: values,
		Channel: jaga.Channel(body.Channel), CollectedAt: collected, Consents: consents})
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header()["Location"] = []string{"/v1/subjects/" + string(id)}
	h.writeJSON(w, r, http.StatusCreated, struct {
		ID     jaga.SubjectID `json:"id"`
		Review []string       `json:"review,omitempty"`
	}{id, review})
}

// mergeValues checks that every name in in is a schema field of kind and adds the
// values to set; a null value goes to remove (or, when remove is nil, is skipped). A
// name of the other kind or unknown to the schema, or a value that is not a JSON string
// or null, is EUNPROCESSABLE naming it. (Values are decoded here, not by encoding/json's
// map decoding, whose type errors do not name the map key.)
func (h *Handler) mergeValues(set map[string]string, remove *[]string, in map[string]json.RawMessage, kind jaga.FieldKind) error {
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	slices.Sort(names) // report the first bad name in a stable order
	for _, name := range names {
		raw := in[name]
		f, ok := h.schema.Field(name)
		if !ok {
			return jaga.FieldError(name, "unknown field")
		}
		if f.Kind != kind {
			if kind == jaga.KindField {
				return jaga.FieldError(name, "%s is an attribute: send it in \"attributes\"", name)
			}
			return jaga.FieldError(name, "%s is a field: send it in \"fields\"", name)
		}
		if string(raw) == "null" {
			if remove != nil {
				*remove = append(*remove, name)
			}
			continue
		}
		var v string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
			return jaga.FieldError(name, "must be a JSON string (or null)")
		}
		set[name] = v
	}
	return nil
}

// readSubject handles GET /v1/subjects/{id}?fields=a,b&reveal=c: 200 with the record.
func (h *Handler) readSubject(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	fields, reveal, err := fieldParams(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	rec, err := h.gate.Read(r.Context(), gate.ReadRequest{Request: req, Subject: id, Fields: fields, Reveal: reveal})
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := getBytes()
	defer putBytes(out)
	*out = h.appendRecord(*out, rec)
	*out = append(*out, '\n')
	writeBody(w, http.StatusOK, *out)
}

// lookupRequest is the body of POST /v1/subjects/lookup: exactly one identifier.
type lookupRequest struct {
	Email *string `json:"email"`
	Phone *string `json:"phone"`
	NIK   *string `json:"nik"`
}

// lookupSubjects handles POST /v1/subjects/lookup: 200 {"subjects": [record, …]}. The
// identifier travels in the body, never in the URL, and is wrapped in jaga.Redacted as
// soon as it is read.
func (h *Handler) lookupSubjects(w http.ResponseWriter, r *http.Request, req gate.Request) {
	fields, reveal, err := fieldParams(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var body lookupRequest
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	find := gate.FindRequest{Request: req, Fields: fields, Reveal: reveal}
	n := 0
	for _, m := range []struct {
		name string
		v    *string
	}{{"email", body.Email}, {"phone", body.Phone}, {"nik", body.NIK}} {
		if m.v == nil {
			continue
		}
		if n++; n > 1 {
			h.error(w, r, jaga.FieldError(m.name, "give exactly one of email, phone or nik"))
			return
		}
		find.Field, find.Value = m.name, jaga.Redact(*m.v)
	}
	if n == 0 {
		h.error(w, r, jaga.FieldError("email", "give exactly one of email, phone or nik"))
		return
	}
	recs, err := h.gate.Find(r.Context(), find)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := getBytes()
	defer putBytes(out)
	b := append(*out, `{"subjects":[`...)
	for i, rec := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = h.appendRecord(b, rec)
	}
	*out = append(b, "]}\n"...)
	writeBody(w, http.StatusOK, *out)
}

// updateSubjectRequest is the body of PATCH /v1/subjects/{id}: a value sets the field,
// null removes it.
type updateSubjectRequest struct {
	Fields     map[string]json.RawMessage `json:"fields"`
	Attributes map[string]json.RawMessage `json:"attributes"`
}

// updateSubject handles PATCH /v1/subjects/{id}: 204.
func (h *Handler) updateSubject(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var body updateSubjectRequest
	if err := h.decode(w, r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	up := gate.UpdateRequest{Request: req, Subject: id, Set: make(map[string]string, len(body.Fields)+len(body.Attributes))}
	if err := h.mergeValues(up.Set, &up.Remove, body.Fields, jaga.KindField); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.mergeValues(up.Set, &up.Remove, body.Attributes, jaga.KindAttribute); err != nil {
		h.error(w, r, err)
		return
	}
	slices.Sort(up.Remove)
	review, err := h.gate.UpdateWithReview(r.Context(), up)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if len(review) > 0 {
		// A free-text value holds an identifier: stored, sealed, and flagged (issue 8).
		h.writeJSON(w, r, http.StatusOK, struct {
			Review []string `json:"review"`
		}{review})
		return
	}
	noContent(w)
}

// eraseSubject handles DELETE /v1/subjects/{id}: 204 once the subject is
// crypto-shredded. The gate allows only purposes dsr and legal_obligation.
func (h *Handler) eraseSubject(w http.ResponseWriter, r *http.Request, req gate.Request) {
	id, err := subjectID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.gate.Erase(r.Context(), req, id); err != nil {
		h.error(w, r, err)
		return
	}
	if h.desk != nil {
		// The erasure closed the subject's open requests: their notices go out now. A
		// failed delivery keeps the request's key; fulfilling the request sends again.
		if err := h.desk.NotifyClosed(r.Context(), req.Actor, id); err != nil {
			h.log.LogAttrs(r.Context(), slog.LevelWarn, "notice of a request closed by an erasure not sent",
				slog.String("request_id", req.RequestID), slog.String("error", err.Error()))
		}
	}
	noContent(w)
}

func noContent(w http.ResponseWriter) {
	w.Header()["Cache-Control"] = cacheNoStore
	w.WriteHeader(http.StatusNoContent)
}

// appendRecord appends rec as the JSON object of the Record schema: id, provenance,
// "fields" and "attributes" (split by schema kind, in schema order) and "decisions"
// (every decision that is not allow: masks and denials).
func (h *Handler) appendRecord(b []byte, rec *gate.Record) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, string(rec.Subject))
	b = append(b, `,"channel":`...)
	b = appendString(b, string(rec.Channel))
	b = append(b, `,"collected_at":`...)
	b = appendTime(b, rec.CollectedAt)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, rec.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, rec.UpdatedAt)
	b = append(b, `,"fields":`...)
	b = h.appendValues(b, rec.Values, jaga.KindField)
	b = append(b, `,"attributes":`...)
	b = h.appendValues(b, rec.Values, jaga.KindAttribute)
	b = append(b, `,"decisions":{`...)
	n := 0
	for _, f := range h.schema.Fields {
		if d, ok := rec.Decisions[f.Name]; ok && d != jaga.Allow {
			b = appendMember(b, n, f.Name, string(d))
			n++
		}
	}
	if len(rec.Decisions) > n {
		// Decisions on names outside the schema (none today): sorted, after the rest.
		var extra []string
		for name, d := range rec.Decisions {
			if _, ok := h.schema.Field(name); !ok && d != jaga.Allow {
				extra = append(extra, name)
			}
		}
		slices.Sort(extra)
		for _, name := range extra {
			b = appendMember(b, n, name, string(rec.Decisions[name]))
			n++
		}
	}
	return append(b, "}}"...)
}

// appendValues appends the values of the schema fields of kind as a JSON object.
func (h *Handler) appendValues(b []byte, values map[string]string, kind jaga.FieldKind) []byte {
	b = append(b, '{')
	n := 0
	for _, f := range h.schema.Fields {
		if f.Kind != kind {
			continue
		}
		if v, ok := values[f.Name]; ok {
			b = appendMember(b, n, f.Name, v)
			n++
		}
	}
	return append(b, '}')
}

func appendMember(b []byte, i int, name, value string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = appendString(b, name)
	b = append(b, ':')
	return appendString(b, value)
}

// fieldParams reads the ?fields= and ?reveal= lists of a read or look-up.
func fieldParams(r *http.Request) (fields, reveal []string, err error) {
	q := r.URL.Query()
	if fields, err = nameList(q, "fields"); err != nil {
		return nil, nil, err
	}
	reveal, err = nameList(q, "reveal")
	return fields, reveal, err
}
