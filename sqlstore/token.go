package sqlstore

import (
	"context"

	"jaga"
)

// Store methods of redaction tokens (issue 8). EraseSubject deletes a subject's tokens.

// InsertTokens stores redaction tokens; an index already stored is ECONFLICT.
func (t *Tx) InsertTokens(ctx context.Context, tokens []*jaga.Token) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, tk := range tokens {
		if len(tk.Index) == 0 || tk.Kind == "" || len(tk.WrappedKey) == 0 || len(tk.Sealed) == 0 {
			return jaga.Errorf(jaga.EINVALID, "a token needs an index, a kind, a wrapped key and a sealed value")
		}
		if tk.Subject != "" && !tk.Subject.Valid() {
			return jaga.Errorf(jaga.EINVALID, "token subject is not a subject id")
		}
		t.stamp(&tk.CreatedAt)
		if _, err := t.exec(ctx, `INSERT INTO tokens (token_index, kind, subject_id, wrapped_key, sealed, created_at) VALUES (?,?,?,?,?,?)`,
			tk.Index, tk.Kind, string(tk.Subject), tk.WrappedKey, tk.Sealed, TimeValue(tk.CreatedAt)); err != nil {
			return t.db.translate("insert token", err, "", "token exists")
		}
	}
	return nil
}

// TokenByIndex returns the token whose index is index; ENOTFOUND if there is none.
func (t *Tx) TokenByIndex(ctx context.Context, index []byte) (*jaga.Token, error) {
	var (
		tk   jaga.Token
		subj string
	)
	err := t.queryRow(ctx, `SELECT token_index, kind, subject_id, wrapped_key, sealed, created_at FROM tokens WHERE token_index = ?`, []any{index},
		&tk.Index, &tk.Kind, &subj, &tk.WrappedKey, &tk.Sealed, Time{&tk.CreatedAt})
	if err != nil {
		return nil, t.db.translate("read token", err, "token not found", "")
	}
	tk.Subject = jaga.SubjectID(subj)
	return &tk, nil
}
