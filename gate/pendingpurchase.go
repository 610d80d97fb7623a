package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"jaga"
	"jaga/seal"
)

// Purchases before their customers (issue 4, Must show 1: the import order does not
// matter). A purchase line whose customer's source ID no subject holds yet is kept
// pending: sealed under a data key of its own per customer source key (the import key
// the customer's subject will hold), the wrapped key stored beside it, the line bound
// to its holder and its own purchase key (seal.PendingPurchaseAD). When an import
// creates or merges into a subject with that source key, the same write transaction
// opens the pending lines, seals them under the subject's DEK as ordinary purchases
// (idempotent on the purchase key), deletes them and their key, and writes one import
// event for the purchases linked. Lines whose customer never comes are purged after
// PendingPurchaseRetention (PurgePendingPurchases); erasing a subject deletes any left
// of its source keys (the store's EraseSubject).

// PendingPurchaseRetention is how long a purchase line waits for its customer before
// the deletion job purges it: 90 days, a quarter's exports of a CRM, after which a line
// whose customer was never imported serves no purpose it was collected for (UU PDP Art
// 16(2)(g), Art 44(1)(a); R-41).
const PendingPurchaseRetention = 90 * 24 * time.Hour

// pendingBatch is the part of a purchase batch kept pending: new holders (source keys
// with no data key yet) and the sealed lines.
type pendingBatch struct {
	sourceKeys [][]byte
	holders    []*jaga.PendingPurchaseHolder
	lines      []*jaga.PendingPurchase
}

// sealPending seals rows[i] for i in idx (lines whose customer is unknown; skeys[i] is
// the customer's source key) under the data keys of their source keys, new ones made
// for source keys that have none.
func (g *Gate) sealPending(ctx context.Context, rows []PurchaseRow, skeys [][]byte, idx []int) (*pendingBatch, error) {
	pb := &pendingBatch{}
	seen := map[string]bool{}
	for _, i := range idx {
		if !seen[string(skeys[i])] {
			seen[string(skeys[i])] = true
			pb.sourceKeys = append(pb.sourceKeys, skeys[i])
		}
	}
	var holders map[string]*jaga.PendingPurchaseHolder
	if err := g.store.View(ctx, func(tx jaga.Tx) error {
		var err error
		holders, err = tx.PendingPurchaseHolders(ctx, pb.sourceKeys)
		return err
	}); err != nil {
		return nil, err
	}
	type keyOf struct {
		id  jaga.SubjectID
		dek *seal.DEK
	}
	deks := map[string]keyOf{}
	for _, sk := range pb.sourceKeys {
		if h := holders[string(sk)]; h != nil {
			dek, err := g.keys.OpenDEK(h.ID, h.WrappedDEK)
			if err != nil {
				return nil, fmt.Errorf("pending purchases: open data key: %w", err)
			}
			deks[string(sk)] = keyOf{h.ID, dek}
			continue
		}
		id, err := NewSubjectID()
		if err != nil {
			return nil, err
		}
		dek, wrapped, err := g.keys.NewDEK(id)
		if err != nil {
			return nil, err
		}
		pb.holders = append(pb.holders, &jaga.PendingPurchaseHolder{SourceKey: sk, ID: id, WrappedDEK: wrapped})
		deks[string(sk)] = keyOf{id, dek}
	}
	for _, i := range idx {
		k := deks[string(skeys[i])]
		pt, err := json.Marshal(&pendingLine{Purchase: rows[i].Purchase, File: rows[i].File, Line: rows[i].Line})
		if err != nil {
			return nil, err
		}
		key := g.keys.ImportKey(rows[i].Key...)
		ct, err := k.dek.Seal(seal.PendingPurchaseAD(k.id, key), pt)
		clear(pt)
		if err != nil {
			return nil, err
		}
		pb.lines = append(pb.lines, &jaga.PendingPurchase{Key: key, SourceKey: skeys[i], Sealed: ct})
	}
	return pb, nil
}

// store stores a pending batch in tx and returns how many lines were new; its batch
// must take the resolution lock (pendingBatch.resolves, execResolving). A
// customer imported since the batch was sealed, or a data key stored meanwhile for one
// of its source keys, is ECONFLICT: the caller imports the batch again, which then
// links those lines.
func (pb *pendingBatch) store(ctx context.Context, tx jaga.Tx) (int, error) {
	if pb == nil || len(pb.lines) == 0 {
		return 0, nil
	}
	// Under the resolution lock, which an import linking pending lines takes before it
	// looks for them: either that import committed and its key is found here, or it
	// looks after this commit and finds these lines (serial.go).
	if err := tx.LockResolution(ctx); err != nil {
		return 0, err
	}
	known, err := tx.ImportKeys(ctx, pb.sourceKeys)
	if err != nil {
		return 0, err
	}
	if len(known) > 0 {
		return 0, jaga.Errorf(jaga.ECONFLICT, "a customer of pending purchases was imported meanwhile")
	}
	return tx.InsertPendingPurchases(ctx, pb.holders, pb.lines)
}

// resolves reports whether storing pb checks for customers under the resolution lock.
func (pb *pendingBatch) resolves() bool { return pb != nil && len(pb.lines) > 0 }

// linkPending moves the pending purchase lines of the source keys in owners (source key
// → the subject that now holds it; deks gives a subject's DEK, or nil for an erased
// subject, whose lines are deleted unlinked) into purchases, in tx: each line
// opened under its holder's key, sealed under the subject's DEK, inserted (a purchase
// key stored already is skipped) and deleted from the pending lines with its key. It
// returns the lines linked per subject and one import event naming those subjects (nil
// when none was linked).
func (g *Gate) linkPending(ctx context.Context, tx jaga.Tx, req Request, owners map[string]jaga.SubjectID, deks func(jaga.SubjectID) (*seal.DEK, error), now time.Time) (map[jaga.SubjectID]int, map[jaga.SubjectID][]string, *jaga.AuditEvent, error) {
	if len(owners) == 0 {
		return nil, nil, nil, nil
	}
	if n, err := tx.CountPendingPurchases(ctx); err != nil || n == 0 {
		return nil, nil, nil, err
	}
	keys := make([][]byte, 0, len(owners))
	for k := range owners {
		keys = append(keys, []byte(k))
	}
	slices.SortFunc(keys, bytes.Compare)
	lines, err := tx.PendingPurchases(ctx, keys)
	if err != nil || len(lines) == 0 {
		return nil, nil, nil, err
	}
	holders := map[jaga.SubjectID]*seal.DEK{}
	linked := map[jaga.SubjectID]int{}
	var batch []*jaga.SealedPurchase
	var review [][]string   // per batch entry: the description's identifier kinds
	var where []PurchaseRow // per batch entry: the line's file and line number
	var done [][]byte
	for _, l := range lines {
		if len(done) == 0 || !bytes.Equal(done[len(done)-1], l.SourceKey) {
			done = append(done, l.SourceKey)
		}
		subject := owners[string(l.SourceKey)]
		dek, err := deks(subject)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("pending purchases: subject %s: open data key: %w", subject, err)
		}
		if dek == nil {
			continue // an erased customer: the line goes unlinked
		}
		hdek := holders[l.Holder.ID]
		if hdek == nil {
			if hdek, err = g.keys.OpenDEK(l.Holder.ID, l.Holder.WrappedDEK); err != nil {
				return nil, nil, nil, fmt.Errorf("pending purchases: open data key: %w", err)
			}
			holders[l.Holder.ID] = hdek
		}
		pt, err := hdek.Open(seal.PendingPurchaseAD(l.Holder.ID, l.Key), l.Sealed)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("pending purchases: open line: %w", err)
		}
		var pl pendingLine
		err = decodeOpened(pt, &pl)
		clear(pt)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("pending purchases: read line: %w", err)
		}
		body, err := json.Marshal(&pl.Purchase)
		if err != nil {
			return nil, nil, nil, err
		}
		ct, err := dek.Seal(seal.PurchaseAD(subject), body)
		clear(body)
		if err != nil {
			return nil, nil, nil, err
		}
		batch = append(batch, &jaga.SealedPurchase{Subject: subject, Sealed: ct, SourceKey: l.Key, CreatedAt: now})
		review = append(review, textReview(pl.Purchase.Description))
		where = append(where, PurchaseRow{File: pl.File, Line: pl.Line})
		linked[subject]++
	}
	// A description holding an identifier flags its customer now that one exists, as
	// a line linked at once would have (purchasepii.go).
	_, flagged, err := insertPurchases(ctx, tx, batch, review, where)
	if err != nil {
		return nil, nil, nil, err
	}
	var flags map[jaga.SubjectID][]string
	for i, reasons := range flagged {
		if flags == nil {
			flags = map[jaga.SubjectID][]string{}
		}
		flags[batch[i].Subject] = append(flags[batch[i].Subject], reasons...)
	}
	if _, err := tx.DeletePendingPurchases(ctx, done); err != nil {
		return nil, nil, nil, err
	}
	if len(linked) == 0 {
		return nil, nil, nil, nil
	}
	ev := g.event(req, jaga.ActionImport, nil)
	for id := range linked {
		ev.Subjects = append(ev.Subjects, id)
	}
	slices.Sort(ev.Subjects)
	ev.FieldsRequested = []string{jaga.FieldPurchases}
	ev.Count = len(batch)
	ev.Decision = string(jaga.Allow)
	return linked, flags, ev, nil
}

// linkIntakePending is linkPending for a stored intake batch: the lines linked to each
// subject are counted on the batch's first row that created or merged into it
// (IntakeOutcome.LinkedPurchases).
func (g *Gate) linkIntakePending(ctx context.Context, tx jaga.Tx, req Request, owners map[string]jaga.SubjectID, deks func(jaga.SubjectID) (*seal.DEK, error), out []IntakeOutcome, now time.Time) (*jaga.AuditEvent, error) {
	for i := range out {
		out[i].LinkedPurchases, out[i].LinkedReview = 0, nil // the write may run again
	}
	linked, flags, ev, err := g.linkPending(ctx, tx, req, owners, deks, now)
	if err != nil || len(linked) == 0 {
		return nil, err
	}
	for i := range out {
		if n := linked[out[i].Subject]; n > 0 && (out[i].Status == IntakeCreated || out[i].Status == IntakeMerged) {
			out[i].LinkedPurchases = n
			if r := flags[out[i].Subject]; len(r) > 0 {
				out[i].LinkedReview = slices.Compact(slices.Sorted(slices.Values(r)))
			}
			delete(linked, out[i].Subject)
		}
	}
	return ev, nil
}

// PurgePendingPurchases deletes the purchase lines kept pending longer than
// PendingPurchaseRetention, whose customer never arrived, with the data keys left
// without a line (UU PDP Art 16(2)(g), Art 44(1)(a); R-41). One audit event (action
// pending_purchases_purged, Count) is written when any was deleted. Only Jaga's own
// jobs (a system actor) and the dpo may run it, under purpose legal_obligation.
// Errors: as Read for the request.
func (g *Gate) PurgePendingPurchases(ctx context.Context, req Request) (int, error) {
	return g.purgeJob(ctx, req, jaga.ActionPendingPurchasesPurged, "pending purchases", []string{jaga.FieldPurchases},
		func(ctx context.Context, tx jaga.Tx) (int, error) {
			return tx.PurgePendingPurchases(ctx, g.now().Add(-PendingPurchaseRetention))
		})
}

// pendingLine is the sealed plaintext of a pending purchase line: the purchase and the
// file and line it came from, so that a review flag raised when it is linked names them.
type pendingLine struct {
	Purchase Purchase `json:"purchase"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
}

// dekOpener returns a function that opens the DEK of a subject in wrapped (its wrapped
// DEK) once and then reuses it, and returns nil for a subject not in wrapped. An intake
// batch keeps only the wrapped DEKs (60 bytes each) until its write, which opens the
// few whose customers have pending purchase lines, instead of holding every opened DEK
// (an AES-GCM key schedule each) of its tens of thousands of subjects meanwhile.
func (g *Gate) dekOpener(wrapped map[jaga.SubjectID][]byte) func(jaga.SubjectID) (*seal.DEK, error) {
	opened := map[jaga.SubjectID]*seal.DEK{}
	return func(id jaga.SubjectID) (*seal.DEK, error) {
		if d := opened[id]; d != nil {
			return d, nil
		}
		w, ok := wrapped[id]
		if !ok {
			return nil, nil
		}
		d, err := g.keys.OpenDEK(id, w)
		if err != nil {
			return nil, err
		}
		opened[id] = d
		return d, nil
	}
}
