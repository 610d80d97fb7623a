package intake

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jaga"
	"jaga/gate"
	"jaga/internal/mediatype"
	"jaga/normalize"
	"jaga/notify"
	"jaga/strictjson"
)

//go:embed templates/*.html
var templates embed.FS

var formPage = template.Must(template.ParseFS(templates, "templates/form.html"))

// Config is what the intake Handler needs. Gate is required; Forms default to
// DefaultForms; Mailer is required for double opt-in forms; BaseURL is the public URL
// the confirmation link starts with.
type Config struct {
	Gate    *gate.Gate
	Forms   []Form
	Mailer  notify.Mailer
	BaseURL string
	Logger  *slog.Logger
	Clock   jaga.Clock
	// ConfirmFor is how long a confirmation link stays valid (default 72 hours).
	ConfirmFor time.Duration
}

// Handler serves the intake routes.
type Handler struct {
	cfg   Config
	forms map[string]Form
}

// formActor is the actor of anonymous form posts: a service identity whose requests
// are audited like any other.
var formActor = &jaga.Actor{ID: "act_intake_form", Name: "web form", Kind: jaga.ActorSystem, Role: jaga.RoleService}

// New returns the intake handler.
func New(cfg Config) *Handler {
	if cfg.Forms == nil {
		cfg.Forms = DefaultForms()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = jaga.SystemClock{}
	}
	if cfg.ConfirmFor <= 0 {
		cfg.ConfirmFor = 72 * time.Hour
	}
	h := &Handler{cfg: cfg, forms: map[string]Form{}}
	for _, f := range cfg.Forms {
		h.forms[f.ID] = f
	}
	return h
}

// Register adds GET and POST /v1/intake/forms/{form} and GET and POST
// /v1/intake/confirm/{token} (GET asks, POST confirms: see confirm.go).
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/intake/forms/{form}", h.page)
	mux.HandleFunc("POST /v1/intake/forms/{form}", h.post)
	mux.HandleFunc("GET /v1/intake/confirm/{token}", h.confirmPage)
	mux.HandleFunc("POST /v1/intake/confirm/{token}", h.confirm)
}

var labelsID = map[string][2]string{
	"full_name": {"Nama lengkap", "Full name"}, "email": {"Email", "E-mail"}, "phone": {"No. HP/WA", "Mobile phone"},
	"birth_date": {"Tanggal lahir", "Date of birth"}, "domicile_city": {"Kota", "City"}, "nik": {"NIK", "National ID number"},
	"address":             {"Alamat", "Address"},
	"service_improvement": {"Saya setuju data saya dipakai untuk meningkatkan layanan", "I agree to my data being used to improve the service"},
	"cross_selling":       {"Saya bersedia menerima penawaran produk lain", "I agree to receive offers of other products"},
}

// fieldView is one input of the form page: its name, Bahasa and English labels, HTML
// input type, and on a page shown again after a refused post the value typed, whether
// it was refused and (for a consent) whether the box was ticked.
type fieldView struct {
	Name, ID, EN, Type, Value  string
	Required, Invalid, Checked bool
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	f, ok := h.forms[r.PathValue("form")]
	if !ok {
		problem(w, http.StatusNotFound, jaga.ENOTFOUND, "form not found", "")
		return
	}
	h.renderPage(w, http.StatusOK, f, "", nil, nil)
}

// refill is what the person typed and ticked, put back into the form shown again after
// a refused post (to the person who sent it, never to a log).
type refill struct {
	values  map[string]string
	answers map[string]normalize.Answer
}

// renderPage writes the form page with status; done is the message above it, problems
// the refused fields and back the values to fill the form with again (nil: empty).
func (h *Handler) renderPage(w http.ResponseWriter, status int, f Form, done string, problems []problemView, back *refill) {
	data := struct {
		Form             Form
		Fields, Purposes []fieldView
		Done             string
		Problems         []problemView
	}{Form: f, Done: done, Problems: problems}
	for _, name := range f.Fields {
		typ := map[string]string{"email": "email", "phone": "tel", "birth_date": "date"}[name]
		if typ == "" {
			typ = "text"
		}
		l := labelsID[name]
		v := fieldView{Name: name, ID: l[0], EN: l[1], Type: typ, Required: contains(f.Required, name)}
		if back != nil {
			v.Value = back.values[name]
			v.Invalid = slices.ContainsFunc(problems, func(p problemView) bool { return p.Field == name })
		}
		data.Fields = append(data.Fields, v)
	}
	for _, p := range f.Purposes {
		l := labelsID[p]
		v := fieldView{Name: p, ID: l[0], EN: l[1]}
		if back != nil {
			v.Checked = back.answers[p] == normalize.AnswerYes
		}
		data.Purposes = append(data.Purposes, v)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	_ = formPage.Execute(w, data)
}

// wantsHTML reports whether the post comes from a browser showing the form (Accept
// names text/html): the person is present and is answered with the page.
func wantsHTML(r *http.Request) bool { return strings.Contains(r.Header.Get("Accept"), "text/html") }

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// ConsentResult is what the response says about one purpose of the form: the status
// recorded, whether it counts, and why not.
type ConsentResult struct {
	Recorded string `json:"recorded"`
	Counts   bool   `json:"counts"`
	Flag     string `json:"flag,omitempty"`
	Why      string `json:"why,omitempty"`
}

// PostResponse is the answer to a form post. It never says whether the person was
// already known (created and merged both answer "received").
type PostResponse struct {
	Status   string                   `json:"status"` // received, quarantined, confirmation_sent
	Consents map[string]ConsentResult `json:"consents"`
	Problems []jaga.RowReason         `json:"problems,omitempty"`
	// Review lists the review flags the free text raised (pii_in_free_text:<kind>: an
	// identifier typed into a free-text field, issue 8). Other review reasons (identity
	// conflicts) are left out: they would say that the person was known.
	Review []string `json:"review,omitempty"`
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	f, ok := h.forms[r.PathValue("form")]
	if !ok {
		problem(w, http.StatusNotFound, jaga.ENOTFOUND, "form not found", "")
		return
	}
	values, answers, err := readPost(r, f)
	if err != nil {
		var e *jaga.Error
		errors.As(err, &e)
		status := http.StatusBadRequest
		if e.Code == jaga.EUNPROCESSABLE {
			status = http.StatusUnprocessableEntity
		} else if err == errBodyTooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		unsupported := (*unsupportedType)(nil)
		if errors.As(err, &unsupported) {
			status = http.StatusUnsupportedMediaType
		}
		if wantsHTML(r) && e.Field != "" && unsupported == nil {
			// A browser's post with a field the form cannot read (given twice, an
			// unknown field, a consent answer that is not yes or no): the page again,
			// naming the field, as for a value that fails validation. Nothing is kept.
			h.refuseHTML(w, f, []jaga.RowReason{{Field: e.Field, Code: e.Reason, Reason: e.Message}}, nil)
			return
		}
		problemField(w, status, e.Code, e.Message, e.Reason, e.Field)
		return
	}
	gpc := strings.TrimSpace(r.Header.Get("Sec-GPC")) == "1"
	now := h.cfg.Clock.Now().UTC()
	row := gate.IntakeRow{File: "form:" + f.ID, Values: values, Channel: f.Channel, CollectedAt: now, Required: f.Required}
	resp := PostResponse{Consents: map[string]ConsentResult{}}
	for _, p := range f.Purposes {
		in := gate.ConsentInput{Purpose: p, Status: jaga.ConsentRefused, NoticeVersion: f.NoticeVersion, At: now,
			Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject, UserAgent: r.UserAgent()}}
		if n, ok := h.cfg.Gate.Notice(f.NoticeVersion); ok {
			// Jaga served the form: the hash of the notice text shown is evidence.
			in.Details.TextHash = n.TextHash
		}
		res := ConsentResult{Recorded: string(jaga.ConsentRefused), Why: "box not ticked"}
		if answers[p] == normalize.AnswerNo {
			res.Why = "answered no"
		}
		if answers[p] == normalize.AnswerYes {
			in.Status = jaga.ConsentGiven
			res = ConsentResult{Recorded: string(jaga.ConsentGiven), Counts: true}
			if gpc && marketing(p) {
				in.Flag = jaga.FlagGPC
				res = ConsentResult{Recorded: string(jaga.ConsentGiven), Flag: jaga.FlagGPC,
					Why: "your browser sent Sec-GPC: 1 (Global Privacy Control), which Jaga honours as no consent to marketing; the ticked box is kept as given but does not count / browser Anda mengirim Sec-GPC: 1, jadi tidak ada persetujuan penawaran"}
			}
			if f.DoubleOptIn && res.Counts {
				res.Counts = false
				res.Why = "counts once the link in the confirmation mail is followed (double opt-in)"
			}
		}
		row.Consents = append(row.Consents, in)
		resp.Consents[p] = res
	}
	req := gate.Request{Actor: formActor, Purpose: jaga.PurposeServiceProvision, Reason: "web form " + f.ID}
	var batch *gate.IntakeBatch
	if wantsHTML(r) {
		// The person is present: a row that fails validation is shown to them again to
		// correct, and nothing of it is kept (no quarantine row they were told was not
		// accepted). The JSON API quarantines it (202) as documented.
		if batch, err = h.cfg.Gate.PrepareIntake(r.Context(), req, []gate.IntakeRow{row}); err != nil {
			h.cfg.Logger.Error("intake form", "form", f.ID, "error", err)
			problem(w, http.StatusInternalServerError, jaga.EINTERNAL, "the form could not be checked", "")
			return
		}
		if rs := batch.Reasons(0); len(rs) > 0 {
			h.refuseHTML(w, f, rs, &refill{values: values, answers: answers})
			return
		}
	}
	if f.DoubleOptIn {
		h.startSignup(w, r, f, req, row, resp)
		return
	}
	var out gate.IntakeOutcome
	if batch != nil {
		var outs []gate.IntakeOutcome
		if outs, err = h.cfg.Gate.CommitIntake(r.Context(), h.cfg.Gate.NewIntakeSession(16), batch); err == nil {
			out = outs[0]
		}
	} else {
		out, err = h.cfg.Gate.IntakeOne(r.Context(), req, row)
	}
	if err != nil {
		h.cfg.Logger.Error("intake form", "form", f.ID, "error", err)
		problem(w, http.StatusInternalServerError, jaga.EINTERNAL, "the form could not be stored", "")
		return
	}
	resp.Status = "received"
	if out.Status == gate.IntakeQuarantined {
		resp.Status, resp.Problems = "quarantined", out.Reasons
	}
	for _, r := range out.Review {
		if strings.HasPrefix(r, gate.ReviewFreeTextPII) {
			resp.Review = append(resp.Review, r)
		}
	}
	h.respond(w, r, f, http.StatusAccepted, resp)
}

func (h *Handler) startSignup(w http.ResponseWriter, r *http.Request, f Form, req gate.Request, row gate.IntakeRow, resp PostResponse) {
	email := strings.TrimSpace(row.Values["email"])
	if email == "" || strings.TrimSpace(row.Values["full_name"]) == "" {
		resp.Status = "incomplete"
		resp.Problems = []jaga.RowReason{{Field: "email", Code: "missing_required", Reason: "full_name and email are required"}}
		h.respond(w, r, f, http.StatusUnprocessableEntity, resp)
		return
	}
	if h.cfg.Mailer == nil {
		// Checked before anything is stored: a sign-up nobody can confirm is not kept.
		problem(w, http.StatusServiceUnavailable, jaga.EINTERNAL, "mail is not configured", "")
		return
	}
	var tok [32]byte
	if _, err := rand.Read(tok[:]); err != nil {
		problem(w, http.StatusInternalServerError, jaga.EINTERNAL, "no randomness", "")
		return
	}
	token := base64.RawURLEncoding.EncodeToString(tok[:])
	now := h.cfg.Clock.Now()
	if err := h.cfg.Gate.StartSignup(r.Context(), req, f.ID, row, tokenHash(token), now.Add(h.cfg.ConfirmFor)); err != nil {
		h.cfg.Logger.Error("intake sign-up", "form", f.ID, "error", err)
		problem(w, http.StatusInternalServerError, jaga.EINTERNAL, "the sign-up could not be stored", "")
		return
	}
	link := strings.TrimRight(h.cfg.BaseURL, "/") + "/v1/intake/confirm/" + token
	body := "Terima kasih telah mendaftar. Buka tautan ini, lalu tekan tombol Konfirmasi di halamannya:\n" + link +
		"\n\nThank you for signing up. Open this link, then press the Confirm button on its page:\n" + link + "\n\nAbaikan email ini jika Anda tidak mendaftar. / Ignore this mail if you did not sign up.\n"
	if err := h.cfg.Mailer.Mail(r.Context(), jaga.Redact(email), notify.Message{Subject: "Konfirmasi pendaftaran / Confirm your sign-up", Body: body}); err != nil {
		h.cfg.Logger.Error("intake confirmation mail", "form", f.ID, "error", err)
		problem(w, http.StatusBadGateway, jaga.EINTERNAL, "the confirmation mail could not be sent", "")
		return
	}
	resp.Status = "confirmation_sent"
	h.respond(w, r, f, http.StatusAccepted, resp)
}

// readPost reads a JSON body {"fields": {...}, "consents": {"purpose": answer}} or a
// form-urlencoded or multipart/form-data one (field names, consent_<purpose>=answer). An answer is a JSON
// boolean or a string normalize.YesNo reads (Y/Ya/Yes/1/true, T/Tidak/N/No/0/false,
// blank), or HTML's "on" (a checkbox without a value); a purpose left out is
// AnswerAbsent (box not ticked). Errors: an *unsupportedType (415) for a missing or
// other Content-Type, EINVALID (400) for an unreadable body or one
// that is not valid UTF-8 (errNotUTF8), errBodyTooLarge (413), EUNPROCESSABLE (422)
// naming an unknown member, a member given twice, a file part or an answer that is
// neither yes nor no (R-6: never guessed).
func readPost(r *http.Request, f Form) (map[string]string, map[string]normalize.Answer, error) {
	values, answers := map[string]string{}, map[string]normalize.Answer{}
	ct, msg := mediatype.Check(r.Header, formTypes...)
	if msg != "" {
		return nil, nil, &unsupportedType{&jaga.Error{Code: jaga.EINVALID, Field: "Content-Type", Message: msg}}
	}
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	switch ct {
	case "application/json":
		raw, err := io.ReadAll(body)
		if err != nil {
			return nil, nil, readError(err)
		}
		if !utf8.Valid(raw) {
			// encoding/json would put U+FFFD in place of the bad bytes and store a value
			// the sender never meant (as api's decode refuses it).
			return nil, nil, errNotUTF8
		}
		var in struct {
			Fields   map[string]string          `json:"fields"`
			Consents map[string]json.RawMessage `json:"consents"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
				return nil, nil, jaga.FieldError(strings.TrimSuffix(name, `"`), "unknown member; the body is {fields, consents}")
			}
			return nil, nil, jaga.Errorf(jaga.EINVALID, "body must be a JSON object {fields, consents} with string fields")
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, nil, jaga.Errorf(jaga.EINVALID, "body holds more than one JSON value")
		}
		if name, dup := strictjson.DuplicateKey(raw); dup {
			return nil, nil, &jaga.Error{Code: jaga.EINVALID, Field: jaga.SafeName(name), Message: "member given twice"}
		}
		for k, v := range in.Fields {
			if !contains(f.Fields, k) {
				return nil, nil, jaga.FieldError(k, "form %s has no such field", f.ID)
			}
			values[k] = v
		}
		for k, v := range in.Consents {
			if !contains(f.Purposes, k) {
				return nil, nil, jaga.FieldError(k, "form %s asks no consent to this purpose", f.ID)
			}
			var a normalize.Answer
			var b bool
			var s string
			switch {
			case json.Unmarshal(v, &b) == nil:
				a = normalize.AnswerNo
				if b {
					a = normalize.AnswerYes
				}
			case json.Unmarshal(v, &s) == nil:
				var err error
				if a, err = formAnswer(s); err != nil {
					return nil, nil, consentError("consents."+k, f.ID)
				}
			default:
				return nil, nil, consentError("consents."+k, f.ID)
			}
			answers[k] = a
		}
	case "application/x-www-form-urlencoded", "multipart/form-data":
		r.Body = body
		if err := parseForm(r, ct); err != nil {
			return nil, nil, err
		}
		for k, vs := range r.PostForm {
			field, purpose := k, ""
			if p, ok := strings.CutPrefix(k, "consent_"); ok && contains(f.Purposes, p) {
				field, purpose = "", p
			} else if !contains(f.Fields, k) {
				return nil, nil, jaga.FieldError(k, "form %s has no such field", f.ID)
			}
			if len(vs) > 1 {
				return nil, nil, jaga.FieldError(k, "given more than once")
			}
			if field != "" {
				values[field] = vs[0]
				continue
			}
			a, err := formAnswer(vs[0])
			if err != nil {
				return nil, nil, consentError(k, f.ID)
			}
			answers[purpose] = a
		}
	}
	return values, answers, nil
}

// formTypes are the media types a form post may be sent as.
var formTypes = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}

// unsupportedType is the error of a post whose Content-Type is missing or not one of
// formTypes (or names a charset other than UTF-8), answered 415 Unsupported Media Type
// naming the header, the type received and the types accepted, as the API answers
// (mediatype.Check).
type unsupportedType struct{ err *jaga.Error }

func (e *unsupportedType) Error() string { return e.err.Error() }
func (e *unsupportedType) Unwrap() error { return e.err }

// maxBody is the largest intake body read, in bytes; a form post is a few hundred.
const maxBody = 64 << 10

// errBodyTooLarge is answered 413 Content Too Large (RFC 9110 section 15.5.14).
var errBodyTooLarge = jaga.Errorf(jaga.EINVALID, "the body is larger than %d bytes; a form post is a few hundred", maxBody)

func readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errBodyTooLarge
	}
	return jaga.Errorf(jaga.EINVALID, "the body cannot be read")
}

// formAnswer reads a consent answer: normalize.YesNo, plus "on", the value an HTML
// checkbox without a value attribute sends when ticked (HTML Living Standard 4.10.5.1.15).
func formAnswer(s string) (normalize.Answer, error) {
	if strings.EqualFold(strings.TrimSpace(s), "on") {
		return normalize.AnswerYes, nil
	}
	return normalize.YesNo(s)
}

func consentError(field, form string) error {
	return &jaga.Error{Code: jaga.EUNPROCESSABLE, Field: field, Reason: "consent_invalid",
		Message: "a consent answer must be yes (Y, Ya, Yes, 1, true, on) or no (T, Tidak, N, No, 0, false), or left out; form " + form}
}

func (h *Handler) respond(w http.ResponseWriter, r *http.Request, f Form, status int, resp PostResponse) {
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		msg := "Terima kasih! / Thank you!"
		if c, ok := resp.Consents["cross_selling"]; ok && c.Flag == jaga.FlagGPC {
			msg += " " + c.Why
		}
		if resp.Status == "confirmation_sent" {
			msg = "Silakan cek email Anda untuk konfirmasi. / Please check your mail to confirm."
		}
		if len(resp.Problems) > 0 {
			// Incomplete (a double opt-in sign-up without name or e-mail): nothing was
			// kept, so no thanks; the form again with the fields named.
			h.refuseHTML(w, f, resp.Problems, nil)
			return
		}
		h.renderPage(w, http.StatusOK, f, msg, nil, nil)
		return
	}
	writeJSON(w, status, resp)
}

// refuseHTML answers a browser's post that failed validation: 422 with the form again,
// each refused field named with why in Bahasa Indonesia and English, and the values
// typed filled in again (back; nil: empty). The values go only to the person's page,
// never into a log or error (invariant 6).
func (h *Handler) refuseHTML(w http.ResponseWriter, f Form, reasons []jaga.RowReason, back *refill) {
	const msg = "Data Anda belum dapat diterima dan tidak kami simpan. Perbaiki isian yang ditandai lalu kirim lagi. / Your entry was not accepted and we have not kept it. Correct the marked fields and send the form again."
	notes := make([]problemView, 0, len(reasons))
	for _, p := range reasons {
		notes = append(notes, problemViewOf(p))
	}
	h.renderPage(w, http.StatusUnprocessableEntity, f, msg, notes, back)
}

// problemView is one rejected field on the HTML answer: the field's name and its
// labels and why, in Bahasa Indonesia and English.
type problemView struct{ Field, FieldID, FieldEN, WhyID, WhyEN string }

// whyInvalid says, per field, why a value was refused and what a valid one looks like
// (Bahasa Indonesia, English); fields not listed get a general sentence.
var whyInvalid = map[string][2]string{
	"email":      {"alamat email tidak valid; tulis lengkap, misalnya nama@domain.co.id", "not a valid e-mail address; write it in full, such as name@domain.co.id"},
	"phone":      {"nomor HP tidak valid; tulis 10-13 angka, misalnya 0812 3456 7890 atau +62 812 3456 7890", "not a valid mobile number; write 10-13 digits, such as 0812 3456 7890 or +62 812 3456 7890"},
	"nik":        {"NIK harus 16 angka sesuai KTP", "the NIK must be the 16 digits on the identity card"},
	"birth_date": {"tanggal lahir tidak valid; pilih tanggal yang sudah lewat", "not a valid date of birth; choose a date in the past"},
	"full_name":  {"nama tidak valid atau terlalu panjang", "the name is not valid or too long"},
}

// problemViewOf labels a row reason for people: the field's form label, and why in
// Bahasa and English (by field and reason code; never the value).
func problemViewOf(p jaga.RowReason) problemView {
	v := problemView{Field: p.Field, FieldID: p.Field, FieldEN: p.Field}
	if l, ok := labelsID[p.Field]; ok {
		v.FieldID, v.FieldEN = l[0], l[1]
	}
	switch {
	case p.Code == "no_identifier":
		v.FieldID, v.FieldEN = "Email / No. HP", "E-mail / mobile phone"
		v.WhyID, v.WhyEN = "perlu email, nomor HP atau NIK yang valid", "a valid e-mail, mobile number or NIK is needed"
	case strings.HasPrefix(p.Code, "missing_"):
		v.WhyID, v.WhyEN = "wajib diisi", "required"
	case strings.HasPrefix(p.Code, "invalid_"):
		v.WhyID, v.WhyEN = "isinya tidak valid atau formatnya tidak dikenali", "the value is not valid or its format is not recognised"
		if w, ok := whyInvalid[p.Field]; ok {
			v.WhyID, v.WhyEN = w[0], w[1]
		}
	default:
		v.WhyID, v.WhyEN = "tidak dapat diterima", p.Reason
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problem writes an RFC 9457 problem document with the API's problem types
// ("urn:jaga:problem:" and a jaga error code) and the request ID the server's
// middleware set on the response, as api.WriteProblem does.
func problem(w http.ResponseWriter, status int, code, detail, reason string) {
	problemField(w, status, code, detail, reason, "")
}

// problemField is problem naming the request member the problem is about.
func problemField(w http.ResponseWriter, status int, code, detail, reason, field string) {
	p := map[string]any{"type": "urn:jaga:problem:" + code, "title": http.StatusText(status), "status": status, "detail": detail}
	if reason != "" {
		p["reason"] = reason
	}
	if field != "" {
		p["field"] = field
	}
	if id := w.Header().Get("Jaga-Request-Id"); id != "" {
		p["request_id"] = id
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
