package gate

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"jaga"
	"jaga/policy"
	"jaga/seal"
)

// Purchases returns a subject's purchases if the role and purpose may use purchases
// (policy pseudo-field "purchases") and the subject passes consent and restriction.
// A role and purpose that do not get every direct identifier field unmasked (email,
// phone and nik denied or masked, as for the analyst of service_improvement) get each
// description with the identifiers the PII guard detects in it replaced by their kind
// ("Beli untuk Budi [PHONE] NIK [NIK]", R-33); one that does gets it as stored. The
// audit event says which: its Decisions name purchases "mask:identifiers"
// (policy.MaskIdentifiers) when purchases were returned with that mask, and nothing
// when they were returned as stored (allow), as Read records a masked field.
// Errors: as Read.
func (g *Gate) Purchases(ctx context.Context, req ReadRequest) ([]Purchase, error) {
	p, err := g.checkRequest(req.Request)
	if err == nil {
		if d := g.policy.DecidePurchases(req.Actor.Role, p); d.IsDeny() {
			err = jaga.Refusal(d.Reason(), "purchases are denied for role %s and purpose %s", req.Actor.Role, p.ID)
		}
	}
	if err != nil {
		return nil, g.refuse(ctx, req.Request, jaga.ActionReadPurchases, []jaga.SubjectID{req.Subject}, []string{jaga.FieldPurchases}, err)
	}
	reveal := g.revealsIdentifiers(req.Actor.Role, p)
	var s *jaga.SealedSubject
	var sealed []*jaga.SealedPurchase
	var refusal error
	err = g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		s, sealed, refusal = nil, nil, nil
		ev := g.event(req.Request, jaga.ActionReadPurchases, []jaga.SubjectID{req.Subject})
		ev.FieldsRequested = []string{jaga.FieldPurchases}
		var got *jaga.SealedSubject
		var err error
		if got, refusal, err = g.loadAllowed(ctx, tx, p, req.Subject, ev); err != nil {
			return nil, err
		} else if refusal != nil {
			return []*jaga.AuditEvent{ev}, nil
		}
		if sealed, err = tx.Purchases(ctx, got.ID); err != nil {
			return nil, err
		}
		s = got
		ev.FieldsReturned = []string{jaga.FieldPurchases}
		ev.Count = len(sealed)
		ev.Decision = string(jaga.Allow)
		if !reveal && len(sealed) > 0 {
			// What leaves is the descriptions with identifiers replaced (below): the
			// event records that mask, not a plain allow (DESIGN.md: fields returned,
			// decision).
			ev.Decisions = map[string]jaga.Decision{jaga.FieldPurchases: jaga.Mask(policy.MaskIdentifiers)}
		}
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	dek, err := g.keys.OpenDEK(s.ID, s.WrappedDEK)
	if err != nil {
		return nil, fmt.Errorf("subject %s: open data key: %w", s.ID, err)
	}
	out := make([]Purchase, 0, len(sealed))
	for _, sp := range sealed {
		pt, err := dek.Open(seal.PurchaseAD(s.ID), sp.Sealed)
		if err != nil {
			return nil, fmt.Errorf("subject %s purchase %d: %w", s.ID, sp.ID, err)
		}
		var pu Purchase
		if err := decodeOpened(pt, &pu); err != nil {
			return nil, fmt.Errorf("subject %s purchase %d: %w", s.ID, sp.ID, err)
		}
		if !reveal {
			if pu.Description, err = redactIdentifiers(ctx, pu.Description); err != nil {
				return nil, fmt.Errorf("subject %s purchase %d: redact: %w", s.ID, sp.ID, err)
			}
		}
		out = append(out, pu)
	}
	return out, nil
}

// Consents returns a subject's consent records, oldest first (proof of consent, UU PDP
// Art 24, R-9). Consent records are metadata (no personal values); any role allowed the
// request's purpose may read them. Errors: as Read.
func (g *Gate) Consents(ctx context.Context, req Request, subject jaga.SubjectID) ([]*jaga.Consent, error) {
	_, err := g.checkRequest(req)
	if err == nil {
		err = ownSubject(req, subject)
	}
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionReadConsents, []jaga.SubjectID{subject}, nil, err)
	}
	var out []*jaga.Consent
	var refusal error
	err = g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		out, refusal = nil, nil
		ev := g.event(req, jaga.ActionReadConsents, []jaga.SubjectID{subject})
		if _, err := tx.Subject(ctx, subject); jaga.ErrorCode(err) == jaga.ENOTFOUND {
			refusal = jaga.Errorf(jaga.ENOTFOUND, "subject not found")
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		} else if err != nil {
			return nil, err
		}
		var err error
		if out, err = tx.Consents(ctx, subject); err != nil {
			return nil, err
		}
		ev.Count = len(out)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, refusal
}

// AuditLog returns audit events matching f. The log is read under purpose security
// (legitimate interest: DESIGN.md purposes), which must be active — it is a draft until
// its balancing test is recorded (UU PDP Art 20(2)(f), R-5); only the auditor and dpo
// roles may read it (DESIGN.md roles); the read itself is audited. Errors: EFORBIDDEN
// with reason purpose_not_allowed, purpose_not_active or role_not_allowed.
func (g *Gate) AuditLog(ctx context.Context, req Request, f jaga.AuditFilter) ([]*jaga.AuditEvent, error) {
	var subjects []jaga.SubjectID
	if f.Subject != "" {
		subjects = []jaga.SubjectID{f.Subject}
	}
	if err := g.checkAuditReader(ctx, &req, subjects); err != nil {
		return nil, err
	}
	var out []*jaga.AuditEvent
	err := g.readAudit(ctx, req, subjects, func(tx jaga.Tx) (int, error) {
		var err error
		out, err = auditEvents(ctx, tx, f)
		return len(out), err
	})
	return out, err
}

// APIKeyPrefix starts every API key, so that a leaked key is recognisable by scanners.
const APIKeyPrefix = "jaga_"

// CreateActor creates a staff or service actor with a new 256-bit API key and returns
// the key; only its SHA-256 hash is stored, so it is shown once. The creation is
// audited. Errors: EUNPROCESSABLE for a name that is blank, longer than 100 bytes or
// not jaga.PrintableText (a newline or escape in it), an unknown role or one of
// jaga.BuiltinRoles (Jaga's own; staff and integrations never hold them), ECONFLICT for
// a name in use.
func (g *Gate) CreateActor(ctx context.Context, by Request, name string, role jaga.Role) (*jaga.Actor, string, error) {
	name, err := actorName(name)
	if err != nil {
		return nil, "", err
	}
	if role.Builtin() {
		return nil, "", builtinRoleError(role)
	}
	if !slices.Contains(jaga.DefaultRoles, role) {
		roles := make([]string, len(jaga.DefaultRoles))
		for i, r := range jaga.DefaultRoles {
			roles[i] = string(r)
		}
		return nil, "", jaga.FieldError("role", "unknown role %q; staff roles are %s", jaga.SafeName(string(role)), strings.Join(roles, ", "))
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, "", err
	}
	var idb [16]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, "", err
	}
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(key))
	kind := jaga.ActorStaff
	if role == jaga.RoleService {
		kind = jaga.ActorService
	}
	a := &jaga.Actor{ID: "act_" + hex.EncodeToString(idb[:]), Name: name, Kind: kind, Role: role, KeyHash: sum[:], CreatedAt: g.now()}
	if by.Actor == nil {
		by.Actor = &jaga.SystemActor
	}
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		if err := tx.CreateActor(ctx, a); err != nil {
			return nil, err
		}
		ev := g.event(by, jaga.ActionActorCreate, nil)
		ev.Reason = "actor " + a.ID + " role " + string(role)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return a, key, nil
}

// Actors lists every actor (no keys).
func (g *Gate) Actors(ctx context.Context) ([]*jaga.Actor, error) {
	var out []*jaga.Actor
	err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		out, err = tx.Actors(ctx)
		return err
	})
	return out, err
}

// authCache remembers resolved API keys for a short time so that authentication does
// not cost a query per request.
type authCache struct {
	mu sync.Mutex
	m  map[[32]byte]authEntry
}

type authEntry struct {
	actor *jaga.Actor
	until time.Time
}

var authTTL = 30 * time.Second

// Authenticate resolves an API key to its actor. Errors: EUNAUTHORIZED for an unknown
// or malformed key, or one whose actor has one of jaga.BuiltinRoles (the key is never
// logged).
func (g *Gate) Authenticate(ctx context.Context, key string) (*jaga.Actor, error) {
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) > 200 {
		return nil, jaga.Errorf(jaga.EUNAUTHORIZED, "invalid API key")
	}
	sum := sha256.Sum256([]byte(key))
	now := time.Now()
	g.auth.mu.Lock()
	if e, ok := g.auth.m[sum]; ok && now.Before(e.until) {
		g.auth.mu.Unlock()
		return e.actor, nil
	}
	g.auth.mu.Unlock()
	var a *jaga.Actor
	err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		a, err = tx.ActorByKeyHash(ctx, sum[:])
		return err
	})
	if jaga.ErrorCode(err) == jaga.ENOTFOUND || err == nil && a.Role.Builtin() {
		// Jaga's own roles are never held through a key, even one written into the table.
		return nil, jaga.Errorf(jaga.EUNAUTHORIZED, "invalid API key")
	} else if err != nil {
		return nil, err
	}
	g.auth.mu.Lock()
	if g.auth.m == nil {
		g.auth.m = make(map[[32]byte]authEntry)
	}
	g.auth.m[sum] = authEntry{actor: a, until: now.Add(authTTL)}
	g.auth.mu.Unlock()
	return a, nil
}

// RecordEvent writes one audit event for an administrative action that touches no
// personal data (key rotation, policy change), with a count. Errors: storage failures.
func (g *Gate) RecordEvent(ctx context.Context, req Request, action string, count int) error {
	if req.Actor == nil {
		req.Actor = &jaga.SystemActor
	}
	return g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		ev := g.event(req, action, nil)
		ev.Count = count
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
}
