-- 0013_vault_binding: the keys/ a vault's database belongs to (one row). key_check is a
-- keyed hash of a fixed label under the blind-index key, audit_key_id the public audit
-- key's ID: neither reveals key material (invariant 3). A node whose keys give other
-- values is refused at start-up, so that it never writes data the vault's own nodes
-- cannot open. bound_at is when the database was bound (microseconds, UTC).
CREATE TABLE vault_binding (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	key_check    BLOB NOT NULL,
	audit_key_id TEXT NOT NULL,
	bound_at     INTEGER NOT NULL
) STRICT;
