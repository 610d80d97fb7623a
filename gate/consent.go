package gate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jaga"
	"jaga/policy"
)

// subjectAllowed applies the subject-level rules of policy.SubjectReason to subject s
// for purpose p: restriction (UU PDP Art 11, R-21) and, for a consent-based purpose, the
// consent in force read in tx — so that a withdrawal committed before counts at the
// very next decision — with the child's guardianship. It returns the
// refusal reason or "".
func (g *Gate) subjectAllowed(ctx context.Context, tx jaga.Tx, p *jaga.Purpose, s *jaga.SealedSubject) (string, error) {
	state := policy.StateNone
	if p.NeedsConsent() && !(s.Restricted && p.ID != jaga.PurposeLegalObligation && p.ID != jaga.PurposeDSR) {
		var err error
		if state, err = g.consentState(ctx, tx, s.ID, p, g.now()); err != nil {
			return "", err
		}
	}
	return policy.SubjectReason(p, policy.Subject{Consent: state, Restricted: s.Restricted}), nil
}

// consentState reads the consent in force for (subject, p) and derives its state at t.
func (g *Gate) consentState(ctx context.Context, tx jaga.Tx, subject jaga.SubjectID, p *jaga.Purpose, t time.Time) (policy.ConsentState, error) {
	c, err := tx.CurrentConsent(ctx, subject, p.ID)
	if err != nil {
		return "", err
	}
	var gd *jaga.Guardianship
	if c.Counts() {
		// Only a consent that would count needs the child check.
		if gd, err = tx.Guardianship(ctx, subject); err != nil {
			return "", err
		}
	}
	return policy.StateOf(c, t, gd), nil
}

// completeConsent fills a new record from its input: the details, the local zone from
// At's offset, the end of validity from the purpose (ExpiresAt), and the flags that make
// a given consent not count: invalid:gpc for a Sec-GPC signal, invalid:draft_notice for a
// notice version that is unknown, not approved or not yet in force at At (UU PDP Art
// 22(4)-(5), 23; ).
func (g *Gate) completeConsent(rec *jaga.Consent, in ConsentInput) {
	rec.ConsentDetails = in.Details
	if len(rec.UserAgent) > 300 || jaga.LooksPersonal(rec.UserAgent) {
		rec.UserAgent = "" // a user agent is device evidence, never a place for personal data
	}
	if rec.Zone == "" && !in.At.IsZero() {
		_, off := in.At.Zone()
		rec.Zone = jaga.ZoneOffset(off)
	}
	if rec.GivenBy == "" {
		rec.GivenBy = jaga.GivenBySubject
	}
	r := g.snapshot()
	if p := r.purposes[rec.Purpose]; p != nil && p.ValidityDays > 0 && rec.Status == jaga.ConsentGiven {
		rec.ExpiresAt = rec.At.AddDate(0, 0, p.ValidityDays)
	}
	if rec.Status != jaga.ConsentGiven {
		return
	}
	if rec.NoticeVersion != "" && rec.Flag == "" {
		if n := r.notices[rec.NoticeVersion]; !n.InForce(rec.At) {
			rec.Flag = jaga.FlagDraftNotice
		}
	}
	if in.GPC {
		rec.Flag = jaga.FlagGPC
	}
}

// ConsentRequest records one consent change for a subject: given, refused or withdrawn,
// collected through Channel (R-6: one request, one purpose). UserAgent and GPC come
// from the HTTP request when Jaga served the form itself.
type ConsentRequest struct {
	Request
	Subject jaga.SubjectID
	Channel jaga.Channel
	Consent ConsentInput
}

// ConsentResult is the outcome of a consent change: the stored record, whether it
// counts, its signed receipt, and for a withdrawal what happens to the data.
type ConsentResult struct {
	Consent    *jaga.Consent
	Counts     bool
	Receipt    *Receipt
	Withdrawal *Withdrawal
}

// Withdrawal says, after a withdrawal, which of the subject's fields another lawful
// basis keeps (Kept: field → the purposes and their bases, and any legal hold) and which
// are scheduled for deletion because no purpose keeps them (UU PDP Art 43(1)(b), R-11).
// A field kept only by a legal hold is in both: kept while the hold is in force, deleted
// once it ends.
type Withdrawal struct {
	Kept      map[string][]KeptBy
	Scheduled *jaga.ScheduledDeletion
}

// KeptBy names a purpose and lawful basis that keeps a field after a withdrawal. For a
// legal hold (purpose and basis legal_obligation; DESIGN.md: legal_obligation covers
// the fields under a recorded legal hold, UU PDP Art 43(2)-(3), R-19) Hold is the
// hold's basis (e.g. tax_records) and HoldRef its case reference.
type KeptBy struct {
	Purpose string           `json:"purpose"`
	Basis   jaga.LawfulBasis `json:"lawful_basis"`
	Hold    string           `json:"legal_hold,omitempty"`
	HoldRef string           `json:"legal_hold_ref,omitempty"`
}

// DeletionDelay is how long after a withdrawal the data it alone held is deleted at the
// latest: 3×24 hours (UU PDP Art 40, R-10, R-11).
const DeletionDelay = 72 * time.Hour

// consentRoles may record consents for subjects (a subject actor records its own under
// purpose dsr).
var consentRoles = []jaga.Role{jaga.RoleDPO, jaga.RoleSupport, jaga.RoleService}

// RecordConsent appends one consent record (history is never overwritten, R-9) and
// returns it with its receipt. A withdrawal takes effect for the very next gate decision
// the data it alone held is scheduled for deletion and the result says which
// basis keeps the rest. A child's consent counts only from the linked guardian
// who gave it is recorded. Errors: as Read for the request (dpo, support,
// service or the subject itself); EUNPROCESSABLE naming the member for an unknown or
// not consent-based or inactive purpose, a bad status, channel or giver, evidence that
// looks personal, a time (at) outside jaga.CheckRecordTime's bounds or more than 5
// minutes ahead; ENOTFOUND for an unknown subject or guardian. Audited
// (consent_change).
func (g *Gate) RecordConsent(ctx context.Context, req ConsentRequest) (*ConsentResult, error) {
	subjects := []jaga.SubjectID{req.Subject}
	if _, err := g.checkRequest(req.Request); err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionConsentChange, subjects, nil, err)
	}
	if req.Actor.Kind == jaga.ActorSubject {
		if jaga.SubjectID(req.Actor.ID) != req.Subject {
			return nil, g.refuse(ctx, req.Request, jaga.ActionConsentChange, subjects, nil, jaga.Refusal(policy.ReasonRoleNotAllowed, "a subject records only its own consents"))
		}
	} else if !slices.Contains(consentRoles, req.Actor.Role) {
		return nil, g.refuse(ctx, req.Request, jaga.ActionConsentChange, subjects, nil, jaga.Refusal(policy.ReasonRoleNotAllowed, "role %s does not record consents", req.Actor.Role))
	}
	in := req.Consent
	p, err := g.checkConsentInput(req, &in)
	if err != nil {
		return nil, err
	}
	now := g.now()
	res := &ConsentResult{}
	var refusal error
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		res.Consent, res.Withdrawal, refusal = nil, nil, nil
		ev := g.event(req.Request, jaga.ActionConsentChange, subjects)
		s, err := tx.Subject(ctx, req.Subject)
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			refusal = jaga.Errorf(jaga.ENOTFOUND, "subject not found")
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		} else if err != nil {
			return nil, err
		}
		if in.Details.Guardian != "" {
			if _, err := tx.Subject(ctx, in.Details.Guardian); jaga.ErrorCode(err) == jaga.ENOTFOUND {
				refusal = &jaga.Error{Code: jaga.ENOTFOUND, Field: "guardian", Message: "guardian subject not found"}
				ev.Decision = decisionOf(refusal)
				return []*jaga.AuditEvent{ev}, nil
			} else if err != nil {
				return nil, err
			}
		}
		recs := g.consentRecords(req.Subject, req.Channel, in.At, now, []ConsentInput{in})
		if err := tx.InsertConsents(ctx, recs); err != nil {
			return nil, err
		}
		res.Consent = recs[0]
		if in.Status == jaga.ConsentWithdrawn {
			if res.Withdrawal, err = g.withdrawal(ctx, tx, s, p, now); err != nil {
				return nil, err
			}
		}
		st, err := g.consentState(ctx, tx, req.Subject, p, now)
		if err != nil {
			return nil, err
		}
		res.Counts = st == policy.StateGiven
		ev.Reason = "consent " + p.ID + " " + string(in.Status)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	if res.Receipt, err = g.receipt(res.Consent, p); err != nil {
		return nil, err
	}
	return res, nil
}

// checkConsentInput validates a consent change and normalises in (time, giver,
// collector). It returns the consent's purpose.
func (g *Gate) checkConsentInput(req ConsentRequest, in *ConsentInput) (*jaga.Purpose, error) {
	p, ok := g.Purpose(in.Purpose)
	switch {
	case !ok:
		return nil, jaga.FieldError("purpose", "unknown purpose")
	case !p.NeedsConsent():
		return nil, jaga.FieldError("purpose", "purpose %s has lawful basis %s, not consent", p.ID, p.Basis)
	case p.Status != jaga.PurposeActive && in.Status == jaga.ConsentGiven:
		return nil, jaga.FieldError("purpose", "purpose %s is %s; consent can be given only to an active purpose", p.ID, p.Status)
	}
	switch in.Status {
	case jaga.ConsentGiven, jaga.ConsentRefused, jaga.ConsentWithdrawn:
	default:
		return nil, jaga.FieldError("status", "status must be given, refused or withdrawn")
	}
	if !req.Channel.Valid() {
		return nil, jaga.FieldError("channel", "channel must be one of web_form, email_signup, api, exhibition, door_to_door, store_visit, import (R-4)")
	}
	d := &in.Details
	switch d.GivenBy {
	case jaga.GivenBySubject:
		if d.Guardian != "" {
			return nil, jaga.FieldError("guardian", "a guardian is named only when given_by is guardian")
		}
	case jaga.GivenByGuardian:
		if !d.Guardian.Valid() || d.Guardian == req.Subject {
			return nil, jaga.FieldError("guardian", "given_by guardian needs the guardian's subject id (R-3, R-4)")
		}
	default:
		return nil, jaga.FieldError("given_by", "given_by must be subject or guardian (R-4)")
	}
	for name, v := range map[string]string{"evidence": in.Evidence, "notice_version": in.NoticeVersion, "text_hash": d.TextHash,
		"source_hash": d.SourceHash, "scan_hash": d.ScanHash, "collector": d.Collector} {
		if len(v) > 100 || jaga.LooksPersonal(v) {
			return nil, jaga.FieldError(name, "%s must be a reference or hash of at most 100 bytes, not personal data", name)
		}
	}
	if d.Zone != "" && jaga.Zones[d.Zone] == "" {
		return nil, jaga.FieldError("zone", "zone must be WIB, WITA or WIT")
	}
	now := g.now()
	if in.At.IsZero() {
		in.At = now
	} else if in.At.After(now.Add(5 * time.Minute)) {
		// Stricter than the shared bound: a change recorded now takes effect for the
		// very next decision, which a record dated later would not.
		return nil, jaga.FieldError("at", "the consent time is more than 5 minutes after the server clock; a consent recorded now is dated now or earlier")
	} else if err := jaga.CheckRecordTime("at", in.At, now); err != nil {
		return nil, err
	}
	if d.Collector == "" && req.Actor.Kind == jaga.ActorStaff && req.Channel != jaga.ChannelWebForm && req.Channel != jaga.ChannelEmailSignup {
		d.Collector = req.Actor.ID
	}
	return p, nil
}

// withdrawal works out, after subject s withdrew consent to p, which fields another
// basis keeps and schedules the deletion of those no purpose keeps; see retention.
func (g *Gate) withdrawal(ctx context.Context, tx jaga.Tx, s *jaga.SealedSubject, p *jaga.Purpose, now time.Time) (*Withdrawal, error) {
	r, err := g.retention(ctx, tx, s.ID, now)
	if err != nil {
		return nil, err
	}
	held, err := g.heldFields(s, p)
	if err != nil {
		return nil, err
	}
	w := &Withdrawal{Kept: map[string][]KeptBy{}}
	var orphans []string
	for _, name := range held {
		by, purposeKeeps := r.keptBy(g.schema, name)
		if len(by) > 0 {
			w.Kept[name] = by
		}
		if !purposeKeeps {
			orphans = append(orphans, name)
		}
	}
	if len(orphans) > 0 {
		w.Scheduled = &jaga.ScheduledDeletion{Subject: s.ID, Purpose: p.ID, Fields: orphans, DueAt: now.Add(DeletionDelay), CreatedAt: now}
		if err := tx.ScheduleDeletion(ctx, w.Scheduled); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// heldFields lists the fields of purpose p that subject s holds (schema order), then
// jaga.FieldPurchases when p covers purchases. Which attributes s has is known only
// inside the sealed attribute object, which is opened here (no value leaves).
func (g *Gate) heldFields(s *jaga.SealedSubject, p *jaga.Purpose) ([]string, error) {
	var names []string
	for _, f := range g.schema.Fields {
		if p.Covers(f) {
			names = append(names, f.Name)
		}
	}
	out, _, err := g.present(s, names)
	if err == nil && p.CoversPurchases() {
		out = append(out, jaga.FieldPurchases)
	}
	return out, err
}

// present returns the names among names (schema fields; jaga.FieldPurchases is left
// out) that subject s holds a value for, in the order given, and s's attributes when
// it opened them (nil otherwise).
func (g *Gate) present(s *jaga.SealedSubject, names []string) ([]string, map[string]string, error) {
	var out []string
	var attrs map[string]string
	for _, name := range names {
		f, ok := g.schema.Field(name)
		if !ok {
			continue
		}
		if f.Kind != jaga.KindAttribute {
			if _, has := s.Sealed[name]; has {
				out = append(out, name)
			}
			continue
		}
		if _, has := s.Sealed[AttributesField]; !has {
			continue
		}
		if attrs == nil {
			dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
			if err != nil {
				return nil, nil, fmt.Errorf("subject %s: open data key: %w", s.ID, err)
			}
			if attrs, err = openAttributes(dek, s); err != nil {
				return nil, nil, err
			}
		}
		if _, has := attrs[name]; has {
			out = append(out, name)
		}
	}
	return out, attrs, nil
}

// retained is what keeps a subject's data at one time: the active purposes with a basis
// in force for it, and its legal holds in force.
type retained struct {
	keepers []*jaga.Purpose
	holds   []*jaga.LegalHold
}

// retention reads what keeps subject's data at t: every active purpose
// that rests on contract, vital interest, public task or legitimate interest, or on a
// consent that counts at t; legal_obligation and dsr keep nothing by themselves, only
// through the subject's legal holds in force at t.
func (g *Gate) retention(ctx context.Context, tx jaga.Tx, subject jaga.SubjectID, t time.Time) (*retained, error) {
	r := &retained{}
	for _, o := range g.Purposes() {
		if o.Status != jaga.PurposeActive || o.Basis == jaga.BasisLegalObligation {
			continue
		}
		if o.NeedsConsent() {
			st, err := g.consentState(ctx, tx, subject, o, t)
			if err != nil {
				return nil, err
			}
			if st != policy.StateGiven {
				continue
			}
		}
		r.keepers = append(r.keepers, o)
	}
	var err error
	if r.holds, err = tx.LegalHolds(ctx, subject, t); err != nil {
		return nil, err
	}
	return r, nil
}

// keptBy says what keeps field name (or jaga.FieldPurchases): the purposes covering it,
// then each legal hold (which keeps every field), and whether a purpose keeps it.
func (r *retained) keptBy(schema *jaga.Schema, name string) (by []KeptBy, purposeKeeps bool) {
	f, isField := schema.Field(name)
	for _, k := range r.keepers {
		if isField && k.Covers(f) || name == jaga.FieldPurchases && k.CoversPurchases() {
			by = append(by, KeptBy{Purpose: k.ID, Basis: k.Basis})
		}
	}
	purposeKeeps = len(by) > 0
	for _, h := range r.holds {
		by = append(by, KeptBy{Purpose: jaga.PurposeLegalObligation, Basis: jaga.BasisLegalObligation, Hold: h.Basis, HoldRef: h.Ref})
	}
	return by, purposeKeeps
}

// ConsentsAt returns, for each consent-based purpose, the record that was in force for
// the subject at t (proof, UU PDP Art 24, R-9); purposes without a record are left out.
// Errors: as Consents.
func (g *Gate) ConsentsAt(ctx context.Context, req Request, subject jaga.SubjectID, t time.Time) ([]*jaga.Consent, error) {
	if _, err := g.checkRequest(req); err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionReadConsents, []jaga.SubjectID{subject}, nil, err)
	}
	var out []*jaga.Consent
	err := g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		out = nil
		ev := g.event(req, jaga.ActionReadConsents, []jaga.SubjectID{subject})
		for _, p := range g.Purposes() {
			if !p.NeedsConsent() {
				continue
			}
			c, err := tx.ConsentAt(ctx, subject, p.ID, t)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out = append(out, c)
			}
		}
		ev.Count = len(out)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return out, err
}

// ListSubjects streams to fn the IDs of the subjects with a valid basis for the
// request's purpose (UU PDP Art 28, R-27): for a consent-based purpose those whose
// consent in force counts now (given, no invalid flag, not expired), for another basis
// every live subject; restricted subjects are left out except for legal_obligation and
// dsr. The selection runs in the database. An audit event is committed before
// the first ID leaves and a second one records the count. A child (a guardianship in
// force) is listed only when its consent in force was given by the linked guardian, as
// a read decides (guardian_required; UU PDP Art 25, R-3), in the same query. Errors: as
// Read for the request; fn's error stops the listing.
func (g *Gate) ListSubjects(ctx context.Context, req Request, fn func(jaga.SubjectID) error) (int, error) {
	p, err := g.checkRequest(req)
	if err != nil {
		return 0, g.refuse(ctx, req, ActionListSubjects, nil, nil, err)
	}
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		ev := g.event(req, ActionListSubjects, nil)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return 0, err
	}
	f := jaga.SubjectListFilter{Purpose: p.ID, Consent: p.NeedsConsent(), Now: g.now(),
		IncludeRestricted: p.ID == jaga.PurposeLegalObligation || p.ID == jaga.PurposeDSR}
	n := 0
	err = g.store.View(ctx, func(tx jaga.Tx) error {
		return tx.ListSubjects(ctx, f, func(id jaga.SubjectID) error {
			n++
			return fn(id)
		})
	})
	if rerr := g.RecordEvent(context.WithoutCancel(ctx), req, ActionListSubjects, n); err == nil {
		err = rerr
	}
	return n, err
}

// maxChildhood is how far ahead a child's adult_at may lie: 18 years of 365 days and a
// week (a newborn; the week holds 18 years' leap days and room for time zones).
var maxChildhood = 18*365*24*time.Hour + 7*24*time.Hour

// checkAdultAt checks a guardianship's adult_at against now: it must lie after now (a
// subject already adult consents for themself, UU PDP Art 25, R-3) and at most
// maxChildhood ahead (a later date is a typing mistake that would keep an adult under a
// guardian). Errors are EUNPROCESSABLE naming adult_at, without the value.
func checkAdultAt(adultAt, now time.Time) error {
	switch {
	case !adultAt.After(now):
		return jaga.FieldError("adult_at", "adult_at is not after now: the subject is an adult and gives their own consent (UU PDP Art 25)")
	case adultAt.After(now.Add(maxChildhood)):
		return jaga.FieldError("adult_at", "adult_at is more than 18 years ahead: a child turns 18 within 18 years")
	}
	return nil
}

// SetGuardian links child subject to guardian until adultAt (UU PDP Art 25, R-3): from
// then on the child's consents count only when given by that guardian. Only the dpo
// links guardians. Errors: EFORBIDDEN role_not_allowed, ENOTFOUND for either subject,
// EUNPROCESSABLE for a guardian that is the child or an adult_at not after now or more
// than 18 years ahead (checkAdultAt). Audited (consent_change).
func (g *Gate) SetGuardian(ctx context.Context, req Request, child, guardian jaga.SubjectID, adultAt time.Time) error {
	subjects := []jaga.SubjectID{child}
	if guardian.Valid() && guardian != child {
		// A missing or malformed guardian is not a subject the audit event can name.
		subjects = append(subjects, guardian)
	}
	if _, err := g.checkRequest(req); err != nil {
		return g.refuse(ctx, req, jaga.ActionConsentChange, subjects, nil, err)
	}
	if req.Actor.Role != jaga.RoleDPO {
		return g.refuse(ctx, req, jaga.ActionConsentChange, subjects, nil, jaga.Refusal(policy.ReasonRoleNotAllowed, "only the dpo links guardians"))
	}
	if child == guardian || !guardian.Valid() {
		return jaga.FieldError("guardian", "the guardian must be another subject")
	}
	if adultAt.IsZero() {
		return jaga.FieldError("adult_at", "adult_at (when the child turns 18) is required")
	}
	if err := checkAdultAt(adultAt, g.now()); err != nil {
		return err
	}
	var refusal error
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		refusal = nil
		ev := g.event(req, jaga.ActionConsentChange, subjects)
		for _, id := range subjects {
			if _, err := tx.Subject(ctx, id); jaga.ErrorCode(err) == jaga.ENOTFOUND {
				refusal = jaga.Errorf(jaga.ENOTFOUND, "subject not found")
				ev.Decision = decisionOf(refusal)
				return []*jaga.AuditEvent{ev}, nil
			} else if err != nil {
				return nil, err
			}
		}
		if err := tx.SetGuardianship(ctx, &jaga.Guardianship{Subject: child, Guardian: guardian, AdultAt: adultAt.UTC()}); err != nil {
			return nil, err
		}
		ev.Reason = "guardian linked"
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return err
	}
	return refusal
}
