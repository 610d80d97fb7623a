-- 0012_pending_purchases (PostgreSQL): purchase lines whose customer is not in the vault
-- yet (issue 4: purchases may be imported before their customers). Each pending source
-- key (the keyed hash of the customer's source ID, the import key its subject will hold
-- in import_keys) has a data key of its own, stored only wrapped (holder_id names it in
-- the wrap's associated data); its lines are sealed under it, each bound to its holder
-- and its own purchase key (the keyed hash of file, line and content that makes a
-- re-import idempotent). When the customer arrives the lines are sealed again under the
-- subject's DEK, stored as purchases and deleted here with the key; lines still pending
-- after the retention period are purged with it (invariants 2, 3 and 4).
CREATE TABLE pending_purchase_keys (
	source_key  BYTEA PRIMARY KEY,
	holder_id   TEXT NOT NULL UNIQUE,
	wrapped_dek BYTEA NOT NULL,
	created_at  BIGINT NOT NULL
);

CREATE TABLE pending_purchases (
	key        BYTEA PRIMARY KEY,
	source_key BYTEA NOT NULL REFERENCES pending_purchase_keys (source_key) ON DELETE CASCADE,
	sealed     BYTEA NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX pending_purchases_source ON pending_purchases (source_key);
CREATE INDEX pending_purchases_created ON pending_purchases (created_at);
