-- 0011_quarantine_indexes: the blind indexes (sqlstore.BlindIndexSize bytes, as in
-- blind_indexes) of the e-mail, phone and NIK of each open quarantined row, for the
-- values that normalise, so that erasing a subject also discards the open quarantined
-- rows that share one of its blind indexes, rows without a source ID (a file without a
-- customer ID column, a web-form post) included; re-applying the erasure journal to a
-- restored backup does the same (DESIGN.md invariant 4, UU PDP Art 8, R-20). A row's
-- index rows are deleted when it leaves 'open' (released or discarded). indexed_at is
-- when the gate stored them: NULL for rows quarantined before this migration until the
-- gate fills them in at start-up.
CREATE TABLE quarantine_indexes (
	quarantine_id TEXT NOT NULL REFERENCES quarantine (id) ON DELETE CASCADE,
	field         TEXT NOT NULL,
	value         BLOB NOT NULL CHECK (length(value) = 16),
	PRIMARY KEY (quarantine_id, field, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX quarantine_indexes_value ON quarantine_indexes (field, value);
ALTER TABLE quarantine ADD COLUMN indexed_at INTEGER;
CREATE INDEX quarantine_unindexed ON quarantine (id) WHERE status = 'open' AND indexed_at IS NULL;
