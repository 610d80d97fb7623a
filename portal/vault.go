package portal

import (
	"context"

	"jaga"
	"jaga/gate"
)

// Vault is what the portal needs from the gate, narrow on purpose: these are the seams
// the consent issue (consent changes with receipts) and the audit issue (the access
// history from the Merkle log) rewire at merge. GateVault implements it over *gate.Gate.
type Vault interface {
	// Find looks a customer up by e-mail or phone at sign-in (purpose dsr).
	Find(ctx context.Context, req gate.FindRequest) ([]*gate.Record, error)
	// Read reads the signed-in subject's own fields (actor jaga.SubjectActor, purpose dsr).
	Read(ctx context.Context, req gate.ReadRequest) (*gate.Record, error)
	// Login records the customer's sign-in once their code matched (action login;
	// ENOTFOUND, audited, when they were erased since); LoginFailed records a wrong code
	// for them, naming neither the address nor the code.
	Login(ctx context.Context, req gate.Request, subject jaga.SubjectID) error
	LoginFailed(ctx context.Context, req gate.Request, subject jaga.SubjectID, reason string) error
	// Consents lists the subject's consent records.
	Consents(ctx context.Context, req gate.Request, subject jaga.SubjectID) ([]*jaga.Consent, error)
	// RecordConsent records a consent the subject gives in the portal, with its receipt
	// (gate.RecordConsent; withdrawals go through the request desk).
	RecordConsent(ctx context.Context, req gate.ConsentRequest) (*gate.ConsentResult, error)
	// CurrentNotice is the approved notice in force that covers a purpose: the one the
	// portal shows and a consent given there refers to.
	CurrentNotice(purpose string) (*jaga.Notice, bool)
	// Purposes lists the registered purposes.
	Purposes() []*jaga.Purpose
	// Schema is the vault's field schema.
	Schema() *jaga.Schema
	// View and Update read and write sign-in challenges (no personal value).
	View(ctx context.Context, fn func(jaga.Tx) error) error
	Update(ctx context.Context, fn func(jaga.Tx) error) error
}

// GateVault is the Vault of a *gate.Gate and its store.
type GateVault struct {
	*gate.Gate
	Store jaga.Store
}

var _ Vault = GateVault{}

// View runs fn in a read transaction.
func (v GateVault) View(ctx context.Context, fn func(jaga.Tx) error) error {
	return v.Store.View(ctx, fn)
}

// Update runs fn in a write transaction.
func (v GateVault) Update(ctx context.Context, fn func(jaga.Tx) error) error {
	return v.Store.Update(ctx, fn)
}
