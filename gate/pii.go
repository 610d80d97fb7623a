package gate

import (
	"context"
	"slices"
	"strings"

	"jaga"
	"jaga/pii"
)

// The gate's PII guard (issue 8, UU-PDP.md R-33): free text collected on intake is
// scanned for identifiers that belong in fields of their own (a NIK typed into the
// address), and every export is scanned before it leaves for identifiers of kinds it
// did not declare.

// ReviewFreeTextPII is the prefix of the review reason raised when a free-text value
// holds an identifier: "pii_in_free_text:<kind>" (kind as pii.Kind.String gives it). The
// value stays sealed in its field; the flag names only the kind.
const ReviewFreeTextPII = "pii_in_free_text:"

// ActionExportBlocked is the audit action of an export the guard stopped.
const ActionExportBlocked = "export_blocked"

// ReasonUndeclaredIdentifier is the refusal reason of an export that holds identifiers of
// kinds it did not declare.
const ReasonUndeclaredIdentifier = "undeclared_identifier"

// personKinds are the identifier kinds that identify a person: numbers and contact
// details. They raise a review flag in free text and block an export that does not
// declare them. IP addresses, URLs and vehicle plates do not (a shop's web
// address, a link a customer typed into an address or a plate in a delivery note is no
// reason for review and must not lock a customer out of their own data).
var personKinds = []pii.Kind{pii.NIK, pii.KK, pii.NPWP, pii.Phone, pii.Email, pii.Card, pii.BankAccount, pii.Passport, pii.BPJS}

// ReviewNamePII is the prefix of the review reason raised when a name field holds an
// identifier: "identifier_in_name:<kind>" — an e-mail address or phone number typed
// into the name column of a sheet or form ("budi.s@contoh.co.id" as full_name), so that
// the person's name is missing and an identifier sits where staff and letters expect a
// name. The value is kept as written, sealed; the flag names only the kind.
const ReviewNamePII = "identifier_in_name:"

// freeTextReview scans the free-text values (fields of type text) and the names (fields
// of type name) of a normalised row and returns one review reason per identifier kind
// found, sorted: pii_in_free_text:<kind> for text, identifier_in_name:<kind> for names.
// It never returns or logs the value.
func (g *Gate) freeTextReview(values map[string]string) []string {
	var out []string
	for name, v := range values {
		f, ok := g.schema.Field(name)
		if !ok || f.Type != jaga.TypeText && f.Type != jaga.TypeName {
			continue
		}
		for _, r := range textReview(v) {
			if f.Type == jaga.TypeName {
				r = ReviewNamePII + strings.TrimPrefix(r, ReviewFreeTextPII)
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return out
}

// reviewFlags turns review reasons into flags on subject.
func reviewFlags(subject jaga.SubjectID, reasons []string) []*jaga.ReviewFlag {
	out := make([]*jaga.ReviewFlag, len(reasons))
	for i, r := range reasons {
		out[i] = &jaga.ReviewFlag{Subject: subject, Reason: r}
	}
	return out
}

// DeclaredKinds returns the identifier kinds that the given schema fields declare: a
// field of type email, phone or nik declares that kind, and a field named after a kind
// (a company's own "npwp" or "passport" field) declares it. Unknown names declare
// nothing.
func (g *Gate) DeclaredKinds(fields []string) []pii.Kind {
	var out []pii.Kind
	add := func(k pii.Kind) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, name := range fields {
		f, ok := g.schema.Field(name)
		if !ok {
			continue
		}
		switch f.Type {
		case jaga.TypeEmail:
			add(pii.Email)
		case jaga.TypePhone:
			add(pii.Phone)
		case jaga.TypeNIK:
			add(pii.NIK)
		}
		if k, err := pii.ParseKind(name); err == nil && slices.Contains(pii.IdentifierKinds, k) {
			add(k)
		}
	}
	return out
}

// ExportGuard describes one export about to leave the gate: what it is (Name, e.g.
// "dsr_export"), whom it is about, which fields it declares and its serialised form.
// File is the format it leaves in as a file or download ("json", "csv"; snake_case), or
// empty when it is only shown on a page.
type ExportGuard struct {
	Request
	Name     string
	Subjects []jaga.SubjectID
	Fields   []string
	Body     []byte
	File     string
}

// GuardExport scans an export's serialised form before it leaves: an identifier
// of a kind that identifies a person (personKinds: not URLs, IP addresses or plates)
// that its declared fields do not declare (DeclaredKinds) blocks it with
// EFORBIDDEN, reason undeclared_identifier, naming the kinds and how many were found but
// never a value, and the block is audited (action export_blocked, the kinds in the
// decision). A clean export shown on a page returns nil and writes nothing: the reads
// that built it are audited already. A clean export that leaves as a file (File set)
// writes one event, action export, naming its subjects (a bulk one by their Merkle
// root), the fields it holds, the purpose and, as reason, Name and File; the event is
// committed before GuardExport returns nil, so before the file is written (invariant 1,
// UU PDP Art 31, R-29).
func (g *Gate) GuardExport(ctx context.Context, x ExportGuard) error {
	declared := g.DeclaredKinds(x.Fields)
	counts := map[pii.Kind]int{}
	for _, f := range pii.Scan(string(x.Body)) {
		if slices.Contains(personKinds, f.Kind) && !slices.Contains(declared, f.Kind) {
			counts[f.Kind]++
		}
	}
	if len(counts) == 0 {
		return g.auditExport(ctx, x)
	}
	var kinds []string
	n := 0
	for k, c := range counts {
		kinds = append(kinds, k.String())
		n += c
	}
	slices.Sort(kinds)
	refusal := jaga.Refusal(ReasonUndeclaredIdentifier, "export %s blocked: it holds %d identifier(s) of kind %s, which its fields do not declare (R-33)",
		x.Name, n, strings.Join(kinds, ", "))
	ev := g.event(x.Request, ActionExportBlocked, x.Subjects)
	ev.FieldsRequested = g.knownFields(x.Fields)
	ev.Decision = "deny:" + ReasonUndeclaredIdentifier + ":" + strings.Join(kinds, ",")
	ev.Count = n
	if err := g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		return []*jaga.AuditEvent{ev}, nil
	}); err != nil {
		return err
	}
	return refusal
}

// auditExport commits the export event of a clean export that leaves as a file
// (GuardExport); an export without File writes nothing.
func (g *Gate) auditExport(ctx context.Context, x ExportGuard) error {
	if x.File == "" {
		return nil
	}
	if !jaga.ValidName(x.Name) || !jaga.ValidName(x.File) {
		return jaga.Errorf(jaga.EINTERNAL, "export name and file format must be snake_case")
	}
	ev := g.event(x.Request, jaga.ActionExport, x.Subjects)
	ev.FieldsReturned = g.knownFields(x.Fields)
	ev.Decision = string(jaga.Allow)
	if ev.Reason == "" {
		ev.Reason = x.Name + " " + x.File
	}
	return g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		return []*jaga.AuditEvent{ev}, nil
	})
}
