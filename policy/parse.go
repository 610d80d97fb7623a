package policy

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"jaga"
)

// Version is the policy file format version Parse reads ("version: 1").
const Version = 1

// pos is a position in a policy file (1-based; 0 when unknown).
type pos struct{ line, col int }

func at(n *yaml.Node) pos { return pos{n.Line, n.Column} }

// parser walks a decoded YAML tree and stops at the first error.
type parser struct {
	name string
	// scope, when set, starts every message: "role R: " inside a role, "role R, purpose
	// P: " inside one of its purposes, so that each error names where it is as Check's do.
	scope string
}

// errorf returns the EINVALID error of a policy file (a *FileError), located as
// "name:line:col: msg".
func (ps *parser) errorf(p pos, format string, args ...any) error {
	msg := ps.scope + fmt.Sprintf(format, args...)
	return &FileError{File: ps.name, Line: p.line, Col: p.col, Msg: msg,
		err: jaga.Errorf(jaga.EINVALID, "%s: %s", location(ps.name, p.line, p.col), msg)}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a policy file; name is used in error messages (a path, or "default.yaml").
//
// The format (version 1):
//
//	version: 1
//	roles:
//	  <role>:                       # one of jaga.DefaultRoles or jaga.BuiltinRoles; {} for a role with no purpose
//	    purposes:
//	      <purpose id>:
//	        fields: {<key>: <rule>, ...}
//	        reveal: [<field>, ...]  # masked fields that may be revealed with a reason
//	        write: [<key>, ...]     # fields and attributes the role may change (none if absent)
//
// A key is a field or attribute name (snake_case), "@attributes" (general attributes),
// "@specific" (specific-class fields and attributes), "*" (everything) or "purchases".
// A rule is "allow", "deny" (deny:role_not_allowed), "deny:<snake_case reason>" or
// "mask:<rule>" with a rule of MaskRules; masks apply to named fields only. A reveal entry
// must be a field of the same purpose with a mask rule. A write entry is a key as in
// fields but purchases, and not a name the purpose's fields deny; a purpose without
// write (or with "write: []") lets the role change nothing (Policy.CanWrite). Role portal (jaga.RolePortal) may
// name purpose dsr only, with fields of PortalFields only, allow or deny, and no write; a
// file that leaves it out gets the default's rules for it.
//
// Errors are *FileError wrapping a *jaga.Error with Code jaga.EINVALID and a message
// "name:line:col: what is wrong", where what is wrong starts with "role R: " inside a
// role and "role R, purpose P: " inside one of its purposes (as Check's messages): YAML syntax (at the line and column of the problem, syntaxError), more than one document,
// anchors and aliases, an unknown or duplicate key, an unknown role, an unsupported
// version, a bad rule, mask, reveal or write entry.
func Parse(name string, data []byte) (*Policy, error) {
	ps := &parser{name: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ps.errorf(pos{}, "policy file is empty")
		}
		if p, msg, ok := syntaxError(data); ok {
			return nil, ps.errorf(p, "%s", msg)
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, ps.errorf(pos{line: line}, "%s", m[2])
		}
		return nil, ps.errorf(pos{}, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		p := pos{}
		if err == nil {
			p = at(&extra)
		}
		return nil, ps.errorf(p, "a policy file holds one YAML document")
	}
	if len(doc.Content) != 1 {
		return nil, ps.errorf(at(&doc), "policy file is empty")
	}
	pol := &Policy{name: name, roles: map[jaga.Role]*roleRules{}}
	if err := ps.top(doc.Content[0], pol); err != nil {
		return nil, err
	}
	if err := ps.portal(pol); err != nil {
		return nil, err
	}
	return pol, nil
}

// Load reads and parses the policy file at path. A file that cannot be read is an error
// wrapping the os error; other errors are Parse's.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return Parse(path, data)
}

// mapping calls fn for each key and value of the mapping n, in order, after checking that
// n is a mapping (or null, when nullOK), that keys are plain strings and not repeated,
// and that no anchor or alias is used.
func (ps *parser) mapping(n *yaml.Node, what string, nullOK bool, fn func(k, v *yaml.Node) error) error {
	if err := ps.plain(n); err != nil {
		return err
	}
	if nullOK && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return ps.errorf(at(n), "%s must be a mapping", what)
	}
	seen := map[string]pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := ps.plain(k); err != nil {
			return err
		}
		if err := ps.plain(v); err != nil {
			return err
		}
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" && k.Tag != "!!int" {
			return ps.errorf(at(k), "keys of %s must be names", what)
		}
		if first, dup := seen[k.Value]; dup {
			return ps.errorf(at(k), "%q is given twice in %s (first at line %d)", k.Value, what, first.line)
		}
		seen[k.Value] = at(k)
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// plain refuses anchors and aliases: a policy is read by people, each rule where it applies.
func (ps *parser) plain(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return ps.errorf(at(n), "anchors and aliases are not supported in policy files")
	}
	return nil
}

func (ps *parser) top(n *yaml.Node, pol *Policy) error {
	version := false
	err := ps.mapping(n, "the policy", false, func(k, v *yaml.Node) error {
		switch k.Value {
		case "version":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
				return ps.errorf(at(v), "version must be a number")
			}
			if v.Value != strconv.Itoa(Version) {
				return ps.errorf(at(v), "unsupported policy version %s; this Jaga reads version %d", v.Value, Version)
			}
			version = true
			return nil
		case "roles":
			return ps.mapping(v, "roles", true, func(rk, rv *yaml.Node) error {
				role := jaga.Role(rk.Value)
				if !knownRole(role) {
					return ps.errorf(at(rk), "unknown role %q; roles are %s", rk.Value, roleList())
				}
				rr, err := ps.role(role, rv)
				if err != nil {
					return err
				}
				rr.at = at(rk)
				pol.roles[role] = rr
				return nil
			})
		}
		return ps.errorf(at(k), "unknown key %q; expected version or roles", k.Value)
	})
	if err != nil {
		return err
	}
	if !version {
		return ps.errorf(at(n), "version is missing; add \"version: %d\"", Version)
	}
	return nil
}

func (ps *parser) role(role jaga.Role, n *yaml.Node) (*roleRules, error) {
	rr := &roleRules{purposes: map[string]*purposeRule{}}
	ps.scope = fmt.Sprintf("role %s: ", role)
	defer func() { ps.scope = "" }()
	err := ps.mapping(n, "a role", true, func(k, v *yaml.Node) error {
		if k.Value != "purposes" {
			return ps.errorf(at(k), "unknown key %q in a role; expected purposes", k.Value)
		}
		return ps.mapping(v, "purposes", true, func(pk, pv *yaml.Node) error {
			if !jaga.ValidName(pk.Value) {
				return ps.errorf(at(pk), "purpose %q must be a snake_case ID", pk.Value)
			}
			ps.scope = fmt.Sprintf("role %s, purpose %s: ", role, pk.Value)
			r, err := ps.purpose(pv)
			ps.scope = fmt.Sprintf("role %s: ", role)
			if err != nil {
				return err
			}
			r.at = at(pk)
			rr.purposes[pk.Value] = r
			return nil
		})
	})
	return rr, err
}

func (ps *parser) purpose(n *yaml.Node) (*purposeRule, error) {
	r := &purposeRule{fields: map[string]jaga.Decision{}, reveal: map[string]bool{}, fieldsAt: map[string]pos{},
		write: map[string]bool{}, writeAt: map[string]pos{}}
	var reveal, write *yaml.Node
	err := ps.mapping(n, "a purpose", true, func(k, v *yaml.Node) error {
		switch k.Value {
		case "fields":
			return ps.mapping(v, "fields", true, func(fk, fv *yaml.Node) error {
				if err := ps.fieldKey(fk); err != nil {
					return err
				}
				d, err := ps.decision(fk.Value, fv)
				if err != nil {
					return err
				}
				r.fields[fk.Value] = d
				r.fieldsAt[fk.Value] = at(fk)
				return nil
			})
		case "reveal":
			reveal = v
			return nil
		case "write":
			write = v
			return nil
		}
		return ps.errorf(at(k), "unknown key %q in a purpose; expected fields, reveal or write", k.Value)
	})
	if err != nil {
		return nil, err
	}
	if reveal != nil { // after fields, which may come later in the mapping
		if err := ps.reveal(reveal, r); err != nil {
			return nil, err
		}
	}
	if write != nil {
		if err := ps.write(write, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// write reads a purpose's write list: field or attribute names and the groups
// KeyAttributes, KeySpecific and KeyAll, each once. A name whose own rule in the
// purpose's fields is a deny is refused: a role never writes a field it may not read.
// Purchases are added by import, not written through an update, so they are not a key.
func (ps *parser) write(n *yaml.Node, r *purposeRule) error {
	if err := ps.plain(n); err != nil {
		return err
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return ps.errorf(at(n), "write must be a list of field names or groups (%s, %s, %s)", KeyAttributes, KeySpecific, KeyAll)
	}
	for _, e := range n.Content {
		if err := ps.plain(e); err != nil {
			return err
		}
		if e.Kind != yaml.ScalarNode || e.Tag != "!!str" {
			return ps.errorf(at(e), "write entries must be field names or groups (%s, %s, %s)", KeyAttributes, KeySpecific, KeyAll)
		}
		if e.Value == jaga.FieldPurchases {
			return ps.errorf(at(e), "write cannot list purchases: they are imported, never changed through an update")
		}
		if err := ps.fieldKey(e); err != nil {
			return err
		}
		if first, dup := r.writeAt[e.Value]; dup {
			return ps.errorf(at(e), "%q is given twice in write (first at line %d)", e.Value, first.line)
		}
		if d, ok := r.fields[e.Value]; ok && d.IsDeny() {
			return ps.errorf(at(e), "write lists %q, which the purpose's fields deny (%s): a role may not write a field it may not read", e.Value, d)
		}
		r.write[e.Value] = true
		r.writeAt[e.Value] = at(e)
	}
	return nil
}

func (ps *parser) reveal(n *yaml.Node, r *purposeRule) error {
	if err := ps.plain(n); err != nil {
		return err
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return ps.errorf(at(n), "reveal must be a list of field names")
	}
	for _, e := range n.Content {
		if err := ps.plain(e); err != nil {
			return err
		}
		if e.Kind != yaml.ScalarNode || e.Tag != "!!str" || !jaga.ValidName(e.Value) {
			return ps.errorf(at(e), "reveal entries must be field names")
		}
		if _, dup := r.reveal[e.Value]; dup {
			return ps.errorf(at(e), "%q is given twice in reveal", e.Value)
		}
		if _, masked := r.fields[e.Value].MaskRule(); !masked {
			return ps.errorf(at(e), "reveal lists %q, which has no mask rule in this purpose's fields", e.Value)
		}
		r.reveal[e.Value] = true
	}
	return nil
}

func (ps *parser) fieldKey(k *yaml.Node) error {
	switch s := k.Value; {
	case s == KeyAll || s == KeyAttributes || s == KeySpecific || s == jaga.FieldPurchases:
		return nil
	case strings.HasPrefix(s, "@"):
		return ps.errorf(at(k), "unknown field group %q; groups are %s, %s and %s", s, KeyAttributes, KeySpecific, KeyAll)
	case !jaga.ValidName(s):
		return ps.errorf(at(k), "field %q must be a snake_case name", s)
	}
	return nil
}

// decision reads the rule v for field key.
func (ps *parser) decision(key string, v *yaml.Node) (jaga.Decision, error) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		return "", ps.errorf(at(v), "the rule for %q must be allow, deny, deny:<reason> or mask:<rule>", key)
	}
	s := v.Value
	switch {
	case s == "allow":
		return jaga.Allow, nil
	case s == "deny":
		return jaga.Deny(ReasonRoleNotAllowed), nil
	case strings.HasPrefix(s, "deny:"):
		reason := strings.TrimPrefix(s, "deny:")
		if !jaga.ValidName(reason) {
			return "", ps.errorf(at(v), "deny reason %q must be a snake_case word", reason)
		}
		return jaga.Deny(reason), nil
	case strings.HasPrefix(s, "mask:"):
		rule := strings.TrimPrefix(s, "mask:")
		if _, ok := maskTypes[rule]; !ok {
			return "", ps.errorf(at(v), "unknown mask %q; masks are %s", rule, strings.Join(MaskRules(), ", "))
		}
		if key == KeyAll || key == KeyAttributes || key == KeySpecific || key == jaga.FieldPurchases {
			return "", ps.errorf(at(v), "a mask applies to one named field, not to %q", key)
		}
		return jaga.Mask(rule), nil
	}
	return "", ps.errorf(at(v), "unknown rule %q for %q; rules are allow, deny, deny:<reason> and mask:<rule>", s, key)
}

func knownRole(r jaga.Role) bool {
	if r.Builtin() {
		return true // the data subject in the privacy portal, the portal's sign-in look-up
	}
	for _, d := range jaga.DefaultRoles {
		if r == d {
			return true
		}
	}
	return false
}

func roleList() string {
	s := make([]string, len(jaga.DefaultRoles))
	for i, r := range jaga.DefaultRoles {
		s[i] = string(r)
	}
	for _, r := range jaga.BuiltinRoles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// Check checks the policy against a schema and a purpose registry, so that a typo cannot
// silently change what a role sees (a misspelt "incme: deny" under "@attributes: allow"
// would otherwise leave income allowed). It reports, located in the policy file:
//   - a purpose the registry does not have;
//   - a field, reveal or write entry the schema does not have;
//   - a write entry naming a field the role's rule for the purpose denies (by a group
//     or by default), which could never be written;
//   - a mask rule on a field of another value type (last3 needs a phone, first_letter an
//     email, region_last4 a nik, initials a name, year a date).
//
// Errors are *jaga.Error with Code jaga.EINVALID, as Parse's; nil when all is well. Call
// it at start-up, after loading the schema and the purposes.
func (p *Policy) Check(schema *jaga.Schema, purposes []jaga.Purpose) error {
	ps := &parser{name: p.name}
	known := map[string]bool{}
	for _, pu := range purposes {
		known[pu.ID] = true
	}
	for _, role := range p.Roles() {
		rr := p.roles[role]
		for _, id := range p.Purposes(role) {
			r := rr.purposes[id]
			if !known[id] {
				return ps.errorf(r.at, "role %s: unknown purpose %q", role, id)
			}
			for _, key := range sortedKeys(r.fieldsAt) {
				if key == KeyAll || key == KeyAttributes || key == KeySpecific || key == jaga.FieldPurchases {
					continue
				}
				f, ok := schema.Field(key)
				if !ok {
					return ps.errorf(r.fieldsAt[key], "role %s, purpose %s: unknown field %q", role, id, key)
				}
				if rule, masked := r.fields[key].MaskRule(); masked && maskTypes[rule] != f.Type {
					return ps.errorf(r.fieldsAt[key], "role %s, purpose %s: mask %s is for %s values; %s is %s",
						role, id, rule, maskTypes[rule], key, f.Type)
				}
			}
			for _, key := range sortedKeys(r.writeAt) {
				if key == KeyAll || key == KeyAttributes || key == KeySpecific {
					continue
				}
				f, ok := schema.Field(key)
				if !ok {
					return ps.errorf(r.writeAt[key], "role %s, purpose %s: write lists unknown field %q", role, id, key)
				}
				if d := r.lookup(f); d.IsDeny() {
					return ps.errorf(r.writeAt[key], "role %s, purpose %s: write lists %q, which the purpose's fields deny (%s): a role may not write a field it may not read",
						role, id, key, d)
				}
			}
		}
	}
	return nil
}

// sortedKeys returns the keys of m in file order, so that Check reports the first
// problem of a purpose first.
func sortedKeys(m map[string]pos) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[a].line, m[b].line); c != 0 {
			return c
		}
		return cmp.Compare(m[a].col, m[b].col)
	})
	return keys
}
