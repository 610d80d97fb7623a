package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"jaga"
	"jaga/normalize"
	"jaga/policy"
	"jaga/seal"
)

// NewSubjectID returns "sub_" + the 32 hex digits of a new UUIDv7 (RFC 9562 §5.7):
// time-ordered, so that inserts stay near the end of the index, and random, so that it
// says nothing about the person.
func NewSubjectID() (jaga.SubjectID, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new subject id: %w", err)
	}
	return jaga.SubjectID(jaga.SubjectIDPrefix + strings.ReplaceAll(u.String(), "-", "")), nil
}

// ConsentInput is a consent as collected: the purpose, the status (given or refused),
// the notice version shown and the evidence reference (double-opt-in ID, paper form
// number), and when it was given. The gate turns it into a jaga.Consent and flags a
// given consent without its minimum evidence invalid:no_evidence.
//
// Details carries the rest of the record (who gave it, the collector, evidence hashes,
// the local zone); GPC reports a Sec-GPC: 1 signal sent with the consent, which turns a
// given consent into one flagged invalid:gpc (issue 3). A zero Details.Zone is taken
// from At's UTC offset when that is +7, +8 or +9 hours.
type ConsentInput struct {
	Purpose       string
	Status        jaga.ConsentStatus
	NoticeVersion string
	Evidence      string
	At            time.Time
	Details       jaga.ConsentDetails
	GPC           bool
	// Flag is an invalid flag the collector already knows (jaga.FlagGPC when the
	// browser sent Sec-GPC: 1); the gate adds invalid:no_evidence and
	// invalid:draft_notice itself.
	Flag string
}

// CreateRequest creates one subject from raw values (normalised and validated here),
// with its provenance and the consents collected with it.
type CreateRequest struct {
	Request
	Values      map[string]string
	Channel     jaga.Channel
	CollectedAt time.Time
	Consents    []ConsentInput
}

// prepared is a validated, normalised subject ready to seal.
type prepared struct {
	values   map[string]string
	channel  jaga.Channel
	at       time.Time
	consents []ConsentInput
	review   []string // review reasons of the values (pii_in_free_text:<kind>)
}

// earliestBirthDate is the earliest birth date a subject may have (YYYY-MM-DD).
const earliestBirthDate = "1800-01-01"

// value normalises a non-blank raw value of field f and checks it: the field's
// normaliser, its max_len, and for birth_date neither in the future nor before
// earliestBirthDate. Errors are EUNPROCESSABLE naming the field, never the value.
func (g *Gate) value(f jaga.FieldSpec, raw string) (string, error) {
	v, err := normalize.Value(f.Name, f.Type, raw)
	if err != nil {
		return "", err
	}
	if len(v) > f.MaxLen {
		return "", jaga.FieldError(f.Name, "value is %d bytes; at most %d allowed", len(v), f.MaxLen)
	}
	if f.Name == "birth_date" && v > g.now().Format(time.DateOnly) {
		return "", jaga.FieldError(f.Name, "birth date is in the future")
	}
	if f.Name == "birth_date" && v < earliestBirthDate {
		// A typing or conversion mistake (year 0001 is Go's and many tools' zero
		// date), not a customer; the bundled data's oldest, 1893, still passes.
		return "", jaga.FieldError(f.Name, "birth date is before %s", earliestBirthDate)
	}
	return v, nil
}

// CheckValue checks a value for the schema's field name as Create and Update would:
// EUNPROCESSABLE naming the field for an unknown field or a value the field refuses
// (normaliser, max_len, birth-date bounds); nil for a blank value (a removal) or one
// that would be stored. The request desk checks a correction with it when the request
// is made, so that one that could never be applied is refused then.
func (g *Gate) CheckValue(name, raw string) error {
	f, ok := g.schema.Field(name)
	if !ok {
		return jaga.FieldError(name, "unknown field")
	}
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	_, err := g.value(f, raw)
	return err
}

// prepare normalises and validates raw values for purpose p. Errors are EUNPROCESSABLE
// naming the field: unknown field, a field not collected for the purpose, a value
// the field's normaliser rejects or that is longer than the field's max_len, a
// collection or consent time (when given: not zero) outside jaga.CheckRecordTime's
// bounds (collected_at, consents).
func (g *Gate) prepare(p *jaga.Purpose, values map[string]string, channel jaga.Channel, at time.Time, consents []ConsentInput) (*prepared, error) {
	if channel == "" {
		channel = jaga.ChannelAPI
	}
	if !channel.Valid() {
		return nil, jaga.FieldError("channel", "unknown channel")
	}
	covering := []*jaga.Purpose{p}
	key := p.ID
	for i, c := range consents {
		cp, ok := g.Purpose(c.Purpose)
		if !ok {
			return nil, jaga.FieldError("consents", "consent %d names an unknown purpose", i+1)
		}
		if !cp.NeedsConsent() {
			return nil, jaga.FieldError("consents", "purpose %s has lawful basis %s, not consent", cp.ID, cp.Basis)
		}
		if c.Status != jaga.ConsentGiven && c.Status != jaga.ConsentRefused {
			return nil, jaga.FieldError("consents", "consent status must be given or refused")
		}
		if c.Flag != "" && c.Flag != jaga.FlagGPC && c.Flag != jaga.FlagNoEvidence && c.Flag != jaga.FlagDraftNotice {
			return nil, jaga.FieldError("consents", "consent %d has an unknown flag", i+1)
		}
		if len(c.Evidence) > 100 || len(c.NoticeVersion) > 100 || jaga.LooksPersonal(c.Evidence) || jaga.LooksPersonal(c.NoticeVersion) {
			return nil, jaga.FieldError("consents", "consent %d: evidence and notice version must be references (form number, double-opt-in ID, notice version) of at most 100 bytes, not personal data", i+1)
		}
		if !c.At.IsZero() {
			if err := jaga.CheckRecordTime("consents", c.At, g.now()); err != nil {
				return nil, jaga.FieldError("consents", "consent %d: %s", i+1, jaga.ErrorMessage(err))
			}
		}
		for j := 0; j < i; j++ {
			if consents[j].Purpose == c.Purpose {
				return nil, jaga.FieldError("consents", "one consent per purpose (R-6): %s appears twice", c.Purpose)
			}
		}
		covering = append(covering, cp)
		key += "," + cp.ID
	}
	covered := g.coverage(key, covering)
	if !at.IsZero() {
		if err := jaga.CheckRecordTime("collected_at", at, g.now()); err != nil {
			return nil, err
		}
	}
	out := &prepared{values: make(map[string]string, len(values)), channel: channel, at: at.UTC(), consents: consents}
	for name, raw := range values {
		f, ok := g.schema.Field(name)
		if !ok {
			return nil, jaga.FieldError(name, "unknown field")
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if !covered[name] {
			return nil, jaga.FieldError(name, "field is not collected for purpose %s (UU PDP Art 27, R-26)", p.ID)
		}
		v, err := g.value(f, raw)
		if err != nil {
			return nil, err
		}
		out.values[name] = v
	}
	if len(out.values) == 0 {
		return nil, jaga.FieldError("values", "at least one field is required")
	}
	out.review = g.freeTextReview(out.values)
	return out, nil
}

// seal encrypts a prepared subject under a new DEK and computes its blind indexes.
func (g *Gate) seal(id jaga.SubjectID, p *prepared, importKey []byte, now time.Time) (*jaga.SealedSubject, error) {
	dek, wrapped, err := g.keys.NewDEK(id)
	if err != nil {
		return nil, err
	}
	s := &jaga.SealedSubject{ID: id, WrappedDEK: wrapped, Sealed: make(map[string][]byte, len(p.values)),
		Channel: p.channel, CollectedAt: p.at, CreatedAt: now, UpdatedAt: now, ImportKey: importKey}
	if s.CollectedAt.IsZero() {
		s.CollectedAt = now
	}
	if err := g.sealValues(dek, id, p.values, s.Sealed); err != nil {
		return nil, err
	}
	for _, f := range g.schema.Indexed() {
		if v, ok := p.values[f.Name]; ok {
			s.Indexes = append(s.Indexes, jaga.BlindIndex{Field: f.Name, Value: g.keys.BlindIndex(f.Name, v)})
		}
	}
	return s, nil
}

// consentRecords turns collected consents into records. A given consent without its
// minimum evidence is kept, flagged invalid:no_evidence, and does not count.
func (g *Gate) consentRecords(id jaga.SubjectID, channel jaga.Channel, collected, now time.Time, in []ConsentInput) []*jaga.Consent {
	out := make([]*jaga.Consent, 0, len(in))
	for _, c := range in {
		at := c.At
		if at.IsZero() {
			at = collected
		}
		if at.IsZero() {
			at = now
		}
		rec := &jaga.Consent{Subject: id, Purpose: c.Purpose, Status: c.Status, NoticeVersion: c.NoticeVersion,
			Channel: channel, Evidence: c.Evidence, At: at.UTC(), RecordedAt: now}
		switch {
		case c.Status != jaga.ConsentGiven:
		case c.Flag != "":
			rec.Flag = c.Flag
		case !hasEvidence(channel, c):
			rec.Flag = jaga.FlagNoEvidence
		}
		g.completeConsent(rec, c)
		out = append(out, rec)
	}
	return out
}

// hasEvidence applies the minimum evidence per channel: the notice version for the
// web form, the double-opt-in ID for email sign-ups, the paper form number (or another
// evidence reference) for offline channels.
func hasEvidence(ch jaga.Channel, c ConsentInput) bool {
	switch ch {
	case jaga.ChannelWebForm:
		return c.NoticeVersion != ""
	case jaga.ChannelEmailSignup:
		return strings.HasPrefix(c.Evidence, "DOI-")
	default:
		// Paper channels: the form number, or the imported file's hash and row with the
		// collecting staff member (issue 3).
		return c.Evidence != "" || c.Details.SourceHash != "" && c.Details.SourceRow > 0 && c.Details.Collector != ""
	}
}

// Create validates, seals and stores one subject with its consents and returns its ID.
// Errors: as Read for the request; EUNPROCESSABLE naming the field for bad values;
// ECONFLICT with reason identifier_exists, naming the field (and, for a caller that may
// look it up, the subject), when the subject exists already (checkExisting; audited).
func (g *Gate) Create(ctx context.Context, req CreateRequest) (jaga.SubjectID, error) {
	id, _, err := g.CreateWithReview(ctx, req)
	return id, err
}

// CreateWithReview is Create that also returns the review flags raised on the new
// subject (pii_in_free_text:<kind> when a free-text value holds an identifier, issue 8;
// identity_conflict when it shares an e-mail or phone with a subject of another name,
// listed only for a role that may look subjects up by that field), stored in the same
// transaction.
func (g *Gate) CreateWithReview(ctx context.Context, req CreateRequest) (jaga.SubjectID, []string, error) {
	p, err := g.checkRequest(req.Request)
	if err != nil {
		return "", nil, g.refuse(ctx, req.Request, jaga.ActionCreate, nil, nil, err)
	}
	pr, err := g.prepare(p, req.Values, req.Channel, req.CollectedAt, req.Consents)
	if err == nil && !slices.ContainsFunc(Identifiers, func(f string) bool { return pr.values[f] != "" }) {
		// As intake requires: a subject is found, and signs in to exercise their rights,
		// by one of these (Identifiers).
		err = jaga.FieldError("email", "a subject needs at least one of email, phone or nik, by which they are found and sign in to the privacy portal")
	}
	if err == nil && p.NeedsConsent() && !slices.ContainsFunc(req.Consents, func(c ConsentInput) bool {
		return c.Purpose == p.ID && c.Status == jaga.ConsentGiven
	}) {
		// Collecting for a consent-based purpose needs that consent, given with the data.
		err = jaga.Refusal(policy.ReasonNoConsent, "collecting data for purpose %s needs a given consent to it in the same request", p.ID)
	}
	if err != nil {
		return "", nil, g.refuse(ctx, req.Request, jaga.ActionCreate, nil, keys(req.Values), err)
	}
	id, err := NewSubjectID()
	if err != nil {
		return "", nil, err
	}
	now := g.now()
	s, err := g.seal(id, pr, nil, now)
	if err != nil {
		return "", nil, err
	}
	var refusal error
	review := pr.review
	err = g.execResolving(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		refusal, review = nil, pr.review
		// Under the resolution lock, so that a create or import of the same person on
		// another node commits before this check or checks after this commit (serial.go).
		if err := tx.LockResolution(ctx); err != nil {
			return nil, err
		}
		found, err := g.checkExisting(ctx, tx, req.Request, p, pr.values)
		if err != nil {
			return nil, err
		}
		if found.refusal != nil {
			// Audited as a refusal, naming the subjects it is about (checkExisting).
			refusal = found.refusal
			ev := g.event(req.Request, jaga.ActionCreate, found.subjects)
			ev.FieldsRequested = keys(pr.values)
			ev.Decision = decisionOf(refusal)
			ev.Decisions = map[string]jaga.Decision{found.field: jaga.Deny(ReasonIdentifierExists)}
			return []*jaga.AuditEvent{ev}, nil
		}
		if err := tx.InsertSubjects(ctx, []*jaga.SealedSubject{s}); err != nil {
			return nil, err
		}
		flags := append(reviewFlags(id, pr.review), conflictFlags(id, found.conflicts)...)
		if err := tx.InsertReviewFlags(ctx, flags); err != nil {
			return nil, err
		}
		if len(found.conflicts) > 0 && found.shown {
			review = append(slices.Clip(review), ReasonIdentityConflict)
		}
		cs := g.consentRecords(id, pr.channel, pr.at, now, pr.consents)
		provinceZone(cs, pr.values)
		if err := tx.InsertConsents(ctx, cs); err != nil {
			return nil, err
		}
		ev := g.event(req.Request, jaga.ActionCreate, []jaga.SubjectID{id})
		ev.FieldsRequested = keys(pr.values)
		ev.FieldsReturned = nil
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return "", nil, err
	}
	if refusal != nil {
		return "", nil, refusal
	}
	return id, review, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// UpdateRequest sets and removes fields of one subject. Values are raw and validated as
// in CreateRequest.
type UpdateRequest struct {
	Request
	Subject jaga.SubjectID
	Set     map[string]string
	Remove  []string
}

// Update changes a subject's fields under the request's purpose: the purpose must
// cover every field touched and, if consent-based, the subject must have
// consented. full_name is corrected, never removed, and the subject keeps at least one
// of Identifiers (RemovesLastIdentifier). The role must be allowed to change each field
// touched (policy.CanWrite: the purpose's write list names it and the role may read
// it). Errors: as Read, plus EUNPROCESSABLE for bad values, removing full_name, or
// removing the last identifier (naming it; audited, nothing stored), EFORBIDDEN naming
// the field for one the role may not change (the read deny's reason, else
// write_not_allowed; audited).
func (g *Gate) Update(ctx context.Context, req UpdateRequest) error {
	_, err := g.UpdateWithReview(ctx, req)
	return err
}

// UpdateWithReview is Update that also returns the review flags raised on the subject
// by the new values (as CreateWithReview), stored in the same transaction.
func (g *Gate) UpdateWithReview(ctx context.Context, req UpdateRequest) ([]string, error) {
	return g.updateSubject(ctx, req, nil)
}

// updateSubject is UpdateWithReview. Checks run in this order: the request, at least one
// field, each field known and processed for the purpose (422), the role's permission to
// write it (403), then the values (422). A field the role's policy denies for the purpose (it may
// not read it), or leaves out of its write list, may not be written (403 with the
// decision's reason, writeDecisions), unless
// grant is the open rectification request the values come from (Rectify): then the
// write is done and its audit event lists each such field with its read decision,
// which stays a deny.
func (g *Gate) updateSubject(ctx context.Context, req UpdateRequest, grant *jaga.DSR) ([]string, error) {
	p, err := g.checkRequest(req.Request)
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, nil, err)
	}
	touched := append(keys(req.Set), req.Remove...)
	if len(touched) == 0 {
		return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, nil,
			jaga.FieldError("fields", "nothing to update: name at least one field in \"fields\" or attribute in \"attributes\""))
	}
	for _, name := range touched {
		f, ok := g.schema.Field(name)
		if !ok {
			return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, touched, jaga.FieldError(name, "unknown field"))
		}
		if !p.Covers(f) {
			return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, touched,
				jaga.FieldError(name, "field is not processed for purpose %s (R-26)", p.ID))
		}
	}
	// Permission before value: a role that may not change (or read) a field is refused
	// before its value is looked at, so that the answer never depends on, nor hints at,
	// what was sent for a field the role may not touch.
	readDenied, err := g.writeDecisions(req.Actor.Role, p, touched, grant != nil)
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, touched, err)
	}
	pr := &prepared{values: map[string]string{}}
	if len(req.Set) > 0 {
		set := make(map[string]string, len(req.Set))
		for k, v := range req.Set {
			if strings.TrimSpace(v) == "" {
				req.Remove = append(req.Remove, k)
				continue
			}
			set[k] = v
		}
		if len(set) > 0 {
			if pr, err = g.prepare(p, set, jaga.ChannelAPI, time.Time{}, nil); err != nil {
				return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, touched, err)
			}
		}
	}
	for _, name := range req.Remove {
		if name == "full_name" {
			// Every subject has a name (intake requires one): it is corrected, not
			// removed; removing a person's data is erasure.
			return nil, g.refuse(ctx, req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject}, touched,
				jaga.FieldError(name, "full_name is required: correct it with a new value (erasure removes a subject)"))
		}
	}
	var refusal error
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		refusal = nil
		ev := g.event(req.Request, jaga.ActionUpdate, []jaga.SubjectID{req.Subject})
		ev.FieldsRequested = touched
		if grant != nil {
			if refusal, err = stillRectifiable(ctx, tx, grant.ID, req.Subject); err != nil {
				return nil, err
			} else if refusal != nil {
				ev.Decision = decisionOf(refusal)
				return []*jaga.AuditEvent{ev}, nil
			}
			if ev.Reason == "" {
				ev.Reason = rectifyReason
			}
		}
		var s *jaga.SealedSubject
		if s, refusal, err = g.loadAllowed(ctx, tx, p, req.Subject, ev); err != nil {
			return nil, err
		} else if refusal != nil {
			return []*jaga.AuditEvent{ev}, nil
		}
		if f := RemovesLastIdentifier(func(f string) bool { return s.Sealed[f] != nil }, pr.values, req.Remove); f != "" {
			// Found by none of them, the customer could no longer sign in to the portal
			// to exercise their rights; removing everything is erasure.
			refusal = LastIdentifierError(f)
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		}
		dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
		if err != nil {
			return nil, fmt.Errorf("subject %s: open data key: %w", s.ID, err)
		}
		patch := jaga.SubjectPatch{Set: map[string][]byte{}, UpdatedAt: g.now()}
		// Identity fields are sealed one by one; attributes are re-sealed as one object
		// with the changes applied.
		var attrs map[string]string
		for name, v := range pr.values {
			if f, _ := g.schema.Field(name); f.Kind == jaga.KindAttribute {
				if attrs == nil {
					if attrs, err = openAttributes(dek, s); err != nil {
						return nil, err
					}
				}
				attrs[name] = v
				continue
			}
			ct, err := dek.Seal(seal.FieldAD(s.ID, name), []byte(v))
			if err != nil {
				return nil, err
			}
			patch.Set[name] = ct
		}
		for _, name := range req.Remove {
			if f, _ := g.schema.Field(name); f.Kind == jaga.KindAttribute {
				if attrs == nil {
					if attrs, err = openAttributes(dek, s); err != nil {
						return nil, err
					}
				}
				delete(attrs, name)
				continue
			}
			patch.Remove = append(patch.Remove, name)
		}
		if attrs != nil {
			if len(attrs) == 0 {
				patch.Remove = append(patch.Remove, AttributesField)
			} else if err := sealAttributes(dek, s.ID, attrs, patch.Set); err != nil {
				return nil, err
			}
		}
		for _, f := range g.schema.Indexed() {
			if v, ok := pr.values[f.Name]; ok {
				patch.IndexFields = append(patch.IndexFields, f.Name)
				patch.Indexes = append(patch.Indexes, jaga.BlindIndex{Field: f.Name, Value: g.keys.BlindIndex(f.Name, v)})
			} else if slices.Contains(req.Remove, f.Name) {
				patch.IndexFields = append(patch.IndexFields, f.Name)
			}
		}
		if err := tx.UpdateSubject(ctx, s.ID, patch); err != nil {
			return nil, err
		}
		if err := tx.InsertReviewFlags(ctx, reviewFlags(s.ID, pr.review)); err != nil {
			return nil, err
		}
		ev.Decision = string(jaga.Allow)
		ev.Decisions = readDenied
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return pr.review, nil
}

// Erase crypto-shreds one subject (UU PDP Art 8, Arts 43-44; invariant 4): the erasure is
// first appended to the journal in keys/ (so that a restored older backup is erased
// again at start-up), then the wrapped DEK, sealed values, blind indexes and purchases are
// deleted with one audit event, and the database files are compacted so that no old copy
// of the wrapped DEK stays in the WAL. The subject's other open requests are closed in
// the same transaction (closeOpenDSRs). Only purposes dsr and legal_obligation may erase.
// Errors: as Read; ENOTFOUND for an unknown or already erased subject.
func (g *Gate) Erase(ctx context.Context, req Request, subject jaga.SubjectID) error {
	p, err := g.checkRequest(req)
	if err == nil && p.ID != jaga.PurposeDSR && p.ID != jaga.PurposeLegalObligation {
		err = jaga.Refusal("purpose_not_allowed", "erasure is done under purpose dsr or legal_obligation")
	}
	if err == nil {
		err = ownSubject(req, subject)
	}
	if err != nil {
		return g.refuse(ctx, req, jaga.ActionErase, []jaga.SubjectID{subject}, nil, err)
	}
	exists := false
	if err := g.store.View(ctx, func(tx jaga.Tx) error {
		_, err := tx.Subject(ctx, subject)
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			return nil
		}
		exists = err == nil
		return err
	}); err != nil {
		return err
	}
	if !exists {
		return g.refuse(ctx, req, jaga.ActionErase, []jaga.SubjectID{subject}, nil, jaga.Errorf(jaga.ENOTFOUND, "subject not found"))
	}
	at := g.now()
	if err := g.keys.AppendErasure(subject, at); err != nil {
		return fmt.Errorf("erasure journal: %w", err)
	}
	var refusal error
	err = g.execResolving(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		refusal = nil
		// Under the resolution lock, so that a row another node quarantines meanwhile
		// is committed before DiscardQuarantinedOf looks, or stored after the erasure
		// (serial.go).
		if err := tx.LockResolution(ctx); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionErase, []jaga.SubjectID{subject})
		if _, err := tx.Subject(ctx, subject); jaga.ErrorCode(err) == jaga.ENOTFOUND {
			refusal = jaga.Errorf(jaga.ENOTFOUND, "subject not found")
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		} else if err != nil {
			return nil, err
		}
		// The open quarantined versions of its source records go with it, their data
		// keys destroyed as a discard does: a later export of the same source ID that
		// failed validation holds the same person's data. So do the open rows that share
		// its e-mail, phone or NIK (a row without a source ID); DiscardQuarantinedOf
		// reads its blind indexes, so it runs before EraseSubject deletes them.
		discarded, err := tx.DiscardQuarantinedOf(ctx, subject)
		if err != nil {
			return nil, err
		}
		if err := tx.EraseSubject(ctx, subject, at); err != nil {
			return nil, err
		}
		closed, err := g.closeOpenDSRs(ctx, tx, req, subject, at)
		if err != nil {
			return nil, err
		}
		ev.Subjects = append(ev.Subjects, discarded...)
		ev.Decision = string(jaga.Allow)
		return append([]*jaga.AuditEvent{ev}, closed...), nil
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		return refusal
	}
	return g.store.Compact(ctx)
}

// ReplayErasures re-applies the erasure journal in keys/ before Jaga serves (invariant
// 4): a subject the journal names that is still in the database (an older backup was
// restored) is erased again. It writes one audit event for the run when it erased any
// and returns how many it erased. A journal whose MAC chain fails is an error: Jaga must
// not serve then. Each re-erased subject's open quarantined versions are discarded with
// it, as by Erase; so first the source keys of quarantined rows stored before the store
// kept them are filled in (keyQuarantine), and so are their blind indexes
// (indexQuarantine, migration 0011).
func (g *Gate) ReplayErasures(ctx context.Context) (int, error) {
	if _, err := g.keyQuarantine(ctx); err != nil {
		return 0, err
	}
	if _, err := g.indexQuarantine(ctx); err != nil {
		return 0, err
	}
	entries, err := g.keys.Erasures()
	if err != nil {
		return 0, fmt.Errorf("erasure journal: %w", err)
	}
	var todo []seal.JournalEntry
	if err := g.store.View(ctx, func(tx jaga.Tx) error {
		for _, e := range entries {
			_, err := tx.Subject(ctx, e.Subject)
			if jaga.ErrorCode(err) == jaga.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			todo = append(todo, e)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if len(todo) == 0 {
		return 0, nil
	}
	n := 0
	err = g.execResolving(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		n = 0
		if err := tx.LockResolution(ctx); err != nil { // as Erase
			return nil, err
		}
		ev := g.event(Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeLegalObligation}, jaga.ActionErasureReplay, nil)
		for _, e := range todo {
			if _, err := tx.Subject(ctx, e.Subject); jaga.ErrorCode(err) == jaga.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			discarded, err := tx.DiscardQuarantinedOf(ctx, e.Subject)
			if err != nil {
				return nil, err
			}
			if err := tx.EraseSubject(ctx, e.Subject, e.At); err != nil {
				return nil, err
			}
			ev.Subjects = append(ev.Subjects, e.Subject)
			ev.Subjects = append(ev.Subjects, discarded...)
			n++
		}
		ev.Count = n
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return 0, err
	}
	return n, g.store.Compact(ctx)
}

// coverage returns the set of fields that at least one of purposes covers, cached by
// key (the purpose IDs): an import asks the same question for every row.
func (g *Gate) coverage(key string, purposes []*jaga.Purpose) map[string]bool {
	if m, ok := g.covered.Load(key); ok {
		return m.(map[string]bool)
	}
	m := make(map[string]bool)
	for _, f := range g.schema.Fields {
		for _, p := range purposes {
			if p.Covers(f) {
				m[f.Name] = true
				break
			}
		}
	}
	g.covered.Store(key, m)
	return m
}
