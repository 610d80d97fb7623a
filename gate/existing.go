package gate

import (
	"context"
	"fmt"
	"slices"

	"jaga"
	"jaga/seal"
)

// ReasonIdentifierExists is the reason of a create refused with ECONFLICT (409) because
// the subject exists already: its NIK belongs to a subject, or its e-mail or phone
// belongs to a subject with the same name (the same person entered twice).
const ReasonIdentifierExists = "identifier_exists"

// existingCheck is what Create found among the stored subjects for a new subject's
// identifiers (checkExisting).
type existingCheck struct {
	refusal   error            // ECONFLICT identifier_exists, or nil
	subjects  []jaga.SubjectID // the subjects the refusal or the flags are about
	conflicts []jaga.SubjectID // subjects sharing an e-mail or phone under another name
	shown     bool             // the caller may learn of the conflicts (identity_conflict in the answer)
	field     string           // the field the refusal is about
}

// checkExisting applies the API's identity rule to a new subject, inside the committer's
// transaction, so that concurrent creates of the same person are serialised and only
// the first is stored (issue 4's resolution, for one subject at a time):
//
//   - a NIK that a live subject has is refused: ECONFLICT, reason identifier_exists,
//     field nik (a NIK names one person, UU No. 24/2013 on population administration);
//   - an e-mail, then a phone, that a live subject has whose name is the same once
//     normalised (case, accents, punctuation and spacing ignored) and whose NIK and
//     birth date do not differ is refused the same way, naming that field;
//   - an e-mail or phone shared with subjects under another name (families share a phone
//     or a mailbox) is accepted and both subjects are flagged identity_conflict, each
//     naming the other, against at most maxConflictFlags of them (the oldest), as the
//     importer does.
//
// The refusal names the existing subject (jaga.Error.Subject) only when the actor's role
// may look subjects up by that field for the request's purpose and Find would return it
// (the subject is not refused for the purpose): a 409 then tells the caller nothing a
// look-up would not. Any other role learns only that the value is taken — what a
// unique identifier cannot hide from whoever may write it — and every such refusal is
// audited naming the actor and the existing subject, so that probing shows in the audit
// log and in the customer's access history.
func (g *Gate) checkExisting(ctx context.Context, tx jaga.Tx, req Request, p *jaga.Purpose, values map[string]string) (*existingCheck, error) {
	out := &existingCheck{}
	if nik := values["nik"]; nik != "" {
		ids, err := tx.FindByIndex(ctx, "nik", g.keys.BlindIndex("nik", nik))
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			subs := make([]*jaga.SealedSubject, 0, len(ids))
			for _, id := range ids {
				s, err := tx.Subject(ctx, id)
				if err != nil {
					return nil, err
				}
				subs = append(subs, s)
			}
			return g.identifierExists(ctx, tx, req, p, "nik", subs)
		}
	}
	for _, field := range []string{"email", "phone"} {
		v := values[field]
		if v == "" {
			continue
		}
		subs, err := tx.FindSubjects(ctx, field, g.keys.BlindIndex(field, v))
		if err != nil {
			return nil, err
		}
		var same []*jaga.SealedSubject
		for _, s := range subs {
			name, birth, nik, err := g.identityOf(s)
			if err != nil {
				return nil, err
			}
			if sameName(values["full_name"], name) && (values["nik"] == "" || nik == "" || values["nik"] == nik) &&
				(values["birth_date"] == "" || birth == "" || values["birth_date"] == birth) {
				same = append(same, s)
				continue
			}
			if !slices.Contains(out.conflicts, s.ID) && len(out.conflicts) < maxConflictFlags {
				out.conflicts = append(out.conflicts, s.ID)
				if !g.policy.Decide(req.Actor.Role, p, g.fieldSpec(field)).IsDeny() {
					out.shown = true
				}
			}
		}
		if len(same) > 0 {
			return g.identifierExists(ctx, tx, req, p, field, same)
		}
	}
	out.subjects = out.conflicts
	return out, nil
}

// identifierExists builds the refusal of a create whose field value belongs to the
// subjects subs (oldest first), naming the oldest only when the caller may look it up.
func (g *Gate) identifierExists(ctx context.Context, tx jaga.Tx, req Request, p *jaga.Purpose, field string, subs []*jaga.SealedSubject) (*existingCheck, error) {
	e := &jaga.Error{Code: jaga.ECONFLICT, Field: field, Reason: ReasonIdentifierExists}
	switch field {
	case "nik":
		e.Message = "a subject with this nik exists already; a NIK names one person"
	default:
		e.Message = fmt.Sprintf("a subject with this %s and the same name exists already", field)
	}
	if !g.policy.Decide(req.Actor.Role, p, g.fieldSpec(field)).IsDeny() {
		why, err := g.subjectAllowed(ctx, tx, p, subs[0])
		if err != nil {
			return nil, err
		}
		if why == "" {
			e.Subject = subs[0].ID
			e.Message += "; look it up or update it instead"
		}
	}
	ids := make([]jaga.SubjectID, len(subs))
	for i, s := range subs {
		ids[i] = s.ID
	}
	return &existingCheck{refusal: e, subjects: ids, field: field}, nil
}

// fieldSpec returns the schema's spec of a field Create has validated (so known).
func (g *Gate) fieldSpec(name string) jaga.FieldSpec {
	f, _ := g.schema.Field(name)
	return f
}

// identityOf opens the full name, birth date and NIK of a stored subject, for
// checkExisting's comparison; nothing of it leaves the gate.
func (g *Gate) identityOf(s *jaga.SealedSubject) (name, birth, nik string, err error) {
	dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
	if err != nil {
		return "", "", "", fmt.Errorf("subject %s: open data key: %w", s.ID, err)
	}
	var vals [3]string
	for i, f := range []string{"full_name", "birth_date", "nik"} {
		ct, ok := s.Sealed[f]
		if !ok {
			continue
		}
		pt, err := dek.Open(seal.FieldAD(s.ID, f), ct)
		if err != nil {
			return "", "", "", fmt.Errorf("subject %s field %s: %w", s.ID, f, err)
		}
		vals[i] = string(pt)
	}
	return vals[0], vals[1], vals[2], nil
}

// sameName reports whether two names are the same once normalised: the same words in
// the same order, case, accents and punctuation ignored ("RINA  SARI" = "Rina Sari").
// Unlike namesAgree, "Rina" is not "Rina Sari": an API create is refused only for the
// same person entered twice, not for a shortened name.
func sameName(a, b string) bool {
	wa, wb := nameWords(a), nameWords(b)
	return len(wa) > 0 && slices.Equal(wa, wb)
}

// conflictFlags returns the identity_conflict review flags of a new subject sharing an
// e-mail or phone with others: one on each side, each naming the other.
func conflictFlags(id jaga.SubjectID, others []jaga.SubjectID) []*jaga.ReviewFlag {
	out := make([]*jaga.ReviewFlag, 0, 2*len(others))
	for _, o := range others {
		out = append(out, &jaga.ReviewFlag{Subject: id, Reason: ReasonIdentityConflict, Other: o},
			&jaga.ReviewFlag{Subject: o, Reason: ReasonIdentityConflict, Other: id})
	}
	return out
}
