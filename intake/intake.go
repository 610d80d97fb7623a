// Package intake is online intake: web forms posted to POST /v1/intake/forms/{form}, the
// embeddable HTML form Jaga serves for them (Bahasa Indonesia and English, one unticked
// box per purpose: R-6), and e-mail sign-ups with double opt-in, whose confirmation mail
// goes out over SMTP and whose consent exists only once the link is followed.
//
// Every row goes through the gate (gate.IntakeOne): the same validation, quarantine and
// identity resolution as a file import. A browser that sends Sec-GPC: 1 (Global Privacy
// Control) gives no marketing consent: a ticked cross-selling box is stored as given with
// the flag invalid:gpc, which never counts, and the response says so.
//
// intake may import the root package, gate, normalize (consent answers), strictjson,
// the standard library and go-smtp; never
// seal or a store.
package intake

import (
	"jaga"
)

// Form is a web form Jaga accepts: its ID (the {form} of the route), channel
// (web_form, or email_signup for double opt-in), the consent purposes it asks for (one
// unticked box each), the privacy-notice version it shows, the fields it collects and
// those it requires.
type Form struct {
	ID            string
	Channel       jaga.Channel
	Purposes      []string
	NoticeVersion string
	Fields        []string
	Required      []string
	// DoubleOptIn mails a confirmation link; nothing is stored as a subject or consent
	// until the link is followed.
	DoubleOptIn bool
}

// DefaultForms are the forms of the demo: the sign-up form of the web site ("daftar")
// and the newsletter sign-up with double opt-in ("newsletter").
func DefaultForms() []Form {
	return []Form{
		{ID: "daftar", Channel: jaga.ChannelWebForm, Purposes: []string{"service_improvement", "cross_selling"},
			NoticeVersion: "notice-id-v3", Fields: []string{"full_name", "email", "phone", "birth_date", "domicile_city"},
			Required: []string{"full_name", "email"}},
		{ID: "newsletter", Channel: jaga.ChannelEmailSignup, Purposes: []string{"cross_selling"},
			NoticeVersion: "notice-id-v3", Fields: []string{"full_name", "email"}, Required: []string{"full_name", "email"}, DoubleOptIn: true},
	}
}

// marketing reports whether Sec-GPC: 1 withholds consent to purpose p: the purposes
// whose W3C DPV term is direct marketing (DESIGN.md: cross_selling).
func marketing(p string) bool { return p == "cross_selling" }
