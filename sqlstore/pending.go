package sqlstore

import (
	"bytes"
	"context"
	"slices"
	"time"

	"jaga"
)

// Store methods of pending purchases (migration 0012): purchase lines kept, sealed under
// a data key of their customer's source key, until the customer is imported.

var (
	selectPendingHoldersTpl = &rowsTemplate{
		prefix: "SELECT source_key, holder_id, wrapped_dek, created_at FROM pending_purchase_keys WHERE source_key IN (",
		row:    "?", suffix: ")", width: 1, max: 512,
	}
	insertPendingHoldersTpl = &rowsTemplate{
		prefix: "INSERT INTO pending_purchase_keys (source_key, holder_id, wrapped_dek, created_at) VALUES ",
		row:    "(?,?,?,?)", width: 4, max: 256,
	}
	insertPendingLinesTpl = &rowsTemplate{
		prefix: "INSERT INTO pending_purchases (key, source_key, sealed, created_at) VALUES ",
		row:    "(?,?,?,?)", suffix: " ON CONFLICT (key) DO NOTHING", width: 4, max: 256,
	}
	selectPendingLinesTpl = &rowsTemplate{
		prefix: `SELECT p.key, p.source_key, p.sealed, p.created_at, h.holder_id, h.wrapped_dek, h.created_at
FROM pending_purchases p JOIN pending_purchase_keys h ON h.source_key = p.source_key WHERE p.source_key IN (`,
		row: "?", suffix: ")", width: 1, max: 512,
	}
	deletePendingLinesTpl = &rowsTemplate{
		prefix: "DELETE FROM pending_purchases WHERE source_key IN (",
		row:    "?", suffix: ")", width: 1, max: 512,
	}
	deletePendingHoldersTpl = &rowsTemplate{
		prefix: "DELETE FROM pending_purchase_keys WHERE source_key IN (",
		row:    "?", suffix: ")", width: 1, max: 512,
	}
)

// PendingPurchaseHolders implements jaga.Tx.
func (t *Tx) PendingPurchaseHolders(ctx context.Context, sourceKeys [][]byte) (map[string]*jaga.PendingPurchaseHolder, error) {
	out := make(map[string]*jaga.PendingPurchaseHolder)
	err := t.queryKeys(ctx, "read pending purchase keys", selectPendingHoldersTpl, nil, sourceKeys, func(sc func(...any) error) error {
		var (
			h  jaga.PendingPurchaseHolder
			id string
		)
		if err := sc(&h.SourceKey, &id, &h.WrappedDEK, Time{&h.CreatedAt}); err != nil {
			return err
		}
		h.ID = jaga.SubjectID(id)
		out[string(h.SourceKey)] = &h
		return nil
	})
	return out, err
}

// InsertPendingPurchases implements jaga.Tx.
func (t *Tx) InsertPendingPurchases(ctx context.Context, holders []*jaga.PendingPurchaseHolder, lines []*jaga.PendingPurchase) (int, error) {
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	for _, h := range holders {
		if h == nil || len(h.SourceKey) == 0 || !h.ID.Valid() || len(h.WrappedDEK) == 0 {
			return 0, jaga.Errorf(jaga.EINVALID, "pending purchase key needs a source key, a holder id and a wrapped key")
		}
		t.stamp(&h.CreatedAt)
	}
	for _, l := range lines {
		if l == nil || len(l.Key) == 0 || len(l.SourceKey) == 0 || len(l.Sealed) == 0 {
			return 0, jaga.Errorf(jaga.EINVALID, "pending purchase needs a key, a source key and a sealed line")
		}
		t.stamp(&l.CreatedAt)
	}
	if _, err := t.execRows(ctx, insertPendingHoldersTpl, len(holders), func(args []any, i int) []any {
		h := holders[i]
		return append(args, h.SourceKey, string(h.ID), h.WrappedDEK, TimeValue(h.CreatedAt))
	}); err != nil {
		return 0, t.db.translate("insert pending purchase keys", err, "", "pending purchase key exists")
	}
	n, err := t.execRows(ctx, insertPendingLinesTpl, len(lines), func(args []any, i int) []any {
		l := lines[i]
		return append(args, l.Key, l.SourceKey, l.Sealed, TimeValue(l.CreatedAt))
	})
	if err != nil {
		return 0, t.db.translate("insert pending purchases", err, "pending purchase key not found", "pending purchase exists")
	}
	return int(n), nil
}

// PendingPurchases implements jaga.Tx.
func (t *Tx) PendingPurchases(ctx context.Context, sourceKeys [][]byte) ([]*jaga.PendingPurchase, error) {
	var out []*jaga.PendingPurchase
	holders := map[string]*jaga.PendingPurchaseHolder{}
	err := t.queryKeys(ctx, "read pending purchases", selectPendingLinesTpl, nil, sourceKeys, func(sc func(...any) error) error {
		var (
			l  jaga.PendingPurchase
			h  jaga.PendingPurchaseHolder
			id string
		)
		if err := sc(&l.Key, &l.SourceKey, &l.Sealed, Time{&l.CreatedAt}, &id, &h.WrappedDEK, Time{&h.CreatedAt}); err != nil {
			return err
		}
		if hh := holders[string(l.SourceKey)]; hh != nil {
			l.Holder = hh
		} else {
			h.SourceKey, h.ID = l.SourceKey, jaga.SubjectID(id)
			holders[string(l.SourceKey)] = &h
			l.Holder = &h
		}
		out = append(out, &l)
		return nil
	})
	slices.SortFunc(out, func(a, b *jaga.PendingPurchase) int {
		if c := bytes.Compare(a.SourceKey, b.SourceKey); c != 0 {
			return c
		}
		return bytes.Compare(a.Key, b.Key)
	})
	return out, err
}

// DeletePendingPurchases implements jaga.Tx: with secure_delete on (SQLite) the deleted
// rows' bytes, the wrapped data keys included, are zeroed in the file.
func (t *Tx) DeletePendingPurchases(ctx context.Context, sourceKeys [][]byte) (int, error) {
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	fill := func(args []any, i int) []any { return append(args, sourceKeys[i]) }
	n, err := t.execRows(ctx, deletePendingLinesTpl, len(sourceKeys), fill)
	if err != nil {
		return 0, t.db.translate("delete pending purchases", err, "", "")
	}
	if _, err := t.execRows(ctx, deletePendingHoldersTpl, len(sourceKeys), fill); err != nil {
		return 0, t.db.translate("delete pending purchase keys", err, "", "")
	}
	return int(n), nil
}

// PurgePendingPurchases implements jaga.Tx.
func (t *Tx) PurgePendingPurchases(ctx context.Context, before time.Time) (int, error) {
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, `DELETE FROM pending_purchases WHERE created_at < ?`, TimeValue(before))
	if err != nil {
		return 0, t.db.translate("purge pending purchases", err, "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.internal("purge pending purchases", err)
	}
	if _, err := t.exec(ctx, `DELETE FROM pending_purchase_keys WHERE NOT EXISTS (SELECT 1 FROM pending_purchases p WHERE p.source_key = pending_purchase_keys.source_key)`); err != nil {
		return 0, t.db.translate("purge pending purchase keys", err, "", "")
	}
	return int(n), nil
}

// CountPendingPurchases implements jaga.Tx.
func (t *Tx) CountPendingPurchases(ctx context.Context) (int, error) {
	var n int64
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM pending_purchases`, nil, &n); err != nil {
		return 0, t.db.translate("count pending purchases", err, "", "")
	}
	return int(n), nil
}

// erasePendingPurchasesOf deletes the pending purchases, and their keys, of the source
// keys of subject (as DiscardQuarantinedOf finds them): once a customer is linked none
// should be left, but an erasure must not leave one behind whatever happened before.
// The look-up starts from the pending keys (few, usually none) and seeks each in the
// subject's keys, so that an erasure does not scan import_keys.
func (t *Tx) erasePendingPurchasesOf(ctx context.Context, subject string) error {
	rows, err := t.query(ctx, `SELECT p.source_key FROM pending_purchase_keys p WHERE
		EXISTS (SELECT 1 FROM subjects s WHERE s.id = ? AND s.import_key = p.source_key)
		OR EXISTS (SELECT 1 FROM import_keys k WHERE k.key = p.source_key AND k.subject_id = ?)
		OR EXISTS (SELECT 1 FROM merges m WHERE m.row_key = p.source_key AND m.subject_id = ? AND m.undone_at IS NULL)`, subject, subject, subject)
	if err != nil {
		return t.db.translate("find pending purchases of subject", err, "", "")
	}
	var keys [][]byte
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return t.internal("find pending purchases of subject", err)
		}
		keys = append(keys, k)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return t.db.translate("find pending purchases of subject", err, "", "")
	}
	_, err = t.DeletePendingPurchases(ctx, keys)
	return err
}
