package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"jaga"
	"jaga/pii"
	"jaga/policy"
)

// The review desk: staff list the review flags identity resolution and intake raised
// (identity_conflict, invalid consents, unverified phones, identifiers in free text) and
// close each with a resolution after looking at it (UU PDP Art 29: accuracy,
// completeness and consistency, R-28). Flags hold subject IDs and codes only, never a
// value; a resolution adds an actor ID, a code from a closed set and a short note that
// must not carry personal data.

// Audit actions of the review desk.
const (
	ActionReadReviewFlags   = "read_review_flags"
	ActionResolveReviewFlag = "resolve_review_flag"
)

// ReasonIdentityConflict is the review reason of a shared contact with a different NIK:
// identity resolution raises it as a pair of flags, one on each subject, naming the other.
const ReasonIdentityConflict = "identity_conflict"

// reviewPurposes are the purposes under which staff work the review desk: the service
// the data was collected for (the console operator, as for the quarantine), customer
// support, and the dpo's legal obligation (Art 29) or a data-subject request (a
// correction, Art 30).
var reviewPurposes = []string{jaga.PurposeServiceProvision, jaga.PurposeCustomerSupport, jaga.PurposeLegalObligation, jaga.PurposeDSR}

// checkReviewDesk decides whether req may use the review desk. The dpo and support (and
// Jaga's own console operator, a system actor) list and resolve flags under one of
// reviewPurposes that the policy allows their role; the auditor lists them (no values
// are in them), under purpose security as for the audit log, but never resolves one.
// Every other role is refused with role_not_allowed, another purpose with
// purpose_not_allowed. A restricted subject's flags stay workable: settling whether
// stored data is accurate is what a restriction waits for (UU PDP Art 11).
func (g *Gate) checkReviewDesk(req Request, resolve bool) error {
	if req.Actor == nil {
		return jaga.Errorf(jaga.EUNAUTHORIZED, "no actor")
	}
	if req.Actor.Role == jaga.RoleAuditor && req.Actor.Kind != jaga.ActorSystem {
		switch {
		case resolve:
			return jaga.Refusal("role_not_allowed", "the auditor lists review flags but does not resolve them (dpo, support)")
		case req.Purpose == "":
			return &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Purpose", Message: "a purpose is required"}
		case !g.knownPurpose(req.Purpose):
			return &jaga.Error{Code: jaga.EINVALID, Field: "Jaga-Purpose", Message: "unknown purpose"}
		case req.Purpose != jaga.PurposeSecurity:
			return jaga.Refusal("purpose_not_allowed", "the auditor lists review flags under purpose security")
		case !g.purposeActive(req.Purpose):
			return jaga.Refusal(policy.ReasonPurposeNotActive, "purpose security is not active: record its balancing test and activate it (R-5)")
		}
		return checkReason(req.Reason)
	}
	p, err := g.checkRequest(req)
	switch {
	case err != nil:
		return err
	case req.Actor.Role != jaga.RoleDPO && req.Actor.Role != jaga.RoleSupport && req.Actor.Kind != jaga.ActorSystem:
		return jaga.Refusal("role_not_allowed", "only the dpo and support work review flags (the auditor may list them)")
	case !slices.Contains(reviewPurposes, p.ID):
		return jaga.Refusal("purpose_not_allowed", "review flags are worked under purpose %s", strings.Join(reviewPurposes, ", "))
	}
	return nil
}

// ValidReviewReason reports whether s has the shape of a review reason code: 1-64 bytes
// of lower-case letters, digits, '_' and ':' ("identity_conflict",
// "pii_in_free_text:nik"), starting with a letter.
func ValidReviewReason(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

// checkReviewFilter validates a listing filter: the state, the reason's shape and the
// limit (1-1000; 0 is the default 100). Errors are EINVALID naming the member: the
// filter is a listing's parameters (the API's query string, 400 as every query
// parameter problem), not data to store.
func checkReviewFilter(f jaga.ReviewFlagFilter) error {
	switch {
	case f.State != "" && f.State != jaga.ReviewFlagsOpen && f.State != jaga.ReviewFlagsResolved && f.State != jaga.ReviewFlagsAll:
		return filterError("state", "state must be open, resolved or all")
	case f.Reason != "" && !ValidReviewReason(f.Reason):
		return filterError("reason", "reason must be a review reason code such as identity_conflict")
	case f.Subject != "" && !f.Subject.Valid():
		return filterError("subject", "subject must be sub_ followed by 32 hex digits")
	case f.Limit < 0 || f.Limit > 1000:
		return filterError("limit", "limit must be between 1 and 1000")
	case f.After < 0:
		return filterError("after", "after must be a flag ID, 0 or more")
	}
	return nil
}

// ReviewFlags lists review flags (open ones unless f.State says otherwise), by ID: page
// with f.After set to the last ID of the page before. One audit event
// (read_review_flags) names the subjects of the flags returned and their count. Errors:
// EUNAUTHORIZED, EINVALID (no or unknown purpose, a reason with personal data),
// EFORBIDDEN (role_not_allowed, purpose_not_allowed, purpose_not_active),
// EUNPROCESSABLE for a bad filter member; all of them audited.
func (g *Gate) ReviewFlags(ctx context.Context, req Request, f jaga.ReviewFlagFilter) ([]*jaga.ReviewFlag, error) {
	var subjects []jaga.SubjectID
	if f.Subject.Valid() {
		subjects = []jaga.SubjectID{f.Subject}
	}
	err := g.checkReviewDesk(req, false)
	if err == nil {
		err = checkReviewFilter(f)
	}
	if err != nil {
		return nil, g.refuse(ctx, req, ActionReadReviewFlags, subjects, nil, err)
	}
	var out []*jaga.ReviewFlag
	err = g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		var err error
		if out, err = tx.ListReviewFlags(ctx, f); err != nil {
			return nil, err
		}
		named := slices.Clone(subjects)
		for _, fl := range out {
			named = append(named, fl.Subject)
		}
		slices.Sort(named)
		ev := g.event(req, ActionReadReviewFlags, slices.Compact(named))
		ev.Count, ev.Decision = len(out), string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return out, err
}

// CheckReviewNote validates the note of a resolution: printable UTF-8 of at most
// jaga.MaxReviewNote bytes with no personal data — no e-mail address or long digit run
// (the rule of Jaga-Reason, jaga.LooksPersonal) and no identifier package pii finds
// (NIK, KK, NPWP, phone, card, bank account, passport, BPJS). A name cannot be told from
// other words: the note is meant for a ticket reference or a short reason, and the
// documentation says so. Errors are EUNPROCESSABLE naming "note".
func CheckReviewNote(note string) error {
	if len(note) > jaga.MaxReviewNote || !utf8.ValidString(note) || strings.ContainsFunc(note, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return jaga.FieldError("note", "the note must be one line of printable text of at most %d bytes", jaga.MaxReviewNote)
	}
	personal := !validReason(note)
	for _, fd := range pii.Scan(note) {
		personal = personal || slices.Contains(personKinds, fd.Kind)
	}
	if personal {
		return jaga.FieldError("note", "the note must not hold personal data (no e-mail, phone, NIK or other ID number): write a ticket reference or a short reason")
	}
	return nil
}

// ResolveReviewFlag closes open review flag id with resolution (one of
// jaga.ReviewResolutions) and an optional note (CheckReviewNote), recording when, by
// which actor, how. An identity_conflict flag is one finding recorded on both subjects:
// its open partner (the flag on the other subject naming this one, from the same source
// row) is closed with it. It returns the flags it closed, id first. One audit event
// (resolve_review_flag) names their subjects and says "review flag <id> <reason>:
// <resolution>" (and the request's ticket), never the note.
//
// Errors: as ReviewFlags for the request (the auditor is refused: role_not_allowed);
// EUNPROCESSABLE naming resolution (the message lists the valid ones) or note;
// ENOTFOUND for an unknown flag; ECONFLICT for a flag resolved already. All are audited.
func (g *Gate) ResolveReviewFlag(ctx context.Context, req Request, id int64, resolution jaga.ReviewResolution, note string) ([]*jaga.ReviewFlag, error) {
	note = strings.TrimSpace(note)
	err := g.checkReviewDesk(req, true)
	if err == nil && !resolution.Valid() {
		err = jaga.FieldError("resolution", "resolution must be one of %s", jaga.ReviewResolutionNames())
	}
	if err == nil {
		err = CheckReviewNote(note)
	}
	if err != nil {
		return nil, g.refuse(ctx, req, ActionResolveReviewFlag, nil, nil, err)
	}
	var (
		out     []*jaga.ReviewFlag
		refusal error
	)
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		out, refusal = nil, nil
		ev := g.event(req, ActionResolveReviewFlag, nil)
		f, err := tx.ReviewFlag(ctx, id)
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			refusal = err
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		} else if err != nil {
			return nil, err
		}
		ev.Subjects = []jaga.SubjectID{f.Subject}
		if !f.ResolvedAt.IsZero() {
			refusal = &jaga.Error{Code: jaga.ECONFLICT, Message: fmt.Sprintf("review flag %d was resolved already (%s)", id, f.Resolution)}
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		}
		ids := []int64{f.ID}
		if f.Reason == ReasonIdentityConflict && f.Other != "" {
			others, err := tx.ListReviewFlags(ctx, jaga.ReviewFlagFilter{Subject: f.Other, Reason: ReasonIdentityConflict, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, o := range others {
				if o.Other == f.Subject && o.File == f.File && o.Line == f.Line {
					ids = append(ids, o.ID)
					if !slices.Contains(ev.Subjects, o.Subject) {
						ev.Subjects = append(ev.Subjects, o.Subject)
					}
				}
			}
		}
		res := jaga.ReviewFlagResolution{At: g.now(), By: req.Actor.ID, Resolution: resolution, Note: note}
		for _, fid := range ids {
			err := tx.ResolveReviewFlag(ctx, fid, res)
			switch {
			case jaga.ErrorCode(err) == jaga.ECONFLICT && fid == f.ID:
				// Another node resolved it since it was read (PostgreSQL, read committed).
				refusal = err
				ev.Decision = decisionOf(refusal)
				return []*jaga.AuditEvent{ev}, nil
			case jaga.ErrorCode(err) == jaga.ECONFLICT:
				continue // the partner was resolved meanwhile: it keeps that resolution
			case err != nil:
				return nil, err
			}
			rf, err := tx.ReviewFlag(ctx, fid)
			if err != nil {
				return nil, err
			}
			out = append(out, rf)
		}
		ev.Reason = fmt.Sprintf("review flag %d %s: %s", f.ID, f.Reason, resolution)
		if req.Reason != "" && validReason(req.Reason) {
			ev.Reason += " (" + req.Reason + ")"
		}
		ev.Count, ev.Decision = len(out), string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, refusal
}

// filterError is an EINVALID error naming a listing filter's parameter.
func filterError(param, format string, args ...any) *jaga.Error {
	return &jaga.Error{Code: jaga.EINVALID, Field: param, Message: fmt.Sprintf(format, args...)}
}
