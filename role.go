package jaga

import "slices"

// RolePortal is the role of the privacy portal's sign-in look-up (the portal's own
// service actor): under purpose dsr it finds a customer by the e-mail or phone they
// typed and receives those two fields, which it needs to deliver the sign-in code, and
// nothing else. Like RoleSubject it is not one of DefaultRoles: no staff member or API
// key holds it, and a subject's access history names it as the portal at the
// customer's own sign-in, not as staff (UU PDP Art 32, R-29).
const RolePortal Role = "portal"

// BuiltinRoles are the roles only Jaga's own actors hold, never staff or an API key:
// RoleSubject (the customer acting in the portal) and RolePortal (the portal's sign-in
// look-up). The gate refuses to create an actor with one and never authenticates one.
var BuiltinRoles = []Role{RoleSubject, RolePortal}

// Builtin reports whether r is one of BuiltinRoles.
func (r Role) Builtin() bool { return slices.Contains(BuiltinRoles, r) }
