package portal

import (
	"net/http"

	"jaga"
	"jaga/dsr"
)

// rectifyBack is a refused correction shown again in its form to the signed-in owner:
// the field chosen and the value typed (never logged).
type rectifyBack struct{ Field, Value string }

// badForm answers a refused portal form with status and why (a sentence in the page's
// language that names the field): the customer's page again with the message at the
// top and a refused correction filled in again, so that it can be fixed at once.
func (p *Portal) badForm(w http.ResponseWriter, r *http.Request, l *lang, s *session, actor *jaga.Actor, status int, why string, back *rectifyBack) {
	p.showMe(w, r, l, s, actor, status, view{Error: l.t("err_form") + " " + why}, back)
}

// valueWhy says per value type why a correction's value was refused and what a valid
// one looks like (key suffixes of "why_"); other types get a general sentence.
var valueWhy = map[jaga.ValueType]string{
	jaga.TypePhone: "why_phone", jaga.TypeEmail: "why_email", jaga.TypeNIK: "why_nik",
	jaga.TypeDate: "why_date", jaga.TypeGender: "why_gender", jaga.TypeInteger: "why_integer", jaga.TypeNumber: "why_number",
}

// refusedWhy words the desk's refusal of a submission for the customer: the field's
// label and why in the page's language, by the field's type. The desk's own message
// (English, staff vocabulary) is not shown.
func (p *Portal) refusedWhy(l *lang, sub dsr.Submission, err error) string {
	e := jaga.AsError(err)
	if e == nil || sub.Type != jaga.DSRRectify {
		return l.t("err_bad_request")
	}
	name := e.Field
	if _, ok := sub.Values[name]; !ok {
		for k := range sub.Values {
			name = k // a correction names one field
		}
	}
	f, ok := p.cfg.Vault.Schema().Field(name)
	if !ok {
		return l.t("rectify_field") + ": " + l.t("err_field_unknown")
	}
	key, ok := valueWhy[f.Type]
	if !ok {
		key = "why_value"
	}
	return l.t("rectify_value") + " (" + f.Label(l.code) + "): " + l.t(key)
}
