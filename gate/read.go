package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jaga"
	"jaga/normalize"
	"jaga/policy"
	"jaga/seal"
)

// Request is what every gate call names: who (Actor), why (Purpose), and optionally a
// free-text reason or ticket (required for reveals) and the request ID for the audit.
type Request struct {
	Actor     *jaga.Actor
	Purpose   string
	Reason    string
	RequestID string
}

// PurposeUnreadable is what a transport passes as Request.Purpose when the caller sent
// a purpose that cannot be read: several purposes, or a value that is no purpose ID
// (DESIGN.md: a missing or unknown purpose is 400, and audited). It is not a valid
// purpose ID, so it is never registered: every purpose check refuses it as an unknown
// purpose (EINVALID naming Jaga-Purpose), the refusal is audited without it (refuse
// drops unregistered purposes), and calls that take no purpose (the registry, notices)
// refuse it too instead of ignoring it (checkPurposeSent).
const PurposeUnreadable = "(unreadable)"

// checkPurposeSent refuses PurposeUnreadable on calls that do not otherwise check the
// purpose, as the purpose checks do: EINVALID naming Jaga-Purpose.
func checkPurposeSent(r Request) error {
	if r.Purpose == PurposeUnreadable {
		return &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Purpose", Message: "unknown purpose"}
	}
	return nil
}

// Record is one subject as the gate returns it: the values it may show (masked where
// the decision is a mask) and the decision for every field that was not plainly allowed.
type Record struct {
	Subject     jaga.SubjectID
	Values      map[string]string
	Decisions   map[string]jaga.Decision
	Channel     jaga.Channel
	CollectedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ReadRequest reads one subject. Fields nil means every field the purpose and role
// allow; named Fields that are unknown are EUNPROCESSABLE and named Fields that are
// denied are EFORBIDDEN. Reveal lists masked fields to show in full: each must be
// revealable for the role and needs a Reason.
type ReadRequest struct {
	Request
	Subject jaga.SubjectID
	Fields  []string
	Reveal  []string
}

// FindRequest looks subjects up by a blind-indexed field (email, phone or nik) with the
// value as typed; it is normalised first (DESIGN.md blind-index rule).
type FindRequest struct {
	Request
	Field  string
	Value  jaga.Redacted
	Fields []string
	Reveal []string
}

// plan is the per-field decision for one (role, purpose, requested fields) before the
// subject is known.
type plan struct {
	purpose   *jaga.Purpose
	fields    []jaga.FieldSpec
	decisions map[string]jaga.Decision // every requested field's decision (after reveals)
	requested []string
	denied    map[string]jaga.Decision // fields left out, with why (listed in Record.Decisions)
}

// refuse records a refused call: it writes one audit event (in its own transaction)
// and returns err.
func (g *Gate) refuse(ctx context.Context, r Request, action string, subjects []jaga.SubjectID, requested []string, err error) error {
	if _, ok := g.Purpose(r.Purpose); !ok {
		// An unregistered purpose is caller text: keep it out of the audit log
		// (invariant 6); the decision says why the call failed.
		r.Purpose = ""
	}
	ev := g.event(r, action, subjects)
	ev.FieldsRequested = g.knownFields(requested)
	ev.Decision = decisionOf(err)
	if aerr := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		return []*jaga.AuditEvent{ev}, nil
	}); aerr != nil {
		return fmt.Errorf("audit refusal: %w", aerr)
	}
	return err
}

// decisionOf gives the audit decision string for an error: "deny:<reason>" for
// refusals, "error:<code>" otherwise.
func decisionOf(err error) string {
	if e := jaga.AsError(err); e != nil {
		if e.Code == jaga.EFORBIDDEN && e.Reason != "" {
			return "deny:" + e.Reason
		}
		return "error:" + e.Code
	}
	return "error:" + jaga.EINTERNAL
}

func (g *Gate) event(r Request, action string, subjects []jaga.SubjectID) *jaga.AuditEvent {
	ev := &jaga.AuditEvent{Time: g.now(), Action: action, Purpose: r.Purpose, Subjects: subjects, RequestID: r.RequestID}
	if validReason(r.Reason) {
		// A refused reason is left out: the event's decision says the call failed.
		ev.Reason = r.Reason
	}
	if r.Actor != nil {
		ev.ActorID, ev.Role = r.Actor.ID, r.Actor.Role
	}
	return ev
}

// checkRequest validates actor and purpose: an unknown purpose is EINVALID (400), a role
// not allowed the purpose EFORBIDDEN with reason role_not_allowed (403). The portal's
// sign-in role is refused here whatever the policy says: only Find takes it (checkLookup).
func (g *Gate) checkRequest(r Request) (*jaga.Purpose, error) {
	if err := refusePortal(r); err != nil {
		return nil, err
	}
	return g.checkLookup(r)
}

// checkLookup is checkRequest for Find, which also serves jaga.RolePortal.
func (g *Gate) checkLookup(r Request) (*jaga.Purpose, error) {
	if r.Actor == nil {
		return nil, jaga.Errorf(jaga.EUNAUTHORIZED, "no actor")
	}
	if r.Purpose == "" {
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Purpose", Message: "a purpose is required"}
	}
	p, ok := g.Purpose(r.Purpose)
	if !ok {
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Purpose", Message: "unknown purpose"}
	}
	if why := g.policy.PurposeReason(r.Actor.Role, p); why != "" {
		return nil, jaga.Refusal(why, "role %s may not use purpose %s (%s)", r.Actor.Role, p.ID, why)
	}
	if err := checkReason(r.Reason); err != nil {
		return nil, err
	}
	if r.Actor.Kind == jaga.ActorSubject && p.ID != jaga.PurposeDSR {
		return nil, jaga.Refusal("role_not_allowed", "a subject acts only under purpose dsr")
	}
	return p, nil
}

// planKey names a cached default plan: every field, no reveals.
type planKey struct {
	role    jaga.Role
	purpose string
}

// makePlan decides every requested field for the role and purpose. Plans are pure
// functions of (role, purpose, fields, reveals) and read-only once made, so the default
// plan (all fields, no reveals) is cached per role and purpose.
func (g *Gate) makePlan(r Request, p *jaga.Purpose, fields, reveal []string) (*plan, error) {
	if fields == nil && len(reveal) == 0 {
		k := planKey{r.Actor.Role, p.ID}
		if pl, ok := g.plans.Load(k); ok {
			return pl.(*plan), nil
		}
		pl, err := g.buildPlan(r, p, nil, nil)
		if err == nil {
			g.plans.Store(k, pl)
		}
		return pl, err
	}
	return g.buildPlan(r, p, fields, reveal)
}

func (g *Gate) buildPlan(r Request, p *jaga.Purpose, fields, reveal []string) (*plan, error) {
	pl := &plan{purpose: p, decisions: make(map[string]jaga.Decision)}
	explicit := fields != nil
	if !explicit {
		fields = g.schema.Names()
	}
	for _, name := range fields {
		f, ok := g.schema.Field(name)
		if !ok {
			return nil, jaga.FieldError(name, "unknown field")
		}
		d := g.policy.Decide(r.Actor.Role, p, f)
		if d.IsDeny() {
			if explicit {
				return nil, jaga.Refusal(d.Reason(), "field %s is denied for role %s and purpose %s", name, r.Actor.Role, p.ID)
			}
			if pl.denied == nil {
				pl.denied = make(map[string]jaga.Decision)
			}
			pl.denied[name] = d
			continue
		}
		pl.fields = append(pl.fields, f)
		pl.requested = append(pl.requested, name)
		pl.decisions[name] = d
	}
	for _, name := range reveal {
		d, ok := pl.decisions[name]
		if !ok {
			if _, known := g.schema.Field(name); !known {
				return nil, jaga.FieldError(name, "unknown field")
			}
			if explicit && !slices.Contains(fields, name) {
				return nil, jaga.FieldError("reveal", "reveal names field %s, which is not among the requested fields", name)
			}
			return nil, jaga.Refusal("not_revealable", "field %s is not available for this role and purpose", name)
		}
		if _, masked := d.MaskRule(); !masked {
			continue
		}
		if !g.policy.CanReveal(r.Actor.Role, p.ID, name) {
			return nil, jaga.Refusal("not_revealable", "field %s cannot be revealed by role %s", name, r.Actor.Role)
		}
		if strings.TrimSpace(r.Reason) == "" {
			return nil, jaga.Refusal("reason_required", "revealing %s needs a reason (Jaga-Reason)", name)
		}
		pl.decisions[name] = jaga.Allow
	}
	return pl, nil
}

// Read returns one subject's fields for the request's purpose. Errors: EINVALID (no or
// unknown purpose), EUNPROCESSABLE (unknown field), EFORBIDDEN with reason
// role_not_allowed, no_consent, restricted, not_revealable or reason_required,
// ENOTFOUND. Every outcome writes one audit event.
func (g *Gate) Read(ctx context.Context, req ReadRequest) (*Record, error) {
	p, err := g.checkRequest(req.Request)
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionRead, []jaga.SubjectID{req.Subject}, req.Fields, err)
	}
	pl, err := g.makePlan(req.Request, p, req.Fields, req.Reveal)
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionRead, []jaga.SubjectID{req.Subject}, req.Fields, err)
	}
	var s *jaga.SealedSubject
	var refusal error
	err = g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		s, refusal = nil, nil
		ev := g.event(req.Request, jaga.ActionRead, []jaga.SubjectID{req.Subject})
		ev.FieldsRequested = pl.requested
		got, ref, err := g.loadAllowed(ctx, tx, p, req.Subject, ev)
		if err != nil {
			return nil, err
		} else if ref != nil {
			refusal = ref
			return []*jaga.AuditEvent{ev}, nil
		}
		s = got
		ev.FieldsReturned, ev.Decisions = returned(pl, got)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return g.open(s, pl)
}

// returned lists the planned fields the subject has a value for, and the non-allow
// decisions, for the audit event.
func returned(pl *plan, s *jaga.SealedSubject) ([]string, map[string]jaga.Decision) {
	var names []string
	var ds map[string]jaga.Decision
	for _, f := range pl.fields {
		if _, ok := s.Sealed[sealedKey(f)]; !ok {
			continue
		}
		names = append(names, f.Name)
		if d := pl.decisions[f.Name]; d != jaga.Allow {
			if ds == nil {
				ds = make(map[string]jaga.Decision)
			}
			ds[f.Name] = d
		}
	}
	return names, ds
}

// open decrypts the planned fields of s and masks them as decided. It runs only after
// the audit event is committed.
func (g *Gate) open(s *jaga.SealedSubject, pl *plan) (*Record, error) {
	rec := &Record{Subject: s.ID, Values: make(map[string]string, len(pl.fields)), Decisions: make(map[string]jaga.Decision, len(pl.denied)+2),
		Channel: s.Channel, CollectedAt: s.CollectedAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	for name, d := range pl.denied {
		rec.Decisions[name] = d
	}
	dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
	if err != nil {
		return nil, fmt.Errorf("subject %s: open data key: %w", s.ID, err)
	}
	var attrs map[string]string
	for _, f := range pl.fields {
		var v string
		if f.Kind == jaga.KindAttribute {
			if attrs == nil {
				if attrs, err = openAttributes(dek, s); err != nil {
					return nil, err
				}
			}
			av, ok := attrs[f.Name]
			if !ok {
				continue
			}
			v = av
		} else {
			ct, ok := s.Sealed[f.Name]
			if !ok {
				continue
			}
			pt, err := dek.Open(seal.FieldAD(s.ID, f.Name), ct)
			if err != nil {
				return nil, fmt.Errorf("subject %s field %s: %w", s.ID, f.Name, err)
			}
			v = string(pt)
		}
		d := pl.decisions[f.Name]
		if rule, masked := d.MaskRule(); masked {
			if v, err = policy.ApplyMask(rule, v); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		if d != jaga.Allow {
			rec.Decisions[f.Name] = d
		}
		rec.Values[f.Name] = v
	}
	return rec, nil
}

// Find looks subjects up by email, phone or NIK (normalised, then blind-indexed) and
// returns those the purpose allows, oldest first. Subjects refused for the purpose
// (no consent, restricted) are left out; if every match is refused the call is
// EFORBIDDEN with that reason; no match is ENOTFOUND. One audit event names every match.
func (g *Gate) Find(ctx context.Context, req FindRequest) ([]*Record, error) {
	p, err := g.checkLookup(req.Request)
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionFind, nil, []string{req.Field}, err)
	}
	f, ok := g.schema.Field(req.Field)
	if !ok || !f.Indexed {
		return nil, g.refuse(ctx, req.Request, jaga.ActionFind, nil, []string{req.Field},
			jaga.FieldError(req.Field, "look-ups take one of the blind-indexed fields: %s", strings.Join(indexedNames(g.schema), ", ")))
	}
	// Looking up by a value the role may not see would make the gate an oracle for it
	// (is this NIK a customer?): the look-up field must be visible, masked at least.
	if d := g.policy.Decide(req.Actor.Role, p, f); d.IsDeny() {
		return nil, g.refuse(ctx, req.Request, jaga.ActionFind, nil, []string{req.Field},
			jaga.Refusal("lookup_field_denied", "role %s may not look subjects up by %s for purpose %s", req.Actor.Role, f.Name, p.ID))
	}
	norm, err := normalize.Value(f.Name, f.Type, req.Value.Value())
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionFind, nil, []string{req.Field}, err)
	}
	pl, err := g.makePlan(req.Request, p, req.Fields, req.Reveal)
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionFind, nil, req.Fields, err)
	}
	idx := g.keys.BlindIndex(f.Name, norm)
	var found []*jaga.SealedSubject
	var refusal error
	err = g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		found, refusal = nil, nil
		ev := g.event(req.Request, jaga.ActionFind, nil)
		ev.FieldsRequested = pl.requested
		subs, err := tx.FindSubjects(ctx, f.Name, idx)
		if err != nil {
			return nil, err
		}
		ids := make([]jaga.SubjectID, len(subs))
		for i, s := range subs {
			ids[i] = s.ID
		}
		ev.Subjects = ids
		var why string
		for _, s := range subs {
			id := s.ID
			w, err := g.subjectAllowed(ctx, tx, p, s)
			if err != nil {
				return nil, err
			}
			if w != "" {
				why = w
				if ev.Decisions == nil {
					ev.Decisions = make(map[string]jaga.Decision)
				}
				ev.Decisions[string(id)] = jaga.Deny(w)
				continue
			}
			found = append(found, s)
		}
		switch {
		case len(ids) == 0:
			refusal = jaga.Errorf(jaga.ENOTFOUND, "no subject matches")
			ev.Decision = decisionOf(refusal)
		case len(found) == 0:
			refusal = jaga.Refusal(why, "matching subjects are refused for purpose %s", p.ID)
			ev.Decision = "deny:" + why
		default:
			ev.Decision = string(jaga.Allow)
			var names []string
			for _, s := range found {
				n, _ := returned(pl, s)
				names = append(names, n...)
			}
			slices.Sort(names)
			ev.FieldsReturned = slices.Compact(names)
		}
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	out := make([]*Record, 0, len(found))
	for _, s := range found {
		rec, err := g.open(s, pl)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func indexedNames(s *jaga.Schema) []string {
	var out []string
	for _, f := range s.Indexed() {
		out = append(out, f.Name)
	}
	return out
}

// knownFields keeps the schema's field names (and the purchases pseudo-field) from a
// caller's list, so that caller text never reaches the audit log.
func (g *Gate) knownFields(names []string) []string {
	var out []string
	for _, n := range names {
		if _, ok := g.schema.Field(n); ok || n == jaga.FieldPurchases {
			out = append(out, n)
		}
	}
	return out
}

// loadAllowed loads subject id inside tx and applies the subject-level rules for p.
// A missing subject or a refusal is not a transaction failure: it comes back as
// refusal, with ev.Decision set, so that the caller still commits the audit event.
func (g *Gate) loadAllowed(ctx context.Context, tx jaga.Tx, p *jaga.Purpose, id jaga.SubjectID, ev *jaga.AuditEvent) (s *jaga.SealedSubject, refusal error, err error) {
	if strings.HasPrefix(ev.ActorID, jaga.SubjectIDPrefix) && ev.ActorID != string(id) {
		// A subject actor (jaga.SubjectActor) touches only its own subject.
		refusal = jaga.Refusal("not_own_data", "a subject acts only on their own data")
		ev.Decision = decisionOf(refusal)
		return nil, refusal, nil
	}
	s, err = tx.Subject(ctx, id)
	if jaga.ErrorCode(err) == jaga.ENOTFOUND {
		refusal = jaga.Errorf(jaga.ENOTFOUND, "subject not found")
		ev.Decision = decisionOf(refusal)
		return nil, refusal, nil
	} else if err != nil {
		return nil, nil, err
	}
	why, err := g.subjectAllowed(ctx, tx, p, s)
	if err != nil {
		return nil, nil, err
	}
	if why != "" {
		refusal = jaga.Refusal(why, "subject refused for purpose %s", p.ID)
		ev.Decision = "deny:" + why
		return nil, refusal, nil
	}
	return s, nil, nil
}

// validReason reports whether a reveal reason may be stored: at most 200 bytes and not
// looking like it carries a personal value (invariant 6).
func validReason(reason string) bool {
	return len(reason) <= 200 && !jaga.LooksPersonal(reason)
}

// checkReason is validReason as an EINVALID error naming the Jaga-Reason header.
func checkReason(reason string) error {
	if !validReason(reason) {
		return &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Reason", Message: "the reason must be a ticket reference or short text of at most 200 bytes without personal data (no e-mail, phone or ID number)"}
	}
	return nil
}
