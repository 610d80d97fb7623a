package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"jaga"
	"jaga/seal"
)

// ImportRow is one subject row of a bulk import. Key names the row in its source (for
// example "source_id", "5524" or the file name and line); a row whose key was imported
// before is not imported again, so that re-running an import creates no duplicates.
// Values are raw and validated as in CreateRequest.
type ImportRow struct {
	Key         []string
	Values      map[string]string
	Channel     jaga.Channel
	CollectedAt time.Time
	Consents    []ConsentInput
}

// RowError is why one row of a batch was not imported: the row's index in the batch,
// the field and the error (never the value).
type RowError struct {
	Row   int
	Field string
	Err   error
}

// ImportResult counts a batch: rows that created a subject, rows whose key was already
// imported (Existing, erased subjects included: an import never brings an erased
// customer back) and rows that failed. Subjects holds, per row, the subject created or
// found ("" for a failed row).
type ImportResult struct {
	Created  int
	Existing int
	Errors   []RowError
	Subjects []jaga.SubjectID
}

// ImportSubjects validates, seals and stores a batch of rows in one transaction with one
// audit event (action import) naming every subject created. Rows that fail validation
// are reported in Errors and create nothing; the others are stored. Sealing runs on
// every core. Errors: as Create for the request; storage failures.
//
// It is the bare bulk path, for seeding vaults in tests and benchmarks: a row is known
// by its key only — no identity resolution by blind index, no quarantine, no review
// flags, no linking of pending purchases (its consents are stored as given). Files and
// forms go through the intake path
// (PrepareIntake, ResolveIntake, CommitIntake; package importer), which does all of that
// (issue 4).
func (g *Gate) ImportSubjects(ctx context.Context, req Request, rows []ImportRow) (*ImportResult, error) {
	p, err := g.checkRequest(req)
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionImport, nil, nil, err)
	}
	res := &ImportResult{Subjects: make([]jaga.SubjectID, len(rows))}
	prep := make([]*prepared, len(rows))
	errs := make([]error, len(rows))
	ikeys := make([][]byte, len(rows))
	parallel(len(rows), func(i int) {
		prep[i], errs[i] = g.prepare(p, rows[i].Values, rows[i].Channel, rows[i].CollectedAt, rows[i].Consents)
		if rows[i].Key != nil {
			ikeys[i] = g.keys.ImportKey(rows[i].Key...)
		}
	})
	var lookup [][]byte
	for i, err := range errs {
		if err != nil {
			field := ""
			if e := jaga.AsError(err); e != nil {
				field = e.Field
			}
			res.Errors = append(res.Errors, RowError{Row: i, Field: field, Err: err})
			prep[i] = nil
		} else if ikeys[i] != nil {
			lookup = append(lookup, ikeys[i])
		}
	}
	var known map[string]jaga.SubjectID
	if len(lookup) > 0 {
		if err := g.store.View(ctx, func(tx jaga.Tx) error {
			var err error
			known, err = tx.ImportKeys(ctx, lookup)
			return err
		}); err != nil {
			return nil, err
		}
	}
	// Decide which rows create a subject; a key repeated inside the batch creates one.
	now := g.now()
	fresh := make([]int, 0, len(rows))
	inBatch := make(map[string]jaga.SubjectID)
	for i, pr := range prep {
		if pr == nil {
			continue
		}
		if k := ikeys[i]; k != nil {
			if id, ok := known[string(k)]; ok {
				res.Subjects[i] = id
				res.Existing++
				prep[i] = nil
				continue
			}
			if id, ok := inBatch[string(k)]; ok {
				res.Subjects[i] = id
				res.Existing++
				prep[i] = nil
				continue
			}
		}
		id, err := NewSubjectID()
		if err != nil {
			return nil, err
		}
		res.Subjects[i] = id
		if k := ikeys[i]; k != nil {
			inBatch[string(k)] = id
		}
		fresh = append(fresh, i)
	}
	sealed := make([]*jaga.SealedSubject, len(fresh))
	sealErr := make([]error, len(fresh))
	parallel(len(fresh), func(j int) {
		i := fresh[j]
		sealed[j], sealErr[j] = g.seal(res.Subjects[i], prep[i], ikeys[i], now)
	})
	for _, err := range sealErr {
		if err != nil {
			return nil, err
		}
	}
	var consents []*jaga.Consent
	for j, i := range fresh {
		consents = append(consents, g.consentRecords(sealed[j].ID, prep[i].channel, prep[i].at, now, prep[i].consents)...)
	}
	err = g.exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		// Another importer may have stored some of these keys since the look-up: the
		// unique import key then fails the insert with ECONFLICT, the transaction rolls
		// back, and the caller retries the batch (which then finds those rows).
		toInsert := sealed
		if err := tx.InsertSubjects(ctx, toInsert); err != nil {
			return nil, err
		}
		if err := tx.InsertConsents(ctx, consents); err != nil {
			return nil, err
		}
		ev := g.event(req, jaga.ActionImport, nil)
		for _, s := range toInsert {
			ev.Subjects = append(ev.Subjects, s.ID)
		}
		ev.Count = len(toInsert)
		ev.Decision = string(jaga.Allow)
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	res.Created = len(fresh)
	return res, nil
}

// Purchase is one purchase line as stored (sealed with the subject's DEK). Values are
// kept as written in the source: quantities and prices as decimal strings, the invoice
// date as given (UTC).
type Purchase struct {
	InvoiceNo   string `json:"invoice_no"`
	StockCode   string `json:"stock_code"`
	Description string `json:"description"`
	Quantity    string `json:"quantity"`
	InvoiceDate string `json:"invoice_date"`
	UnitPrice   string `json:"unit_price"`
}

// PurchaseRow is one purchase line of a bulk import: Key names the line in its source
// (file and line, so identical lines stay distinct purchases), SubjectKey the subject's
// import key parts (the same parts its ImportRow used); File and Line say where it came
// from, for the review flag its description may raise.
type PurchaseRow struct {
	Key        []string
	SubjectKey []string
	Purchase   Purchase
	File       string
	Line       int
}

// PurchaseResult counts a purchase batch: lines stored, lines already stored (same
// key), lines of erased subjects (skipped) and lines whose subject is unknown (Errors,
// by row index), which are kept pending until their customer is imported (KeptPending
// of them stored by this call, the others pending already); LinkedPending counts lines
// of earlier imports, pending until now, that this call linked to their customer
// (pendingpurchase.go). Review lists, by row index in file order, the stored lines
// whose description holds an identifier (pii_in_free_text:<kind>, R-33): their
// subjects were flagged for review.
type PurchaseResult struct {
	Inserted      int
	Existing      int
	Erased        int
	Errors        []RowError
	Review        []RowReview
	KeptPending   int
	LinkedPending int
}

// ImportPurchases seals and stores a batch of purchase lines under their subjects' DEKs
// in one transaction with one audit event. A line whose description holds an identifier
// (an NIK, phone, e-mail, … typed into free text: gate.personKinds) is stored as written
// and, when new, flags its subject pii_in_free_text:<kind> with its file and line;
// the same line imported again raises no second flag. Errors: as Create for the request.
func (g *Gate) ImportPurchases(ctx context.Context, req Request, rows []PurchaseRow) (*PurchaseResult, error) {
	p, err := g.checkRequest(req)
	if err == nil && !p.CoversPurchases() {
		err = jaga.FieldError(jaga.FieldPurchases, "purchases are not processed for purpose %s (R-26)", p.ID)
	}
	if err != nil {
		return nil, g.refuse(ctx, req, jaga.ActionImport, nil, []string{jaga.FieldPurchases}, err)
	}
	res := &PurchaseResult{}
	skeys := make([][]byte, len(rows))
	for i, r := range rows {
		skeys[i] = g.keys.ImportKey(r.SubjectKey...)
	}
	subjects := map[jaga.SubjectID]*jaga.SealedSubject{}
	var owner map[string]jaga.SubjectID
	if err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		if owner, err = tx.ImportKeys(ctx, skeys); err != nil {
			return err
		}
		for _, id := range owner {
			if _, seen := subjects[id]; seen {
				continue
			}
			s, err := tx.Subject(ctx, id)
			if jaga.ErrorCode(err) == jaga.ENOTFOUND {
				subjects[id] = nil
				continue
			} else if err != nil {
				return err
			}
			subjects[id] = s
		}
		return nil
	}); err != nil {
		return nil, err
	}
	deks := map[jaga.SubjectID]*seal.DEK{}
	for id, s := range subjects {
		if s == nil {
			continue
		}
		dek, err := g.keys.OpenDEK(id, s.WrappedDEK)
		if err != nil {
			return nil, fmt.Errorf("subject %s: open data key: %w", id, err)
		}
		deks[id] = dek
	}
	now := g.now()
	var batch []*jaga.SealedPurchase
	var review [][]string   // per batch entry
	var where []PurchaseRow // per batch entry, for its flag's file and line
	var rowOf []int         // per batch entry, its index in rows
	var unknown []int
	for i, r := range rows {
		id, ok := owner[string(skeys[i])]
		if !ok {
			res.Errors = append(res.Errors, RowError{Row: i, Field: "customer", Err: jaga.FieldError("customer", "no imported customer has this source id yet: kept encrypted until one does")})
			unknown = append(unknown, i)
			continue
		}
		dek := deks[id]
		if dek == nil {
			res.Erased++
			continue
		}
		pt, err := json.Marshal(&r.Purchase)
		if err != nil {
			return nil, err
		}
		ct, err := dek.Seal(seal.PurchaseAD(id), pt)
		if err != nil {
			return nil, err
		}
		batch = append(batch, &jaga.SealedPurchase{Subject: id, Sealed: ct, SourceKey: g.keys.ImportKey(r.Key...), CreatedAt: now})
		review = append(review, textReview(r.Purchase.Description))
		where = append(where, PurchaseRow{File: r.File, Line: r.Line})
		rowOf = append(rowOf, i)
	}
	pending, err := g.sealPending(ctx, rows, skeys, unknown)
	if err != nil {
		return nil, err
	}
	exec := g.exec
	if pending.resolves() {
		exec = g.execResolving
	}
	err = exec(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		n, flagged, err := insertPurchases(ctx, tx, batch, review, where)
		if err != nil {
			return nil, err
		}
		if res.KeptPending, err = pending.store(ctx, tx); err != nil {
			return nil, err
		}
		// Lines an earlier import kept pending for customers now known (stored by
		// another node meanwhile) are linked here.
		linked, _, lev, err := g.linkPending(ctx, tx, req, owner, func(id jaga.SubjectID) (*seal.DEK, error) { return deks[id], nil }, now)
		if err != nil {
			return nil, err
		}
		res.LinkedPending = 0
		for _, k := range linked {
			res.LinkedPending += k
		}
		res.Inserted, res.Existing = n, len(batch)-n
		res.Review = res.Review[:0]
		for i := range batch {
			if r, ok := flagged[i]; ok {
				res.Review = append(res.Review, RowReview{Row: rowOf[i], Reasons: r})
			}
		}
		ev := g.event(req, jaga.ActionImport, nil)
		seen := map[jaga.SubjectID]bool{}
		for _, b := range batch {
			if !seen[b.Subject] {
				seen[b.Subject] = true
				ev.Subjects = append(ev.Subjects, b.Subject)
			}
		}
		ev.FieldsRequested = []string{jaga.FieldPurchases}
		ev.Count = n
		ev.Decision = string(jaga.Allow)
		if lev != nil {
			return []*jaga.AuditEvent{ev, lev}, nil
		}
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
