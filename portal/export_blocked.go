package portal

import (
	"net/http"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// exportBlocked answers a download (or, should even the masked view be stopped, the
// page) whose export the gate's PII guard stopped
// (EFORBIDDEN undeclared_identifier, R-33: the record holds an identifier no field of
// the export declares, such as an NPWP typed into the address). The customer is not
// shown a server error: the answer is 403 saying that the download needs a review by
// staff, and an access request (UU PDP Art 32) is filed for that review unless one is
// open already, so that the customer gets the data within the statutory time anyway.
// It reports false for any other error.
func (p *Portal) exportBlocked(w http.ResponseWriter, r *http.Request, l *lang, s *session, actor *jaga.Actor, err error) bool {
	if e := jaga.AsError(err); e == nil || e.Code != jaga.EFORBIDDEN || e.Reason != gate.ReasonUndeclaredIdentifier {
		return false
	}
	ctx := r.Context()
	var open []*jaga.DSR
	verr := p.cfg.Vault.View(ctx, func(tx jaga.Tx) error {
		var err error
		open, err = tx.DSRs(ctx, jaga.DSRFilter{Subject: s.Subject, Type: jaga.DSRAccess, Open: true})
		return err
	})
	id := ""
	if verr == nil && len(open) > 0 {
		id = open[0].ID
	} else if verr == nil {
		q, serr := p.cfg.Desk.Submit(ctx, actor, dsr.Submission{Subject: s.Subject, Type: jaga.DSRAccess, Channel: jaga.DSRChannelPortal})
		if serr == nil {
			id = q.ID
		} else {
			verr = serr
		}
	}
	v := view{Error: l.t("err_export_review")}
	if verr != nil {
		p.log.Error("portal export review request", "route", r.Pattern, "error", verr.Error())
		v.Info = l.t("export_review_ask")
	} else {
		v.Info = l.t("export_review_filed") + id
	}
	p.render(w, r, http.StatusForbidden, "message", l, v)
	return true
}
