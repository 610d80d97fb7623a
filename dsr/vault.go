package dsr

import (
	"context"

	"jaga"
	"jaga/gate"
	"jaga/pii"
)

// Vault is everything the desk needs from the one gate. It is narrow on purpose: these
// are the seams the consent issue (receipts, withdrawal semantics) and the audit issue
// (a dedicated access-history call over the Merkle log) rewire. GateVault implements it
// over *gate.Gate today.
type Vault interface {
	// Schema is the vault's field schema (to check the fields of a correction).
	Schema() *jaga.Schema
	// CheckValue checks a correction's value as an update would (gate.CheckValue).
	CheckValue(name, raw string) error
	// Step runs fn in the gate's transaction with one audit event (gate.DSRStep).
	Step(ctx context.Context, req gate.Request, subject jaga.SubjectID, action, note string, fn func(ctx context.Context, tx jaga.Tx) error) error
	// View reads the register (metadata only: IDs, types, times, statuses).
	View(ctx context.Context, fn func(jaga.Tx) error) error
	// Read, Purchases and Consents read the subject for an export (purpose dsr).
	Read(ctx context.Context, req gate.ReadRequest) (*gate.Record, error)
	Purchases(ctx context.Context, req gate.ReadRequest) ([]gate.Purchase, error)
	Consents(ctx context.Context, req gate.Request, subject jaga.SubjectID) ([]*jaga.Consent, error)
	// RecordConsent records a withdrawal (or objection) with its receipt, schedules the
	// deletion of what only that consent held and says what another basis keeps
	// (gate.RecordConsent; ).
	RecordConsent(ctx context.Context, req gate.ConsentRequest) (*gate.ConsentResult, error)
	// AccessHistory pages through the audit events naming the subject, found through the
	// Merkle log's per-subject index.
	AccessHistory(ctx context.Context, r gate.AccessHistoryRequest) (*gate.AccessHistory, error)
	// Update applies a correction; Erase crypto-shreds.
	Update(ctx context.Context, req gate.UpdateRequest) error
	// Rectify applies the sealed values of an open rectification request inside the
	// gate (gate.Rectify; R-18): fields the role may not read, or may not otherwise
	// change (the policy's write list), are written, never returned, and audited with
	// their decision.
	Rectify(ctx context.Context, req gate.Request, subject jaga.SubjectID) error
	// CheckKeepsIdentifier refuses a correction that would leave the subject without
	// email, phone and nik, from which fields it holds, not their values
	// (gate.CheckKeepsIdentifier).
	CheckKeepsIdentifier(ctx context.Context, req gate.Request, subject jaga.SubjectID, values map[string]string) error
	Erase(ctx context.Context, req gate.Request, subject jaga.SubjectID) error
	// SealRequestData and OpenRequestData keep a request's personal parameters under a
	// per-request key.
	SealRequestData(requestID string, values map[string]string) (sealed, wrappedKey []byte, err error)
	OpenRequestData(ctx context.Context, req gate.Request, subject jaga.SubjectID, sealed, wrappedKey []byte) (map[string]string, error)
	// AuditLog reads the log for a request's timeline (purpose security, dpo or auditor).
	AuditLog(ctx context.Context, req gate.Request, f jaga.AuditFilter) ([]*jaga.AuditEvent, error)
	// GuardExport scans an export's serialised form before it leaves and blocks it
	// (EFORBIDDEN, reason undeclared_identifier, audited) when it holds identifiers of
	// kinds its fields do not declare (issue 8, R-33).
	GuardExport(ctx context.Context, x gate.ExportGuard) error
	// DeclaredKinds returns the identifier kinds the given fields declare (the subject's
	// own e-mail, phone, NIK), which OwnView leaves unmasked.
	DeclaredKinds(fields []string) []pii.Kind
}

// GateVault is the Vault of a *gate.Gate and the store under it (whose View reads the
// register; the register holds no personal value).
type GateVault struct {
	*gate.Gate
	Store jaga.Store
}

var _ Vault = GateVault{}

// View runs fn in a read transaction of the store.
func (v GateVault) View(ctx context.Context, fn func(jaga.Tx) error) error {
	return v.Store.View(ctx, fn)
}

// Step is gate.DSRStep.
func (v GateVault) Step(ctx context.Context, req gate.Request, subject jaga.SubjectID, action, note string, fn func(ctx context.Context, tx jaga.Tx) error) error {
	return v.Gate.DSRStep(ctx, req, subject, action, note, fn)
}
