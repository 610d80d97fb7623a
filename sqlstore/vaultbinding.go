package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"jaga"
)

// Store methods of the vault binding (migration 0013).

// VaultBinding implements jaga.Tx.
func (t *Tx) VaultBinding(ctx context.Context) (*jaga.VaultBinding, error) {
	var b jaga.VaultBinding
	err := t.queryRow(ctx, `SELECT key_check, audit_key_id, bound_at FROM vault_binding WHERE id = 1`, nil,
		&b.KeyCheck, &b.AuditKeyID, Time{&b.BoundAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.db.translate("read vault binding", err, "", "")
	}
	return &b, nil
}

// BindVault implements jaga.Tx. ON CONFLICT DO NOTHING and the read after it make two
// PostgreSQL nodes binding an empty database at once agree: the second insert waits
// for the first transaction, does nothing, and its read sees the first binding.
func (t *Tx) BindVault(ctx context.Context, b *jaga.VaultBinding) (*jaga.VaultBinding, error) {
	if len(b.KeyCheck) != jaga.VaultKeyCheckSize {
		return nil, jaga.Errorf(jaga.EINVALID, "vault binding: key check is %d bytes, want %d", len(b.KeyCheck), jaga.VaultKeyCheckSize)
	}
	if b.AuditKeyID == "" {
		return nil, jaga.Errorf(jaga.EINVALID, "vault binding: no audit key ID")
	}
	if b.BoundAt.IsZero() {
		b.BoundAt = t.now
	}
	if _, err := t.exec(ctx, `INSERT INTO vault_binding (id, key_check, audit_key_id, bound_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		b.KeyCheck, b.AuditKeyID, TimeValue(b.BoundAt)); err != nil {
		return nil, t.db.translate("bind vault", err, "", "")
	}
	got, err := t.VaultBinding(ctx)
	if err == nil && got == nil {
		err = jaga.Errorf(jaga.EINTERNAL, "vault binding: stored but not read back")
	}
	return got, err
}
