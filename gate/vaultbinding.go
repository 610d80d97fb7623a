package gate

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"errors"
	"fmt"
	"path/filepath"

	"jaga"
	"jaga/auditlog"
)

// ErrForeignKeys is the refusal of New when the database belongs to another vault's
// keys (errors.Is matches a *ForeignKeysError).
var ErrForeignKeys = errors.New("the database belongs to another vault's keys")

// ForeignKeysError is New's refusal of keys/ that do not belong to the database: the
// database is bound to a vault's keys at its first open (jaga.VaultBinding), and a node
// with other keys would serve 500s for the subjects it cannot open, miss every blind
// index and create duplicates the vault's own nodes cannot read. It names the vault
// directory and what differs, never a key or the database's address.
type ForeignKeysError struct {
	// Dir is the vault directory whose keys/ were refused (the parent of the keys
	// directory).
	Dir string
	// Differs says what does not match: "blind-index key check", "audit signing key"
	// or, for a database with data bound for the first time, "audit checkpoint
	// signature" or "key-encryption key".
	Differs string
}

// Error implements error.
func (e *ForeignKeysError) Error() string {
	return fmt.Sprintf("%s: keys/ in %s do not match (%s differs)", ErrForeignKeys, e.Dir, e.Differs)
}

// Is reports whether target is ErrForeignKeys.
func (e *ForeignKeysError) Is(target error) bool { return target == ErrForeignKeys }

// Binding is how New found the database's binding to its keys (Gate.Binding).
type Binding int

const (
	// BindingFound: the database was bound to these keys before.
	BindingFound Binding = iota
	// BindingNew: the database held no vault and is now bound to these keys.
	BindingNew
	// BindingUpgraded: the database held a vault from before bindings existed; its
	// audit checkpoints and wrapped keys agreed with these keys, and it is now bound.
	BindingUpgraded
)

// Binding returns how New found the database's binding to its keys.
func (g *Gate) Binding() Binding { return g.binding }

// bindKeys binds the database to the gate's keys at its first open, or checks that it
// is bound to them, before anything is written (the registry seed, an audit event). A
// database holding data but no binding (a vault from before migration 0013) is bound
// only when its latest audit checkpoint verifies under auditPub and one of its wrapped
// data keys opens, so that an upgrade started with the wrong keys/ is refused too.
func (g *Gate) bindKeys(ctx context.Context, auditPub ed25519.PublicKey) error {
	want := &jaga.VaultBinding{KeyCheck: g.keys.VaultCheck(), AuditKeyID: auditlog.KeyID(auditPub)}
	foreign := func(what string) error {
		return &ForeignKeysError{Dir: filepath.Dir(g.keys.Dir()), Differs: what}
	}
	outcome := BindingFound
	err := g.store.Update(ctx, func(tx jaga.Tx) error {
		outcome = BindingFound
		have, err := tx.VaultBinding(ctx)
		if err != nil {
			return err
		}
		if have == nil {
			outcome = BindingNew
			used, err := holdsVault(ctx, tx)
			if err != nil {
				return err
			}
			if used {
				outcome = BindingUpgraded
				if what, err := g.upgradeMismatch(ctx, tx, auditPub); err != nil || what != "" {
					if err == nil {
						err = foreign(what)
					}
					return err
				}
			}
			if have, err = tx.BindVault(ctx, want); err != nil {
				return err
			}
		}
		switch {
		case !hmac.Equal(have.KeyCheck, want.KeyCheck):
			return foreign("blind-index key check")
		case have.AuditKeyID != want.AuditKeyID:
			return foreign("audit signing key")
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrForeignKeys) {
		return fmt.Errorf("gate: vault binding: %w", err)
	} else if err != nil {
		return err
	}
	g.binding = outcome
	if outcome == BindingUpgraded {
		g.log.Info("vault binding: the database held a vault without a binding; bound it to these keys", "keys", g.keys.Dir())
	}
	return nil
}

// holdsVault reports whether tx's database holds a vault: purposes, subjects or audit
// events.
func holdsVault(ctx context.Context, tx jaga.Tx) (bool, error) {
	if v, err := tx.RegistryVersion(ctx); err != nil || v > 0 {
		return v > 0, err
	}
	if h, err := tx.AuditHead(ctx); err != nil || h.Size > 0 {
		return h.Size > 0, err
	}
	n, err := tx.CountSubjects(ctx)
	return n > 0, err
}

// upgradeMismatch returns what in a database without a binding shows that the gate's
// keys are not its own ("" when nothing does): its latest audit checkpoint must verify
// under auditPub, and the first wrapped subject key must open.
func (g *Gate) upgradeMismatch(ctx context.Context, tx jaga.Tx, auditPub ed25519.PublicKey) (string, error) {
	cp, err := tx.LatestAuditCheckpoint(ctx)
	if err != nil {
		return "", err
	}
	if cp != nil && !auditlog.CheckpointSignedBy(cp.Note, auditPub) {
		return "audit checkpoint signature", nil
	}
	recs, err := tx.WrappedKeys(ctx, jaga.WrappedSubjectDEK, "", 1)
	if err != nil {
		return "", err
	}
	for _, r := range recs {
		if _, err := g.keys.OpenDEK(jaga.SubjectID(r.ID), r.Wrapped); err != nil {
			return "key-encryption key", nil
		}
	}
	return "", nil
}
