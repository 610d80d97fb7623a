package policy

import (
	"maps"
	"slices"

	"jaga"
)

// PortalFields are the only fields the portal's sign-in look-up (jaga.RolePortal) may
// receive: the e-mail and phone it looks a customer up by and sends the code to.
var PortalFields = []string{"email", "phone"}

// portal checks the rules a policy file gives jaga.RolePortal, or gives the role the
// default rules (default.yaml's: allow PortalFields under dsr) when the file leaves it
// out, so that a policy written before the role existed keeps the portal's sign-in
// working. The role may name purpose dsr
// only, fields of PortalFields only, each allow or deny, and no write: a masked address cannot
// receive a code, and anything more would be more than sign-in needs (data
// minimisation, UU PDP Art 16(2)(a)).
func (ps *parser) portal(pol *Policy) error {
	rr, ok := pol.roles[jaga.RolePortal]
	if !ok {
		r := &purposeRule{fields: map[string]jaga.Decision{}, reveal: map[string]bool{}, fieldsAt: map[string]pos{}}
		for _, f := range PortalFields {
			r.fields[f] = jaga.Allow
		}
		pol.roles[jaga.RolePortal] = &roleRules{purposes: map[string]*purposeRule{jaga.PurposeDSR: r}}
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(rr.purposes)) {
		r := rr.purposes[id]
		if id != jaga.PurposeDSR {
			return ps.errorf(r.at, "role portal looks customers up at sign-in under purpose dsr only, not %s", id)
		}
		if len(r.writeAt) > 0 {
			key := sortedKeys(r.writeAt)[0]
			return ps.errorf(r.writeAt[key], "role portal only looks customers up at sign-in; it may write nothing, not %q", key)
		}
		for _, key := range sortedKeys(r.fieldsAt) {
			if !slices.Contains(PortalFields, key) {
				return ps.errorf(r.fieldsAt[key], "role portal may receive only email and phone (what sign-in needs), not %q", key)
			}
			if _, masked := r.fields[key].MaskRule(); masked {
				return ps.errorf(r.fieldsAt[key], "role portal needs %s in full or not at all: a sign-in code cannot go to a masked address", key)
			}
		}
	}
	return nil
}
