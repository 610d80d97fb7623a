package gate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"jaga"
	"jaga/normalize"
	"jaga/pii"
	"jaga/seal"
)

// Redaction tokens (issue 8): a value the PII scanner found is replaced by a token
// "jgt_…" (jaga.ValidToken) that an authorised actor resolves through the gate. The
// token is a capability: the store keeps only its blind index ("_token" key), the kind,
// the subject the value belongs to when the gate can tell (erasing that subject deletes
// the token, invariant 4), and the value sealed under a key of the token's own, wrapped
// by the KEK (seal.NewTokenKey).

// Blind-index namespaces of tokens; neither is a valid field name, so neither can share
// a derived key with a schema field.
const (
	tokenIndexField = "_token"
	tokenValueField = "_token_value"
)

// tokenFlushAt is how many issued tokens a TokenSession holds before storing them.
const tokenFlushAt = 256

// TokenSession issues tokens for one redaction run. Its Tokenize implements
// pii.Tokenizer; the tokens it returns are stored in batches (one transaction and one
// audit event, action tokenize, with the count, per batch) and at Flush, which the
// caller must call before it hands the redacted text over: a token not yet flushed
// resolves to nothing. A value repeated within a session gets the same token. Safe for
// concurrent use.
type TokenSession struct {
	g       *Gate
	req     Request
	mu      sync.Mutex
	pending []*pendingToken
	seen    map[string]string // keyed hash of kind and value → token (no value kept)
	issued  int
}

type pendingToken struct {
	tok     *jaga.Token
	field   string // the indexed field whose blind index may name the subject
	subject []byte // that blind index
}

// NewTokenSession checks req (actor, purpose and reason as every gate call; a refusal
// is audited) and returns a session that issues tokens under it.
func (g *Gate) NewTokenSession(ctx context.Context, req Request) (*TokenSession, error) {
	if _, err := g.checkRequest(req); err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionTokenize, nil, nil, err)
	}
	return &TokenSession{g: g, req: req, seen: map[string]string{}}, nil
}

var _ pii.Tokenizer = (*TokenSession)(nil)

// newToken returns "jgt_" and 26 uniformly random lower-case letters.
func newToken() string {
	b := make([]byte, jaga.TokenLen)
	copy(b, jaga.TokenPrefix)
	var r [64]byte
	for i := len(jaga.TokenPrefix); i < len(b); {
		rand.Read(r[:])
		for _, c := range r {
			if c < 26*9 && i < len(b) { // 234 = 9×26: rejection keeps letters uniform
				b[i] = 'a' + c%26
				i++
			}
		}
	}
	return string(b)
}

// tokenField returns the schema field a kind of value belongs to: the field of type
// email, phone or nik for those kinds, else a field named after the kind; "" if none.
func (g *Gate) tokenField(kind string) (jaga.FieldSpec, bool) {
	want := map[string]jaga.ValueType{"email": jaga.TypeEmail, "phone": jaga.TypePhone, "nik": jaga.TypeNIK}[kind]
	for _, f := range g.schema.Fields {
		if want != "" && f.Type == want || f.Name == kind {
			return f, true
		}
	}
	return jaga.FieldSpec{}, false
}

// Tokenize seals value under a new token and returns the token. Errors never hold the
// value.
func (s *TokenSession) Tokenize(ctx context.Context, kind pii.Kind, value []byte) (string, error) {
	g := s.g
	k := kind.String()
	seenKey := string(g.keys.BlindIndex(tokenValueField, k+"|"+string(value)))
	s.mu.Lock()
	if tok, ok := s.seen[seenKey]; ok {
		s.mu.Unlock()
		return tok, nil
	}
	s.mu.Unlock()
	tok := newToken()
	idx := g.keys.BlindIndex(tokenIndexField, tok)
	id := hex.EncodeToString(idx)
	key, wrapped, err := g.keys.NewTokenKey(id)
	if err != nil {
		return "", err
	}
	ct, err := key.Seal(seal.TokenDataAD(id, k), value)
	if err != nil {
		return "", fmt.Errorf("seal a %s token: %w", k, err)
	}
	p := &pendingToken{tok: &jaga.Token{Index: idx, Kind: k, WrappedKey: wrapped, Sealed: ct}}
	if f, ok := g.tokenField(k); ok && f.Indexed {
		if v, err := normalize.Value(f.Name, f.Type, string(value)); err == nil {
			p.field, p.subject = f.Name, g.keys.BlindIndex(f.Name, v)
		}
	}
	s.mu.Lock()
	s.seen[seenKey] = tok
	s.pending = append(s.pending, p)
	full := len(s.pending) >= tokenFlushAt
	s.mu.Unlock()
	if full {
		if err := s.Flush(ctx); err != nil {
			return "", err
		}
	}
	return tok, nil
}

// Flush stores the tokens issued since the last flush, each linked to the subject its
// value belongs to when exactly one live subject has it as a blind index, with one
// audit event (action tokenize, the count and those subjects).
func (s *TokenSession) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	batch := s.pending
	err := s.g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		byField := map[string][][]byte{}
		for _, p := range batch {
			if p.field != "" {
				byField[p.field] = append(byField[p.field], p.subject)
			}
		}
		var subjects []jaga.SubjectID
		for field, vals := range byField {
			found, err := tx.FindByIndexes(ctx, field, vals)
			if err != nil {
				return nil, err
			}
			for _, p := range batch {
				if ids := found[string(p.subject)]; p.field == field && len(ids) == 1 {
					p.tok.Subject = ids[0]
					if !slices.Contains(subjects, ids[0]) {
						subjects = append(subjects, ids[0])
					}
				}
			}
		}
		toks := make([]*jaga.Token, len(batch))
		for i, p := range batch {
			toks[i] = p.tok
		}
		if err := tx.InsertTokens(ctx, toks); err != nil {
			return nil, err
		}
		slices.Sort(subjects)
		ev := s.g.event(s.req, jaga.ActionTokenize, subjects)
		ev.Count = len(toks)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return err
	}
	s.issued += len(batch)
	s.pending = nil
	return nil
}

// Redact replaces every identifier pii.Scan finds in text by a token of the session and
// stores the tokens (Flush) before it returns the redacted text.
func (s *TokenSession) Redact(ctx context.Context, text []byte) ([]byte, error) {
	out, err := pii.Redact(ctx, text, pii.Scan(string(text)), pii.Redaction{Mode: pii.Token, Tokenizer: s})
	if err != nil {
		return nil, err
	}
	return out, s.Flush(ctx)
}

// Issued returns how many tokens the session has stored.
func (s *TokenSession) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// ResolvedToken is a resolved token: the kind and the value as it stood in the text
// (Redacted, so that it is never printed by accident), and the subject it belongs to
// ("" when the gate could not tell).
type ResolvedToken struct {
	Kind    string
	Value   jaga.Redacted
	Subject jaga.SubjectID
}

// tokenPurposes are the purposes a token may be resolved for: answering the customer
// (customer_support), a legal obligation, or a data-subject request.
var tokenPurposes = []string{jaga.PurposeCustomerSupport, jaga.PurposeLegalObligation, jaga.PurposeDSR}

// ResolveToken returns the value behind token to an authorised actor, audited (action
// resolve_token) in the same transaction before the value leaves. The rule:
//   - role dpo or support, purpose customer_support, legal_obligation or dsr (and the
//     policy must allow the role that purpose), and a reason (Jaga-Reason; a ticket);
//   - a kind that belongs to a schema field (email, phone, nik, or a field named after
//     the kind) is resolved only if the policy allows that field for the role and
//     purpose, or masks it and lets the role reveal it; a kind no field declares (npwp,
//     card, bank_account, …) only by the dpo;
//   - a token linked to a subject follows the subject rules (a restricted subject only
//     for legal_obligation and dsr).
//
// Errors: EINVALID (no or unknown purpose, a reason with personal data), EUNPROCESSABLE
// (not a token), EFORBIDDEN with reason role_not_allowed, purpose_not_allowed,
// reason_required, not_revealable or a subject reason, ENOTFOUND (unknown token or its
// subject erased). Refusals are audited too.
func (g *Gate) ResolveToken(ctx context.Context, req Request, token string) (*ResolvedToken, error) {
	p, err := g.checkRequest(req)
	if err == nil && req.Actor.Role != jaga.RoleDPO && req.Actor.Role != jaga.RoleSupport {
		err = jaga.Refusal("role_not_allowed", "only the dpo and support resolve tokens")
	}
	if err == nil && !slices.Contains(tokenPurposes, p.ID) {
		err = jaga.Refusal("purpose_not_allowed", "tokens are resolved under purpose %s", strings.Join(tokenPurposes, ", "))
	}
	if err == nil && strings.TrimSpace(req.Reason) == "" {
		err = jaga.Refusal("reason_required", "resolving a token needs a reason (Jaga-Reason)")
	}
	if err == nil && !jaga.ValidToken(token) {
		err = jaga.FieldError("token", "not a Jaga token (jgt_ and 26 lower-case letters)")
	}
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionResolveToken, nil, nil, err)
	}
	var (
		tk      *jaga.Token
		refusal error
	)
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		refusal = nil
		ev := g.event(req, jaga.ActionResolveToken, nil)
		ev.Count = 1
		var err error
		tk, err = tx.TokenByIndex(ctx, g.keys.BlindIndex(tokenIndexField, token))
		if jaga.ErrorCode(err) == jaga.ENOTFOUND {
			refusal = jaga.Errorf(jaga.ENOTFOUND, "token not found (never issued, or its subject was erased)")
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		} else if err != nil {
			return nil, err
		}
		if tk.Subject != "" {
			ev.Subjects = []jaga.SubjectID{tk.Subject}
		}
		f, hasField := g.tokenField(tk.Kind)
		switch {
		case hasField:
			ev.FieldsRequested = []string{f.Name}
			d := g.policy.Decide(req.Actor.Role, p, f)
			if _, masked := d.MaskRule(); !d.IsAllow() && !(masked && g.policy.CanReveal(req.Actor.Role, p.ID, f.Name)) {
				refusal = jaga.Refusal("not_revealable", "role %s may not see %s under purpose %s", req.Actor.Role, f.Name, p.ID)
			}
		case req.Actor.Role != jaga.RoleDPO:
			refusal = jaga.Refusal("role_not_allowed", "only the dpo resolves tokens of kind %s, which no field declares", tk.Kind)
		}
		if refusal == nil && tk.Subject != "" {
			if _, refusal, err = g.loadAllowed(ctx, tx, p, tk.Subject, ev); err != nil {
				return nil, err
			} else if refusal != nil {
				return []*jaga.AuditEvent{ev}, nil
			}
		}
		if refusal != nil {
			ev.Decision = decisionOf(refusal)
			return []*jaga.AuditEvent{ev}, nil
		}
		ev.FieldsReturned = ev.FieldsRequested
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	id := hex.EncodeToString(tk.Index)
	key, err := g.keys.OpenTokenKey(id, tk.WrappedKey)
	if err != nil {
		return nil, fmt.Errorf("token: open its key: %w", err)
	}
	v, err := key.Open(seal.TokenDataAD(id, tk.Kind), tk.Sealed)
	if err != nil {
		return nil, fmt.Errorf("token: open its value: %w", err)
	}
	return &ResolvedToken{Kind: tk.Kind, Value: jaga.Redact(string(v)), Subject: tk.Subject}, nil
}
