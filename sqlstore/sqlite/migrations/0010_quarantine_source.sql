-- 0010_quarantine_source: each quarantined row names the source record it is a version
-- of: source_key is the keyed hash of the source's own ID (the import key of the
-- record, the one its subject holds in import_keys), empty for a row without a source
-- ID (a web-form post), NULL for rows quarantined before this migration until the gate
-- fills it in at start-up. Erasing a subject then discards the open quarantined
-- versions of its records in the erasure's own transaction, and so does re-applying
-- the erasure journal to a restored backup (DESIGN.md invariant 4).
ALTER TABLE quarantine ADD COLUMN source_key BLOB;
CREATE INDEX quarantine_open_source ON quarantine (source_key) WHERE status = 'open';
