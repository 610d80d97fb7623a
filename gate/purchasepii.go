package gate

import (
	"context"
	"slices"
	"strings"

	"jaga"
	"jaga/pii"
)

// Purchase descriptions are free text a shop's till or CRM lets staff type into
// ("Beli untuk Budi 0812…"), so the PII guard covers them as it covers a
// subject's free-text fields: on import, a description that holds an identifier is
// stored (sealed, as written) and its subject flagged pii_in_free_text:<kind>; on read,
// a role and purpose that may not see direct identifiers get the description with the
// identifiers replaced by their kind ("[PHONE]", "[NIK]").

// RowReview is the review reasons one row of a batch raised (Row is its index).
type RowReview struct {
	Row     int
	Reasons []string
}

// textReview returns one pii_in_free_text:<kind> reason per identifier kind of
// personKinds in text, sorted; never the value.
func textReview(text string) []string {
	if !strings.ContainsAny(text, "0123456789@") {
		return nil // every kind of personKinds has a digit or an @
	}
	var out []string
	for _, fd := range pii.Scan(text) {
		if r := ReviewFreeTextPII + fd.Kind.String(); slices.Contains(personKinds, fd.Kind) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// revealsIdentifiers reports whether role, acting for purpose, gets every direct
// identifier field of the schema (the fields of type email, phone and nik) unmasked:
// only then may identifiers typed into free text that is not such a field reach it as
// written (the analyst of service_improvement, who is denied them, must not read a
// phone number in a purchase description).
func (g *Gate) revealsIdentifiers(role jaga.Role, purpose *jaga.Purpose) bool {
	for _, name := range g.schema.Names() {
		f, ok := g.schema.Field(name)
		if !ok || f.Type != jaga.TypeEmail && f.Type != jaga.TypePhone && f.Type != jaga.TypeNIK {
			continue
		}
		if d := g.policy.Decide(role, purpose, f); d != jaga.Allow {
			return false
		}
	}
	return true
}

// redactIdentifiers replaces each identifier of personKinds in text by its kind in
// brackets (pii.Label: "Beli untuk Budi [PHONE] NIK [NIK]"); text without one is
// returned as is.
func redactIdentifiers(ctx context.Context, text string) (string, error) {
	if !strings.ContainsAny(text, "0123456789@") {
		return text, nil
	}
	var keep []pii.Finding
	for _, fd := range pii.Scan(text) {
		if slices.Contains(personKinds, fd.Kind) {
			keep = append(keep, fd)
		}
	}
	if len(keep) == 0 {
		return text, nil
	}
	out, err := pii.Redact(ctx, []byte(text), keep, pii.Redaction{Mode: pii.Label})
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// insertPurchases stores batch (review[i] the review reasons of batch[i]) in file
// order and flags the subject of each purchase that is new and raised reasons; a
// purchase already stored (same source key) raises no flag again. It returns how many
// purchases were stored and, by index into batch, the reasons that were flagged.
func insertPurchases(ctx context.Context, tx jaga.Tx, batch []*jaga.SealedPurchase, review [][]string, where []PurchaseRow) (int, map[int][]string, error) {
	stored := 0
	flagged := map[int][]string{}
	from := 0
	plain := func(to int) error {
		if from >= to {
			return nil
		}
		n, err := tx.InsertPurchases(ctx, batch[from:to])
		stored += n
		return err
	}
	for i := range batch {
		if len(review[i]) == 0 {
			continue
		}
		// A flagged purchase alone, so that its flag is raised only if it is new.
		if err := plain(i); err != nil {
			return 0, nil, err
		}
		n, err := tx.InsertPurchases(ctx, batch[i:i+1])
		if err != nil {
			return 0, nil, err
		}
		stored += n
		from = i + 1
		if n == 0 {
			continue
		}
		flags := make([]*jaga.ReviewFlag, len(review[i]))
		for k, r := range review[i] {
			flags[k] = &jaga.ReviewFlag{Subject: batch[i].Subject, Reason: r, File: sourceFileName(where[i].File), Line: where[i].Line}
		}
		if err := tx.InsertReviewFlags(ctx, flags); err != nil {
			return 0, nil, err
		}
		flagged[i] = review[i]
	}
	if err := plain(len(batch)); err != nil {
		return 0, nil, err
	}
	return stored, flagged, nil
}
