package gate

import (
	"strings"

	"jaga"
	"jaga/policy"
)

// refusePortal refuses the privacy portal's sign-in role (jaga.RolePortal) for every
// gate call but Find: the portal looks a customer up by the address they typed and
// needs nothing more, so a policy file that gave the role more could not widen what it
// does (data minimisation, UU PDP Art 16(2)(a)). The refusal is EFORBIDDEN with reason
// role_not_allowed, audited by the caller like any other.
func refusePortal(r Request) error {
	if r.Actor != nil && r.Actor.Role == jaga.RolePortal {
		return jaga.Refusal(policy.ReasonRoleNotAllowed, "role portal only looks a customer up at sign-in")
	}
	return nil
}

// builtinRoleError is CreateActor's refusal of one of jaga.BuiltinRoles.
func builtinRoleError(role jaga.Role) error {
	who := "the customer acting for themself in the privacy portal"
	if role == jaga.RolePortal {
		who = "the privacy portal's own sign-in look-up"
	}
	names := make([]string, len(jaga.DefaultRoles))
	for i, r := range jaga.DefaultRoles {
		names[i] = string(r)
	}
	return jaga.FieldError("role", "role %s is Jaga's own (%s): staff and integrations cannot hold it; choose one of %s",
		role, who, strings.Join(names, ", "))
}
