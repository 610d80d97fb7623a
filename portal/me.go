package portal

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

var wib = jaga.WIB

// signedIn returns the session's subject and its actor, or redirects to sign-in.
func (p *Portal) signedIn(w http.ResponseWriter, r *http.Request, l *lang) (*session, *jaga.Actor, bool) {
	s, ok := p.session(r)
	if !ok {
		p.dropSession(w, r)
		p.render(w, r, http.StatusUnauthorized, "signin", l, view{Error: l.t("err_signin")})
		return nil, nil, false
	}
	return s, jaga.SubjectActor(s.Subject), true
}

// signedInPost is signedIn for a form post: the post must also carry the session's
// CSRF token, else it answers the CSRF error page.
func (p *Portal) signedInPost(w http.ResponseWriter, r *http.Request, l *lang) (*session, *jaga.Actor, bool) {
	s, actor, ok := p.signedIn(w, r, l)
	if !ok {
		return nil, nil, false
	}
	if !p.checkCSRF(r) {
		p.csrfFailed(w, r, l)
		return nil, nil, false
	}
	return s, actor, true
}

// failed ends a session whose subject no longer exists (erased), or answers an error.
func (p *Portal) failed(w http.ResponseWriter, r *http.Request, l *lang, err error) {
	if jaga.ErrorCode(err) == jaga.ENOTFOUND {
		p.dropSession(w, r)
		p.render(w, r, http.StatusUnauthorized, "signin", l, view{Error: l.t("err_signin")})
		return
	}
	p.internal(w, r, l, err)
}

// fieldRow is one of the customer's fields: its machine name (form values), the
// label the customer reads, and its value (empty in the correction form's options),
// Masked when a number in it is shown masked (dsr.OwnView).
type fieldRow struct {
	Name, Label, Value string
	Masked             bool
}

type consentRow struct {
	Purpose, Name, Status, Since string
	Given                        bool
}

// historyRow is one use of the customer's data; Fields are the labels of the fields used.
type historyRow struct {
	Time, Who, What, Purpose, Decision string
	Fields                             []string
}

type requestRow struct{ ID, Type, Status, Received, Due, Outcome string }

type mePage struct {
	Fields    []fieldRow
	Consents  []consentRow
	History   []historyRow
	Requests  []requestRow
	Editable  []fieldRow
	Requested string
	// Masked: some value is shown masked; the page says why and that downloads wait
	// for a review.
	Masked bool
	// Back is the refused correction, shown again in its form.
	Back *rectifyBack
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(wib).Format("2006-01-02 15:04")
}

func (p *Portal) me(w http.ResponseWriter, r *http.Request, l *lang) {
	s, actor, ok := p.signedIn(w, r, l)
	if !ok {
		return
	}
	info := ""
	if id := r.URL.Query().Get("ok"); dsr.ValidID(id) {
		info = l.t("request_received") + id
	} else if r.URL.Query().Get("ok") == "consent" {
		info = l.t("consent_changed")
	}
	p.showMe(w, r, l, s, actor, http.StatusOK, view{Info: info}, nil)
}

// showMe renders the signed-in customer's page with status and v's message; back
// fills the correction form again after a refused one (nil: empty).
func (p *Portal) showMe(w http.ResponseWriter, r *http.Request, l *lang, s *session, actor *jaga.Actor, status int, v view, back *rectifyBack) {
	ctx := r.Context()
	// The owner always sees the page (UU PDP Art 32): a number that would block a
	// download is shown masked, and the consents and request forms work as ever.
	ov, err := p.cfg.Desk.OwnView(ctx, actor, s.Subject)
	if err != nil {
		if !p.exportBlocked(w, r, l, s, actor, err) {
			p.failed(w, r, l, err)
		}
		return
	}
	ex := ov.Export
	pg := mePage{Masked: len(ov.Masked) > 0}
	schema := p.cfg.Vault.Schema()
	for _, f := range schema.Fields {
		row := fieldRow{Name: f.Name, Label: f.Label(l.code)}
		pg.Editable = append(pg.Editable, row)
		if v, ok := ex.Fields[f.Name]; ok {
			row.Value, row.Masked = f.ValueLabel(v, l.code), slices.Contains(ov.Masked, f.Name)
			pg.Fields = append(pg.Fields, row)
		}
	}
	purposes := p.cfg.Vault.Purposes()
	slices.SortFunc(purposes, func(a, b *jaga.Purpose) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	for _, pu := range purposes {
		if !pu.NeedsConsent() {
			continue
		}
		row := consentRow{Purpose: pu.ID, Name: pu.NameID, Status: l.t("st_none")}
		if l == langEN {
			row.Name = pu.NameEN
		}
		for _, c := range ex.Consents {
			if c.Purpose == pu.ID {
				row.Status, row.Since, row.Given = l.t("st_"+string(c.Status)), fmtTime(c.At), c.Status == jaga.ConsentGiven
			}
		}
		pg.Consents = append(pg.Consents, row)
	}
	for i := len(ex.History) - 1; i >= 0 && len(pg.History) < 100; i-- {
		e := ex.History[i]
		if e.Role == jaga.RoleSubject && e.Action != jaga.ActionExport && e.Action != jaga.ActionLogin {
			continue // the customer's own visits to the portal; their sign-ins and downloads stay
		}
		fields := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			fields[i] = schema.Label(f, l.code)
		}
		pg.History = append(pg.History, historyRow{fmtTime(e.Time), gate.WhoLabel(l.code, e.Role, e.Job),
			gate.AccessLabel(l.code, e.Action), gate.AccessLabel(l.code, e.Purpose), decisionLabel(l, e.Decision), fields})
	}
	for _, q := range ex.Requests {
		pg.Requests = append(pg.Requests, requestRow{q.ID, l.label("rt_", string(q.Type)), l.label("rs_", string(q.Status)),
			fmtTime(q.ReceivedAt), fmtTime(q.DueAt), q.Outcome})
	}
	pg.Back = back
	v.Data = pg
	p.render(w, r, status, "me", l, v)
}

// consent changes one consent-based purpose: a withdrawal is a withdraw request
// fulfilled at once (the register keeps it, R-10, R-15); giving consent appends a given
// record under the portal's notice version.
func (p *Portal) consent(w http.ResponseWriter, r *http.Request, l *lang) {
	s, actor, ok := p.signedInPost(w, r, l)
	if !ok {
		return
	}
	ctx := r.Context()
	purpose := r.PostFormValue("purpose")
	pu := slices.IndexFunc(p.cfg.Vault.Purposes(), func(x *jaga.Purpose) bool { return x.ID == purpose && x.NeedsConsent() })
	if pu < 0 {
		p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, l.t("err_purpose"), nil)
		return
	}
	switch r.PostFormValue("action") {
	case "withdraw":
		q, err := p.cfg.Desk.Submit(ctx, actor, dsr.Submission{Subject: s.Subject, Type: jaga.DSRWithdraw, Channel: jaga.DSRChannelPortal, Detail: map[string]string{"purpose": purpose}})
		if err == nil {
			_, err = p.cfg.Desk.Fulfil(ctx, actor, q.ID)
		}
		if err != nil {
			p.failed(w, r, l, err)
			return
		}
	case "give":
		n, ok := p.cfg.Vault.CurrentNotice(purpose)
		if !ok {
			// No approved notice covers the purpose: a consent now would not count.
			p.badForm(w, r, l, s, actor, http.StatusConflict, l.t("err_no_notice"), nil)
			return
		}
		_, err := p.cfg.Vault.RecordConsent(ctx, gate.ConsentRequest{Request: gate.Request{Actor: actor, Purpose: jaga.PurposeDSR},
			Subject: s.Subject, Channel: jaga.ChannelWebForm,
			Consent: gate.ConsentInput{Purpose: purpose, Status: jaga.ConsentGiven, NoticeVersion: n.Version, At: p.now(),
				// Jaga served the form itself: the text hash and user agent.
				Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject, TextHash: n.TextHash, UserAgent: r.UserAgent()}}})
		if err != nil {
			p.failed(w, r, l, err)
			return
		}
	default:
		p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, l.t("err_action"), nil)
		return
	}
	http.Redirect(w, r, l.URL("me")+"?ok=consent", http.StatusSeeOther)
}

// request files a correction, erasure, restriction or objection with the desk.
func (p *Portal) request(w http.ResponseWriter, r *http.Request, l *lang) {
	s, actor, ok := p.signedInPost(w, r, l)
	if !ok {
		return
	}
	sub := dsr.Submission{Subject: s.Subject, Channel: jaga.DSRChannelPortal, Type: jaga.DSRType(r.PostFormValue("type"))}
	var back *rectifyBack
	switch sub.Type {
	case jaga.DSRRectify:
		f, value := r.PostFormValue("field"), r.PostFormValue("value")
		back = &rectifyBack{Field: f, Value: value}
		spec, ok := p.cfg.Vault.Schema().Field(f)
		if !ok {
			p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, l.t("rectify_field")+": "+l.t("err_field_unknown"), back)
			return
		}
		if strings.TrimSpace(value) == "" {
			p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, l.t("rectify_value")+" ("+spec.Label(l.code)+"): "+l.t("err_required"), back)
			return
		}
		sub.Values = map[string]string{f: value}
	case jaga.DSRErase:
		if r.PostFormValue("confirm") != "yes" {
			p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, l.t("err_erase_confirm"), nil)
			return
		}
	case jaga.DSRRestrict, jaga.DSRObject:
	default:
		p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, l.t("err_type"), nil)
		return
	}
	q, err := p.cfg.Desk.Submit(r.Context(), actor, sub)
	if err != nil {
		if jaga.ErrorCode(err) == jaga.EUNPROCESSABLE {
			// The value the customer typed goes back into their own form only; the
			// error is neither logged nor shown as the desk worded it (invariant 6).
			p.badForm(w, r, l, s, actor, http.StatusUnprocessableEntity, p.refusedWhy(l, sub, err), back)
			return
		}
		p.failed(w, r, l, err)
		return
	}
	http.Redirect(w, r, l.URL("me")+"?ok="+q.ID, http.StatusSeeOther)
}

// export is the signed-in subject's export for a download in format ("json", "csv"),
// its export event committed (dsr.Desk.ExportFile); ok is false when the response
// (sign-in page or error page) has already been written.
func (p *Portal) export(w http.ResponseWriter, r *http.Request, l *lang, format string) (*dsr.Export, bool) {
	s, actor, ok := p.signedIn(w, r, l)
	if !ok {
		return nil, false
	}
	ex, err := p.cfg.Desk.ExportFile(r.Context(), actor, s.Subject, format)
	if err != nil {
		if !p.exportBlocked(w, r, l, s, actor, err) {
			p.failed(w, r, l, err)
		}
		return nil, false
	}
	return ex, true
}

// downloadJSON serves the export against the published schema.
func (p *Portal) downloadJSON(w http.ResponseWriter, r *http.Request, l *lang) {
	ex, ok := p.export(w, r, l, "json")
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="data-saya.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(ex)
}

// downloadCSV serves the export as CSV rows: section, name, value, time.
func (p *Portal) downloadCSV(w http.ResponseWriter, r *http.Request, l *lang) {
	ex, ok := p.export(w, r, l, "csv")
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="data-saya.csv"`)
	cw := safeCSV{csv.NewWriter(w)}
	cw.Write([]string{"section", "name", "value", "time"})
	for _, f := range p.cfg.Vault.Schema().Names() {
		if v, ok := ex.Fields[f]; ok {
			cw.Write([]string{"field", f, v, ""})
		}
	}
	for _, c := range ex.Consents {
		cw.Write([]string{"consent", c.Purpose, string(c.Status), c.At.Format(time.RFC3339)})
	}
	for i, pu := range ex.Purchases {
		b, _ := json.Marshal(pu)
		cw.Write([]string{"purchase", strconv.Itoa(i + 1), string(b), pu.InvoiceDate})
	}
	for _, e := range ex.History {
		cw.Write([]string{"access_history", e.Action, string(e.Role) + " " + e.Purpose + " " + e.Decision, e.Time.Format(time.RFC3339)})
	}
	for _, q := range ex.Requests {
		cw.Write([]string{"request", q.ID, string(q.Type) + " " + string(q.Status), q.ReceivedAt.Format(time.RFC3339)})
	}
	cw.Flush()
}

// decisionLabel words an audit decision for the customer: allowed, allowed and partly
// masked, refused, failed (the reason codes after "deny:" and "error:" are staff
// vocabulary); a decision of another shape is shown as it is.
func decisionLabel(l *lang, d string) string {
	kind, _, _ := strings.Cut(d, ":")
	return l.label("dec_", kind)
}
