package gate

import (
	"context"
	"fmt"
	"slices"

	"jaga"
	"jaga/seal"
)

// Merges returns a subject's merge records (without their sealed values): which source
// rows were merged into it, from which file and line, which fields each set and which
// consent records it added. Audited. Errors: as Read for the request.
func (g *Gate) Merges(ctx context.Context, req Request, subject jaga.SubjectID) ([]*jaga.MergeRecord, error) {
	if _, err := g.checkRequest(req); err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionMerge, []jaga.SubjectID{subject}, nil, err)
	}
	var out []*jaga.MergeRecord
	err := g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		var err error
		if out, err = tx.Merges(ctx, subject); err != nil {
			return nil, err
		}
		for _, m := range out {
			m.Sealed = nil
		}
		ev := g.event(req, jaga.ActionMerge, []jaga.SubjectID{subject})
		ev.Count, ev.Decision = len(out), string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	return out, err
}

// Unmerge reverses merge record mergeID of subject: the merged row becomes a subject of
// its own (sealed under a new DEK, with its blind indexes), the fields it set on subject
// are removed there when they still hold its values, contact values only it brought
// stop finding subject, its consent records move to the new subject, its import key
// now names the new subject (so a re-import does not merge it again), and the merge is
// marked undone. One audit event (action unmerge) names both subjects. It returns the
// new subject. Errors: as Update; ENOTFOUND for an unknown or undone merge.
func (g *Gate) Unmerge(ctx context.Context, req Request, subject jaga.SubjectID, mergeID int64) (jaga.SubjectID, error) {
	p, err := g.checkRequest(req)
	if err != nil {
		return "", g.refuse(ctx, req, jaga.ActionUnmerge, []jaga.SubjectID{subject}, nil, err)
	}
	_ = p
	newID, err := NewSubjectID()
	if err != nil {
		return "", err
	}
	now := g.now()
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		ms, err := tx.Merges(ctx, subject)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(ms, func(m *jaga.MergeRecord) bool { return m.ID == mergeID && m.UndoneAt.IsZero() })
		if i < 0 {
			return nil, &jaga.Error{Code: jaga.ENOTFOUND, Message: "merge not found or already undone"}
		}
		m := ms[i]
		s, err := tx.Subject(ctx, subject)
		if err != nil {
			return nil, err
		}
		dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
		if err != nil {
			return nil, fmt.Errorf("subject %s: open data key: %w", s.ID, err)
		}
		pt, err := dek.Open(seal.MergeAD(s.ID, m.RowKey), m.Sealed)
		if err != nil {
			return nil, fmt.Errorf("subject %s merge %d: %w", s.ID, m.ID, err)
		}
		var q quarantined
		if err := decodeOpened(pt, &q); err != nil {
			return nil, err
		}
		// The subject's current identity values, to decide what the row alone brought.
		cur := map[string]string{}
		for _, f := range g.schema.Fields {
			if ct, ok := s.Sealed[f.Name]; ok && f.Kind == jaga.KindField {
				v, err := dek.Open(seal.FieldAD(s.ID, f.Name), ct)
				if err != nil {
					return nil, err
				}
				cur[f.Name] = string(v)
			}
		}
		patch := jaga.SubjectPatch{UpdatedAt: now}
		for _, f := range m.Fields {
			spec, _ := g.schema.Field(f)
			if spec.Kind == jaga.KindAttribute {
				if !slices.Contains(patch.Remove, AttributesField) {
					patch.Remove = append(patch.Remove, AttributesField)
				}
				continue
			}
			if cur[f] == q.Values[f] {
				patch.Remove = append(patch.Remove, f)
				delete(cur, f)
			}
		}
		for _, f := range g.schema.Indexed() {
			v, ok := q.Values[f.Name]
			if !ok || cur[f.Name] == v {
				continue
			}
			// The row's value no longer belongs to subject: keep only the others.
			drop := g.keys.BlindIndex(f.Name, v)
			patch.IndexFields = append(patch.IndexFields, f.Name)
			for _, ix := range s.Indexes {
				if ix.Field == f.Name && string(ix.Value) != string(drop) {
					patch.Indexes = append(patch.Indexes, ix)
				}
			}
		}
		if err := tx.UpdateSubject(ctx, subject, patch); err != nil {
			return nil, err
		}
		ndek, wrapped, err := g.keys.NewDEK(newID)
		if err != nil {
			return nil, err
		}
		ns := &jaga.SealedSubject{ID: newID, WrappedDEK: wrapped, Sealed: map[string][]byte{}, Channel: orChannel(q.Channel),
			CollectedAt: q.CollectedAt, CreatedAt: now, UpdatedAt: now}
		if ns.CollectedAt.IsZero() {
			ns.CollectedAt = now
		}
		if err := g.sealValues(ndek, newID, q.Values, ns.Sealed); err != nil {
			return nil, err
		}
		for _, f := range g.schema.Indexed() {
			if v, ok := q.Values[f.Name]; ok {
				ns.Indexes = append(ns.Indexes, jaga.BlindIndex{Field: f.Name, Value: g.keys.BlindIndex(f.Name, v)})
			}
		}
		if err := tx.InsertSubjects(ctx, []*jaga.SealedSubject{ns}); err != nil {
			return nil, err
		}
		if err := tx.MoveConsents(ctx, m.Consents, newID); err != nil {
			return nil, err
		}
		if err := tx.DeleteImportKey(ctx, m.RowKey); err != nil {
			return nil, err
		}
		if err := tx.InsertImportKeys(ctx, [][]byte{m.RowKey}, []jaga.SubjectID{newID}, nil); err != nil {
			return nil, err
		}
		if err := tx.UndoMerge(ctx, m.ID, newID, now); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionUnmerge, []jaga.SubjectID{subject, newID})
		ev.FieldsRequested = m.Fields
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return "", err
	}
	return newID, nil
}
