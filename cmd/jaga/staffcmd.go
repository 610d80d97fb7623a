package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// staffRule says who may run a command that acts as a staff member (staffKey): the
// roles that may and the purpose each acts under, the audit action a refusal is
// recorded with, and what the command does, for the refusal's message ("undoing a
// merge is for the dpo role (this key is auditor)").
type staffRule struct {
	// what names the work in messages, e.g. "the quarantine desk".
	what string
	// action is the audit action of a refused run (the gate's action for the work).
	action string
	// roles maps each role that may run the command to the purpose it acts under.
	roles map[jaga.Role]string
	// rolesFor, when set, replaces roles with what it returns for the command's
	// arguments (e.g. the roles the policy allows a purpose named there); its error
	// is refused and audited.
	rolesFor func(v *vault, args []string) (map[jaga.Role]string, error)
	// subjects, when set, are the subjects (or quarantined rows) the command names;
	// a refusal's audit event records their IDs.
	subjects []jaga.SubjectID
}

// roleNames lists roles for messages, sorted: "the dpo role", "the dpo or support
// roles", "the auditor, dpo or support roles".
func roleNames(roles map[jaga.Role]string) string {
	names := make([]string, 0, len(roles))
	for r := range roles {
		names = append(names, string(r))
	}
	slices.Sort(names)
	switch len(names) {
	case 0:
		return "no role"
	case 1:
		return "the " + names[0] + " role"
	}
	return "the " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + " roles"
}

// firstPurpose is the purpose of the first of roles by name: the purpose a refused
// run is recorded under.
func firstPurpose(roles map[jaga.Role]string) string {
	var first jaga.Role
	for r := range roles {
		if first == "" || r < first {
			first = r
		}
	}
	return roles[first]
}

// asStaff returns the RunE of a command that acts as the staff member whose key is
// given (staffKey), so that the audit log names who did it (UU PDP Art 31, R-16,
// it resolves the key (no key is refused with sk's hint), opens the vault,
// authenticates the key (an unknown one is refused and audited, never echoed) and
// refuses, audited with rule.action and the reason "<parent> <command>" (e.g.
// "subjects unmerge"), a role rule does not name, naming the roles that may. fn then
// runs with the request that names the staff member, its purpose and that reason.
func (e *env) asStaff(vf *vaultFlags, sk *staffKey, rule staffRule, fn func(cmd *cobra.Command, v *vault, req gate.Request, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		key, err := e.resolveKey(cmd, sk)
		if err != nil {
			return err
		}
		return e.withVault(vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			reason := cmd.Parent().Name() + " " + cmd.Name()
			actor, err := actAs(cmd.Context(), v, key, sk.from, rule.action, reason)
			if err != nil {
				return err
			}
			roles := rule.roles
			if rule.rolesFor != nil {
				if roles, err = rule.rolesFor(v, args); err != nil {
					return v.gate.Refuse(cmd.Context(), gate.Request{Actor: actor, Reason: reason}, rule.action, err, rule.subjects...)
				}
			}
			purpose, ok := roles[actor.Role]
			req := gate.Request{Actor: actor, Purpose: purpose, Reason: reason}
			if !ok {
				req.Purpose = firstPurpose(roles)
				return v.gate.Refuse(cmd.Context(), req, rule.action,
					jaga.Refusal("role_not_allowed", "%s is for %s (this key is %s)", rule.what, roleNames(roles), actor.Role), rule.subjects...)
			}
			return fn(cmd, v, req, args)
		})(cmd, args)
	}
}
