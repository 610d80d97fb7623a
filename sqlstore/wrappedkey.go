package sqlstore

import (
	"context"
	"encoding/hex"

	"jaga"
)

// wrappedKeyTable says where the keys of one jaga.WrappedKeyKind live: the table, the
// column naming a key (its ID) and the column holding the wrapped key. binaryID marks a
// BLOB ID column (tokens.token_index), whose IDs are given and taken as lower-case hex.
type wrappedKeyTable struct {
	table, id, key string
	binaryID       bool
}

// wrappedKeyTables maps every jaga.WrappedKeyKind to its table. A destroyed key is NULL
// (dsr_requests.sealed_key) or empty (a released quarantine row, a confirmed sign-up),
// so "length(key) > 0" selects the live ones on both engines.
var wrappedKeyTables = map[jaga.WrappedKeyKind]wrappedKeyTable{
	jaga.WrappedSubjectDEK:         {table: "subjects", id: "id", key: "wrapped_dek"},
	jaga.WrappedQuarantineDEK:      {table: "quarantine", id: "id", key: "wrapped_dek"},
	jaga.WrappedSignupDEK:          {table: "pending_signups", id: "id", key: "wrapped_dek"},
	jaga.WrappedPendingPurchaseDEK: {table: "pending_purchase_keys", id: "holder_id", key: "wrapped_dek"},
	jaga.WrappedRequestKey:         {table: "dsr_requests", id: "id", key: "sealed_key"},
	jaga.WrappedTokenKey:           {table: "tokens", id: "token_index", key: "wrapped_key", binaryID: true},
}

// defaultWrappedKeyPage is WrappedKeys' page size when limit is not positive.
const defaultWrappedKeyPage = 1000

// lookupWrappedKeyTable returns kind's table; EINVALID for an unknown kind.
func lookupWrappedKeyTable(kind jaga.WrappedKeyKind) (wrappedKeyTable, error) {
	w, ok := wrappedKeyTables[kind]
	if !ok {
		return w, &jaga.Error{Code: jaga.EINVALID, Field: "kind", Message: "unknown wrapped key kind"}
	}
	return w, nil
}

// idArg returns id as the bound value of w's ID column: the string itself, or the bytes
// of a hex ID (EINVALID when it is not hex).
func (w wrappedKeyTable) idArg(id string) (any, error) {
	if !w.binaryID {
		return id, nil
	}
	b, err := hex.DecodeString(id)
	if err != nil {
		return nil, &jaga.Error{Code: jaga.EINVALID, Field: "id", Message: "a " + w.table + " key ID must be hex"}
	}
	return nonNil(b), nil
}

// WrappedKeys returns up to limit (default 1000) live wrapped keys of kind with IDs
// after `after` ("" for the first page), in ID order; keys destroyed (NULL or empty) are
// skipped. EINVALID for an unknown kind or, for tokens, an `after` that is not hex.
func (t *Tx) WrappedKeys(ctx context.Context, kind jaga.WrappedKeyKind, after string, limit int) ([]jaga.WrappedKeyRecord, error) {
	w, err := lookupWrappedKeyTable(kind)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultWrappedKeyPage
	}
	from, err := w.idArg(after)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, `SELECT `+w.id+`, `+w.key+` FROM `+w.table+` WHERE `+w.id+` > ? AND length(`+w.key+`) > 0 ORDER BY `+w.id+` LIMIT ?`, from, int64(limit))
	if err != nil {
		return nil, t.db.translate("read wrapped keys", err, "", "")
	}
	defer rows.Close()
	var out []jaga.WrappedKeyRecord
	for rows.Next() {
		r := jaga.WrappedKeyRecord{Kind: kind}
		if w.binaryID {
			var id []byte
			err = rows.Scan(&id, &r.Wrapped)
			r.ID = hex.EncodeToString(id)
		} else {
			err = rows.Scan(&r.ID, &r.Wrapped)
		}
		if err != nil {
			return nil, t.internal("read wrapped keys", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.db.translate("read wrapped keys", err, "", "")
	}
	return out, nil
}

// SetWrappedKey replaces the live wrapped key of kind named id (after a KEK rotation).
// ENOTFOUND when there is no such row or its key was destroyed, so that a re-wrap never
// brings a destroyed key back; EINVALID for an unknown kind, a token ID that is not hex
// or an empty key.
func (t *Tx) SetWrappedKey(ctx context.Context, kind jaga.WrappedKeyKind, id string, wrapped []byte) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	w, err := lookupWrappedKeyTable(kind)
	if err != nil {
		return err
	}
	if len(wrapped) == 0 {
		return &jaga.Error{Code: jaga.EINVALID, Field: w.key, Message: "empty wrapped key"}
	}
	arg, err := w.idArg(id)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE `+w.table+` SET `+w.key+` = ? WHERE `+w.id+` = ? AND length(`+w.key+`) > 0`, wrapped, arg)
	return t.affectedOne("set wrapped key", res, err, string(kind)+" key not found")
}
