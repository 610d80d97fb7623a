package gate

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jaga"
	"jaga/policy"
)

// Controller names the controller (pengendali data pribadi) in privacy notices and
// consent receipts (UU PDP Art 21(1): the requester's identity, R-12): its name, postal
// address, privacy contact and the contact of its data protection officer (Art 53,
//
// Zero fields get neutral defaults (no address); a company sets its own in jaga.yaml
// (controller:). Notices keep the controller they were generated with; receipts name
// the current one.
type Controller struct {
	Name       string `json:"name"`
	Contact    string `json:"contact"`
	DPOContact string `json:"dpo_contact"`
	Address    string `json:"address,omitempty"`
	Country    string `json:"country"`
}

func (c Controller) withDefaults() Controller {
	if c.Name == "" {
		c.Name = "Pengendali data (the controller)"
	}
	if c.Contact == "" {
		c.Contact = "privacy@example.co.id"
	}
	if c.DPOContact == "" {
		c.DPOContact = "dpo@example.co.id"
	}
	if c.Country == "" {
		c.Country = "ID"
	}
	return c
}

// registry is one immutable snapshot of the purpose registry and the notices.
type registry struct {
	version  int64
	purposes map[string]*jaga.Purpose
	notices  map[string]*jaga.Notice
	order    []string // notice versions, oldest first
	checked  time.Time
}

// registryCache holds the current snapshot. Readers never block: a stale snapshot
// (older than refresh) is compared with the database's registry version by one reader
// while the others go on with it.
type registryCache struct {
	cur     atomic.Pointer[registry]
	refresh time.Duration
	mu      sync.Mutex // held while loading or changing
}

// openRegistry loads the registry, seeding it from seed when the database has none.
// A seeded purpose without a status is active when ActivationProblems is empty, else a
// draft; one given as active with problems is refused.
func (g *Gate) openRegistry(ctx context.Context, seed []jaga.Purpose) error {
	g.reg.mu.Lock()
	defer g.reg.mu.Unlock()
	err := g.store.Update(ctx, func(tx jaga.Tx) error {
		have, err := tx.Purposes(ctx)
		if err != nil || len(have) > 0 {
			return err
		}
		for i := range seed {
			p := seed[i]
			p.Fields, p.Recipients, p.RiskFlags = slices.Clone(p.Fields), slices.Clone(p.Recipients), slices.Clone(p.RiskFlags)
			problems := p.ActivationProblems()
			switch {
			case p.Status == "" && len(problems) == 0:
				p.Status = jaga.PurposeActive
			case p.Status == "":
				p.Status = jaga.PurposeDraft
			case p.Status == jaga.PurposeActive && len(problems) > 0:
				return jaga.FieldError("purposes", "purpose %s cannot be active: %s", p.ID, strings.Join(problems, "; "))
			}
			p.Version = 1
			if err := tx.PutPurpose(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return g.loadRegistryLocked(ctx)
}

// loadRegistryLocked reads the registry into a new snapshot; g.reg.mu is held.
func (g *Gate) loadRegistryLocked(ctx context.Context) error {
	r := &registry{purposes: map[string]*jaga.Purpose{}, notices: map[string]*jaga.Notice{}, checked: time.Now()}
	err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		if r.version, err = tx.RegistryVersion(ctx); err != nil {
			return err
		}
		ps, err := tx.Purposes(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			r.purposes[p.ID] = p
		}
		ns, err := tx.Notices(ctx)
		if err != nil {
			return err
		}
		for _, n := range ns {
			r.notices[n.Version] = n
			r.order = append(r.order, n.Version)
		}
		return nil
	})
	if err != nil {
		return err
	}
	prev := g.reg.cur.Swap(r)
	if prev != nil && prev.version != r.version {
		// Cached plans and field coverage derive from purpose definitions.
		g.plans.Clear()
		g.covered.Clear()
	}
	return nil
}

// snapshot returns the current registry, first reloading it when it is older than the
// refresh interval and the database's version moved (another node changed it).
func (g *Gate) snapshot() *registry {
	r := g.reg.cur.Load()
	if time.Since(r.checked) < g.reg.refresh || !g.reg.mu.TryLock() {
		return r
	}
	defer g.reg.mu.Unlock()
	r = g.reg.cur.Load()
	if time.Since(r.checked) < g.reg.refresh {
		return r
	}
	var v int64
	err := g.store.View(context.Background(), func(tx jaga.Tx) (err error) {
		v, err = tx.RegistryVersion(context.Background())
		return err
	})
	switch {
	case err != nil:
		g.log.Warn("purpose registry: version check failed", "error", err.Error())
	case v != r.version:
		if err := g.loadRegistryLocked(context.Background()); err != nil {
			g.log.Warn("purpose registry: reload failed", "error", err.Error())
		}
	default:
		next := *r
		next.checked = time.Now()
		g.reg.cur.Store(&next)
	}
	return g.reg.cur.Load()
}

// Purpose returns the registered purpose id (any status). The returned purpose is
// shared and must not be changed.
func (g *Gate) Purpose(id string) (*jaga.Purpose, bool) {
	p, ok := g.snapshot().purposes[id]
	return p, ok
}

// Purposes returns every registered purpose, by ID.
func (g *Gate) Purposes() []*jaga.Purpose {
	r := g.snapshot()
	out := make([]*jaga.Purpose, 0, len(r.purposes))
	for _, p := range r.purposes {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Notice returns notice version v.
func (g *Gate) Notice(v string) (*jaga.Notice, bool) {
	n, ok := g.snapshot().notices[v]
	return n, ok
}

// Notices returns every notice version, oldest first.
func (g *Gate) Notices() []*jaga.Notice {
	r := g.snapshot()
	out := make([]*jaga.Notice, 0, len(r.order))
	for _, v := range r.order {
		out = append(out, r.notices[v])
	}
	return out
}

// PurposeChange is a request to register or change a purpose. Purpose holds the whole
// new definition (ID, names, descriptions, basis, fields, retention, recipients, risk
// flags, validity); its Status, assessments, Version and Pending are ignored.
type PurposeChange struct {
	Request
	Purpose jaga.Purpose
}

// PutPurpose registers a new purpose (as a draft) or changes one. A change of an active
// purpose's fields, retention or recipients does not take effect until an approved
// notice in force covers it (UU PDP Art 21(2), R-13): it is kept as the purpose's
// Pending change and applied when such a notice is approved; other changes (names,
// descriptions) apply at once. Only admin and dpo manage the registry. Errors:
// EFORBIDDEN role_not_allowed, EUNPROCESSABLE naming the bad member. The change is
// audited (action purpose_change).
func (g *Gate) PutPurpose(ctx context.Context, req PurposeChange) (*jaga.Purpose, error) {
	if err := checkRegistryActor(req.Request, registryNoun); err != nil {
		return nil, g.refuse(ctx, req.Request, ActionPurposeChange, nil, nil, err)
	}
	in := req.Purpose
	if err := g.validatePurpose(&in); err != nil {
		return nil, err
	}
	var out *jaga.Purpose
	err := g.changeRegistry(ctx, req.Request, ActionPurposeChange, func(r *registry, tx jaga.Tx) error {
		old := r.purposes[in.ID]
		p := in
		p.BalancingTest, p.DPIA, p.Pending = nil, nil, nil
		switch {
		case old == nil:
			p.Status, p.Version = jaga.PurposeDraft, 1
		default:
			p.Status, p.BalancingTest, p.DPIA, p.Version = old.Status, old.BalancingTest, old.DPIA, old.Version+1
			if old.Basis != p.Basis && old.Status == jaga.PurposeActive {
				return jaga.FieldError("lawful_basis", "the lawful basis of an active purpose cannot change; retire it and register a new purpose (R-5)")
			}
			if old.Status == jaga.PurposeActive && p.Material().Hash() != old.Material().Hash() {
				// keep the definition in force, park the change.
				ch := &jaga.PurposeChange{Fields: p.Fields, RetentionDays: p.RetentionDays, Recipients: p.Recipients,
					RequestedAt: g.now(), RequestedBy: req.Actor.ID}
				p.Fields, p.RetentionDays, p.Recipients, p.ValidityDays = old.Fields, old.RetentionDays, old.Recipients, old.ValidityDays
				p.Pending = ch
			}
		}
		out = &p
		return tx.PutPurpose(ctx, &p)
	})
	return out, err
}

// validatePurpose checks a purpose definition: snake_case ID, names in both languages,
// a valid basis, known fields, a retention period and field list, known
// risk flags.
func (g *Gate) validatePurpose(p *jaga.Purpose) error {
	if !jaga.ValidName(p.ID) || len(p.ID) > 64 {
		return jaga.FieldError("id", "purpose id must be a snake_case name of at most 64 bytes")
	}
	if strings.TrimSpace(p.NameID) == "" || strings.TrimSpace(p.NameEN) == "" {
		return jaga.FieldError("name_id", "a purpose needs a name in Bahasa Indonesia (name_id) and English (name_en)")
	}
	if !p.Basis.Valid() {
		return jaga.FieldError("lawful_basis", "lawful basis must be one of consent, contract, legal_obligation, vital_interest, public_task, legitimate_interest (UU PDP Art 20(2), R-5)")
	}
	if p.RetentionDays <= 0 {
		return jaga.FieldError("retention_days", "a purpose needs a retention period in days (UU PDP Art 21(1), R-12)")
	}
	if p.ValidityDays < 0 {
		return jaga.FieldError("consent_validity_days", "consent validity must be zero (none) or a number of days")
	}
	for _, f := range p.Fields {
		switch f {
		case "*", "@attributes", "@specific", jaga.FieldPurchases:
			continue
		}
		if _, ok := g.schema.Field(f); !ok {
			return jaga.FieldError("fields", "unknown field %s", jaga.SafeName(f))
		}
	}
	for _, r := range p.RiskFlags {
		if !slices.Contains(jaga.RiskFlags, r) {
			return jaga.FieldError("risk_flags", "unknown risk flag %s; flags are %s", jaga.SafeName(r), strings.Join(jaga.RiskFlags, ", "))
		}
	}
	for _, r := range p.Recipients {
		if strings.TrimSpace(r) == "" || len(r) > 200 || jaga.LooksPersonal(r) {
			return jaga.FieldError("recipients", "recipients are names of organisations or categories of at most 200 bytes")
		}
	}
	return nil
}

// Assessment kinds for RecordAssessment.
const (
	AssessmentBalancingTest = "balancing_test"
	AssessmentDPIA          = "dpia"
)

// RecordAssessment records a balancing test (legitimate interest, R-5) or a DPIA (risk
// flags, R-43) for purpose id, approved by the acting dpo. Errors: EFORBIDDEN
// role_not_allowed (only dpo), ENOTFOUND, EUNPROCESSABLE for a bad kind or reference.
func (g *Gate) RecordAssessment(ctx context.Context, req Request, id, kind string, a jaga.Assessment) (*jaga.Purpose, error) {
	if err := checkPurposeSent(req); err != nil {
		return nil, g.refuse(ctx, req, ActionPurposeChange, nil, nil, err)
	}
	if req.Actor == nil || req.Actor.Role != jaga.RoleDPO && req.Actor.Kind != jaga.ActorSystem {
		return nil, g.refuse(ctx, req, ActionPurposeChange, nil, nil, jaga.Refusal(policy.ReasonRoleNotAllowed, "only the dpo records assessments"))
	}
	if kind != AssessmentBalancingTest && kind != AssessmentDPIA {
		return nil, jaga.FieldError("kind", "kind must be balancing_test or dpia")
	}
	if a.Ref == "" || len(a.Ref) > 100 || len(a.Summary) > 2000 || jaga.LooksPersonal(a.Ref) {
		return nil, jaga.FieldError("ref", "an assessment needs a document reference of at most 100 bytes (and a summary of at most 2000)")
	}
	a.ApprovedBy, a.ApprovedAt = req.Actor.ID, g.now()
	var out *jaga.Purpose
	err := g.changeRegistry(ctx, req, ActionPurposeChange, func(r *registry, tx jaga.Tx) error {
		old, ok := r.purposes[id]
		if !ok {
			return jaga.Errorf(jaga.ENOTFOUND, "no purpose %s", jaga.SafeName(id))
		}
		p := *old
		if kind == AssessmentDPIA {
			p.DPIA = &a
		} else {
			p.BalancingTest = &a
		}
		p.Version++
		out = &p
		return tx.PutPurpose(ctx, &p)
	})
	return out, err
}

// SetPurposeStatus moves purpose id to status: active needs ActivationProblems empty and
// an approved notice in force that covers the purpose's definition; retired
// ends it (consents stay as history). Errors: EFORBIDDEN role_not_allowed, ENOTFOUND,
// ECONFLICT with the problems that block activation.
func (g *Gate) SetPurposeStatus(ctx context.Context, req Request, id string, status jaga.PurposeStatus) (*jaga.Purpose, error) {
	if err := checkRegistryActor(req, registryNoun); err != nil {
		return nil, g.refuse(ctx, req, ActionPurposeChange, nil, nil, err)
	}
	if !status.Valid() {
		return nil, jaga.FieldError("status", "status must be draft, active or retired")
	}
	var out *jaga.Purpose
	err := g.changeRegistry(ctx, req, ActionPurposeChange, func(r *registry, tx jaga.Tx) error {
		old, ok := r.purposes[id]
		if !ok {
			return jaga.Errorf(jaga.ENOTFOUND, "no purpose %s", jaga.SafeName(id))
		}
		p := *old
		if status == jaga.PurposeActive && old.Status != jaga.PurposeActive {
			problems := p.ActivationProblems()
			if g.coveringNotice(r, &p, g.now()) == nil {
				problems = append(problems, "no approved notice in force covers its fields, retention and recipients (UU PDP Art 21, R-12, R-13)")
			}
			if len(problems) > 0 {
				return jaga.Errorf(jaga.ECONFLICT, "purpose %s cannot be active: %s", p.ID, strings.Join(problems, "; "))
			}
		}
		p.Status = status
		p.Version++
		out = &p
		return tx.PutPurpose(ctx, &p)
	})
	return out, err
}

// CurrentNotice returns the latest approved notice in force now that covers purpose id
// as it stands (its fields, retention and recipients), so that a consent form served by
// Jaga (the portal, intake forms) refers to the notice the subject actually saw (R-8,
// R-12); ok is false when the purpose is unknown or no approved notice covers it.
func (g *Gate) CurrentNotice(id string) (n *jaga.Notice, ok bool) {
	r := g.snapshot()
	p, ok := g.Purpose(id)
	if !ok {
		return nil, false
	}
	n = g.coveringNotice(r, p, g.now())
	return n, n != nil
}

// coveringNotice returns the latest approved notice in force at t whose snapshot holds
// p's material hash, or nil.
func (g *Gate) coveringNotice(r *registry, p *jaga.Purpose, t time.Time) *jaga.Notice {
	h := p.Material().Hash()
	for i := len(r.order) - 1; i >= 0; i-- {
		n := r.notices[r.order[i]]
		if n.InForce(t) && n.Purposes[p.ID] == h {
			return n
		}
	}
	return nil
}

// changeRegistry runs fn with the current registry in one transaction that also writes
// an audit event, then reloads the registry, so that the change applies to the very
// next decision on this node (and within RegistryRefresh on the others).
func (g *Gate) changeRegistry(ctx context.Context, req Request, action string, fn func(r *registry, tx jaga.Tx) error) error {
	g.reg.mu.Lock()
	defer g.reg.mu.Unlock()
	if err := g.loadRegistryLocked(ctx); err != nil {
		return err
	}
	r := g.reg.cur.Load()
	err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		if err := fn(r, tx); err != nil {
			return nil, err
		}
		ev := g.event(req, action, nil)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return err
	}
	return g.loadRegistryLocked(ctx)
}

// Audit actions of issue 3.
const (
	ActionPurposeChange = "purpose_change"
	ActionNoticeChange  = "notice_change"
	ActionPolicyReload  = "policy_reload"
	ActionListSubjects  = "list_subjects"
	ActionReadReceipt   = "read_receipt"
)

// checkRegistryActor lets admin and dpo (and Jaga itself) manage what (the registry's
// purposes and notices, or the policy): the refusal names what, so that its message says
// what the caller tried to manage.
func checkRegistryActor(r Request, what string) error {
	if r.Actor == nil {
		return jaga.Errorf(jaga.EUNAUTHORIZED, "no actor")
	}
	if err := checkPurposeSent(r); err != nil {
		return err
	}
	if r.Actor.Kind == jaga.ActorSystem || r.Actor.Role == jaga.RoleAdmin || r.Actor.Role == jaga.RoleDPO {
		return nil
	}
	return jaga.Refusal(policy.ReasonRoleNotAllowed, "only admin and dpo manage %s", what)
}

// registryNoun is what checkRegistryActor's refusal names for the purpose registry.
const registryNoun = "purposes and notices"

// policyRef holds the policy in force; ReloadPolicy swaps it without a restart.
type policyRef struct{ p atomic.Pointer[policy.Policy] }

func newPolicyRef(p *policy.Policy) *policyRef {
	r := &policyRef{}
	r.p.Store(p)
	return r
}

func (r *policyRef) Decide(role jaga.Role, p *jaga.Purpose, f jaga.FieldSpec) jaga.Decision {
	return r.p.Load().Decide(role, p, f)
}

func (r *policyRef) DecidePurchases(role jaga.Role, p *jaga.Purpose) jaga.Decision {
	return r.p.Load().DecidePurchases(role, p)
}

func (r *policyRef) CanReveal(role jaga.Role, purpose, field string) bool {
	return r.p.Load().CanReveal(role, purpose, field)
}

func (r *policyRef) PurposeReason(role jaga.Role, p *jaga.Purpose) string {
	return r.p.Load().PurposeReason(role, p)
}

// Policy returns the policy in force.
func (g *Gate) Policy() *policy.Policy { return g.policy.p.Load() }

// CheckPolicyReload refuses, and audits as ReloadPolicy does, an actor that may not
// reload the policy (EFORBIDDEN role_not_allowed). A transport calls it before it reads
// any configuration, so that a role without the right learns nothing of it (whether a
// policy file is configured, whether it parses) and its attempt is audited.
func (g *Gate) CheckPolicyReload(ctx context.Context, req Request) error {
	if err := checkRegistryActor(req, "the policy"); err != nil {
		return g.refuse(ctx, req, ActionPolicyReload, nil, nil, err)
	}
	return nil
}

// ReloadPolicy checks p against the schema and the purpose registry and, if it passes,
// makes it the policy of every following decision; cached plans are dropped. A policy
// that fails the check is refused (EINVALID with file, line and reason from
// policy.Check) and the old one stays. The reload is audited (policy_reload).
func (g *Gate) ReloadPolicy(ctx context.Context, req Request, p *policy.Policy) error {
	if err := g.CheckPolicyReload(ctx, req); err != nil {
		return err
	}
	var ps []jaga.Purpose
	for _, pu := range g.Purposes() {
		ps = append(ps, *pu)
	}
	if err := p.Check(g.schema, ps); err != nil {
		return err
	}
	if err := g.RecordEvent(ctx, req, ActionPolicyReload, len(p.Roles())); err != nil {
		return err
	}
	g.policy.p.Store(p)
	g.plans.Clear()
	g.covered.Clear()
	return nil
}
