// Package policy makes Jaga's pure access decisions: for a role, a purpose and a field it
// answers allow, mask:<rule> or deny:<reason> (DESIGN.md, "decision"), and it applies the
// mask rules to values. It holds no state beyond the parsed policy, reads no clock and
// touches no storage or key; the gate combines its answers with consent, restriction and
// the audit log.
//
// A policy is a YAML file (Parse, Load) or the embedded default (Default, default.yaml),
// which implements DESIGN.md's roles table. A decision is allowed only if both the policy
// and the purpose registry allow it (DESIGN.md; UU PDP Art 28, R-27): Decide checks the
// purpose's field list (jaga.Purpose.Covers) before the role's rule.
//
// The package imports the root package jaga, the standard library and go.yaml.in/yaml/v3.
package policy

import (
	"bytes"
	_ "embed"
	"slices"
	"sync"

	"jaga"
)

// Deny reasons the policy gives (the "deny:<reason>" of jaga.Decision), the field-level
// part of the reasons of issue 3 (access.go has the subject-level ones). A policy file
// may name other snake_case reasons with "deny:<reason>".
const (
	// ReasonRoleNotAllowed: the role has no rule for the purpose, or its rule for the
	// purpose does not allow the field (a bare "deny" or no matching key).
	ReasonRoleNotAllowed = "role_not_allowed"
	// ReasonPurposeNotActive: no purpose was given (a nil *jaga.Purpose), or it is not
	// active (Access).
	ReasonPurposeNotActive = "purpose_not_active"
	// ReasonFieldNotInPurpose: the purpose registry does not list the field;
	// specific data must be listed explicitly.
	ReasonFieldNotInPurpose = "field_not_in_purpose"
	// ReasonWriteNotAllowed: the role may read the field under the purpose but its rule
	// for the purpose does not list the field under write (CanWrite): who may change a
	// record is a permission of its own (least privilege, UU PDP Art 16(2), Art 39; R-32).
	ReasonWriteNotAllowed = "write_not_allowed"
)

// Keys of a purpose's field rules that stand for several fields.
const (
	// KeyAll matches every field and attribute, specific classes included, and the
	// purchases.
	KeyAll = "*"
	// KeyAttributes matches every attribute (jaga.KindAttribute) of class general. Unlike
	// a purpose's "@attributes", it leaves out specific-class attributes, so that a new
	// specific attribute (UU PDP Art 4(2)) is never shown by a wildcard written before it.
	KeyAttributes = "@attributes"
	// KeySpecific matches every field and attribute of a specific class (UU PDP Art 4(2),
	//
	KeySpecific = "@specific"
)

// Policy is a parsed policy: for each role, the purposes it may act for and, per purpose,
// a rule for each field (a name, KeySpecific, KeyAttributes, KeyAll or
// jaga.FieldPurchases), the masked fields it may reveal and the fields it may write. A
// Policy is immutable and safe for concurrent use.
type Policy struct {
	name  string
	roles map[jaga.Role]*roleRules
}

type roleRules struct {
	purposes map[string]*purposeRule
	at       pos
}

type purposeRule struct {
	fields   map[string]jaga.Decision
	reveal   map[string]bool
	write    map[string]bool // keys as fields' (a name, KeySpecific, KeyAttributes, KeyAll)
	writeAt  map[string]pos
	at       pos
	fieldsAt map[string]pos
}

// writes reports whether the purpose's write list matches f: its name, KeySpecific for a
// specific-class field, KeyAttributes for a general attribute, or KeyAll.
func (r *purposeRule) writes(f jaga.FieldSpec) bool {
	switch {
	case r.write[f.Name], r.write[KeyAll]:
		return true
	case f.Class.Specific():
		return r.write[KeySpecific]
	case f.Kind == jaga.KindAttribute:
		return r.write[KeyAttributes]
	}
	return false
}

// lookup returns the rule for f: its name, then KeySpecific (specific class) or
// KeyAttributes (general attribute), then KeyAll, then deny:role_not_allowed.
func (r *purposeRule) lookup(f jaga.FieldSpec) jaga.Decision {
	if d, ok := r.fields[f.Name]; ok {
		return d
	}
	if f.Class.Specific() {
		if d, ok := r.fields[KeySpecific]; ok {
			return d
		}
	} else if f.Kind == jaga.KindAttribute {
		if d, ok := r.fields[KeyAttributes]; ok {
			return d
		}
	}
	if d, ok := r.fields[KeyAll]; ok {
		return d
	}
	return jaga.Deny(ReasonRoleNotAllowed)
}

//go:embed default.yaml
var defaultYAML []byte

var defaultPolicy = sync.OnceValue(func() *Policy {
	p, err := Parse("default.yaml", defaultYAML)
	if err != nil {
		panic(err) // the embedded file is a constant; TestDefault parses it
	}
	return p
})

// Default returns the embedded default policy (default.yaml), which implements
// DESIGN.md's default roles table. Every call returns the same immutable *Policy.
func Default() *Policy { return defaultPolicy() }

// DefaultYAML returns a copy of the embedded default policy file, as a starting point for
// a company's own.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Name returns the name the policy was parsed under: a file path, or "default.yaml".
func (p *Policy) Name() string { return p.name }

// Roles returns the roles the policy names, jaga.DefaultRoles order.
func (p *Policy) Roles() []jaga.Role {
	var out []jaga.Role
	for _, r := range jaga.DefaultRoles {
		if _, ok := p.roles[r]; ok {
			out = append(out, r)
		}
	}
	return out
}

// Purposes returns the IDs of the purposes role may act for, sorted; nil for a role the
// policy does not name.
func (p *Policy) Purposes(role jaga.Role) []string {
	rr := p.roles[role]
	if rr == nil {
		return nil
	}
	var out []string
	for id := range rr.purposes {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (p *Policy) rule(role jaga.Role, purpose string) *purposeRule {
	if rr := p.roles[role]; rr != nil {
		return rr.purposes[purpose]
	}
	return nil
}

// AllowsPurpose reports whether role may act for purpose at all (the policy lists the
// purpose under the role). The gate refuses a request for which it is false with
// jaga.Refusal(ReasonRoleNotAllowed, …).
func (p *Policy) AllowsPurpose(role jaga.Role, purpose string) bool {
	return p.rule(role, purpose) != nil
}

// Decide returns the decision for field f when role acts for purpose:
//   - deny:purpose_not_active if purpose is nil;
//   - deny:role_not_allowed if the policy gives the role no rule for the purpose;
//   - deny:field_not_in_purpose if the purpose registry does not cover f (purpose.Covers;
//     UU PDP Art 28, R-27): both the policy and the registry must allow (DESIGN.md);
//   - otherwise the role's rule for f: by name, then "@specific" for a specific-class
//     field or "@attributes" for a general attribute, then "*", and
//     deny:role_not_allowed when none matches.
//
// Decide says nothing about consent, restriction or the subject; the gate checks those.
func (p *Policy) Decide(role jaga.Role, purpose *jaga.Purpose, f jaga.FieldSpec) jaga.Decision {
	if purpose == nil {
		return jaga.Deny(ReasonPurposeNotActive)
	}
	r := p.rule(role, purpose.ID)
	if r == nil {
		return jaga.Deny(ReasonRoleNotAllowed)
	}
	if !purpose.Covers(f) {
		return jaga.Deny(ReasonFieldNotInPurpose)
	}
	return r.lookup(f)
}

// DecidePurchases returns the decision for the subject's purchases, as Decide does for a
// field: deny:purpose_not_active, deny:role_not_allowed, deny:field_not_in_purpose
// (purpose.CoversPurchases), then the role's rule for jaga.FieldPurchases or "*", else
// deny:role_not_allowed. It is allow or a deny: a policy cannot mask purchases.
func (p *Policy) DecidePurchases(role jaga.Role, purpose *jaga.Purpose) jaga.Decision {
	if purpose == nil {
		return jaga.Deny(ReasonPurposeNotActive)
	}
	r := p.rule(role, purpose.ID)
	if r == nil {
		return jaga.Deny(ReasonRoleNotAllowed)
	}
	if !purpose.CoversPurchases() {
		return jaga.Deny(ReasonFieldNotInPurpose)
	}
	if d, ok := r.fields[jaga.FieldPurchases]; ok {
		return d
	}
	if d, ok := r.fields[KeyAll]; ok {
		return d
	}
	return jaga.Deny(ReasonRoleNotAllowed)
}

// CanReveal reports whether role, acting for purpose, may see field in full although its
// decision is a mask: the field is listed under the purpose's reveal, which Parse allows
// only for fields with a mask rule. The gate also requires a Jaga-Reason and audits the
// reveal (DESIGN.md, HTTP API conventions); CanReveal checks neither, nor the purpose
// registry (Decide does).
func (p *Policy) CanReveal(role jaga.Role, purpose string, field string) bool {
	r := p.rule(role, purpose)
	return r != nil && r.reveal[field]
}

// CanWrite reports whether role, acting for purpose, may change field f (set or remove
// its value): the purpose's write list names f, or a group that matches it
// (KeySpecific for a specific-class field, KeyAttributes for a general attribute,
// KeyAll for any), AND Decide does not deny f (a role never writes a field it may not
// read; the registry must cover it). A purpose without a write list lets the role write
// nothing (default.yaml's header). Reading and changing are separate permissions (least
// privilege, UU PDP Art 16(2), Art 39; R-32): a masked field may be writable or not.
//
// The decision is Decide's deny when that is a deny, else deny:write_not_allowed
// (ReasonWriteNotAllowed) when the write list does not match f, else allow. The gate
// applies a customer's correction (UU PDP Art 6, R-18) whatever CanWrite says; it checks
// consent and the subject itself.
func (p *Policy) CanWrite(role jaga.Role, purpose *jaga.Purpose, f jaga.FieldSpec) jaga.Decision {
	if d := p.Decide(role, purpose, f); d.IsDeny() {
		return d
	}
	if r := p.rule(role, purpose.ID); r == nil || !r.writes(f) {
		return jaga.Deny(ReasonWriteNotAllowed)
	}
	return jaga.Allow
}
