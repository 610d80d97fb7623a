package dsr

import (
	"context"
	"maps"
	"slices"

	"jaga"
	"jaga/gate"
	"jaga/pii"
)

// OwnView is what the subject sees of their own data on the portal's page: the export
// without purchases (the page does not show them; the downloads carry them), with every
// identifier its fields do not declare masked (gate.MaskUndeclared) where Export would
// be blocked whole. Masked names the fields whose shown value is masked; Kinds the
// identifier kinds masked (never a value).
type OwnView struct {
	*Export
	Masked []string
	Kinds  []pii.Kind
}

// OwnView reads subject's data for its owner's page (UU PDP Art 32, R-16: the subject's
// right of access is never withheld because a value holds a number that needs review):
// as Export, but an identifier of a kind the export's fields do not declare — a card
// number or an NPWP typed into the address — is masked in the field values and the
// requests' outcomes instead of blocking the answer (R-33 guards the downloads, which
// Export still blocks). The masked view passes the export guard (audited as
// dsr_portal_view only if it were blocked). Errors: as Export.
func (d *Desk) OwnView(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID) (*OwnView, error) {
	ex, err := d.collect(ctx, actor, subject)
	if err != nil {
		return nil, err
	}
	ex.Purchases = []gate.Purchase{}
	v := &OwnView{Export: ex}
	declared := d.cfg.Vault.DeclaredKinds(slices.Sorted(maps.Keys(ex.Fields)))
	add := func(kinds []pii.Kind) {
		for _, k := range kinds {
			if !slices.Contains(v.Kinds, k) {
				v.Kinds = append(v.Kinds, k)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ex.Fields)) {
		if m, kinds := gate.MaskUndeclared(ex.Fields[name], declared); kinds != nil {
			ex.Fields[name] = m
			v.Masked = append(v.Masked, name)
			add(kinds)
		}
	}
	for i := range ex.Requests {
		m, kinds := gate.MaskUndeclared(ex.Requests[i].Outcome, declared)
		ex.Requests[i].Outcome = m
		add(kinds)
	}
	slices.Sort(v.Kinds)
	if err := d.guard(ctx, actor, "dsr_portal_view", ex, ""); err != nil {
		return nil, err
	}
	return v, nil
}
