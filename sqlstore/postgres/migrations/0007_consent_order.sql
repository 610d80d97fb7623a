-- 0007_consent_order (PostgreSQL): the tie key of consent records, the guardian of the
-- consent in force, and the outcome of scheduled deletions (issue 3 follow-up; UU PDP
-- Arts 25, 43; R-3, R-9, R-11). Metadata only: no column holds a personal value.

-- Records of the same instant are ordered by tie (jaga.Consent.TieKey: a file name and
-- line for imported records, 0x02 for records made live), then id. BYTEA compares byte
-- by byte, as SQLite's BLOB does. Every record stored before this migration counts as
-- made live.
ALTER TABLE consents ADD COLUMN tie BYTEA NOT NULL DEFAULT '\x02'::bytea;
DROP INDEX consents_subject_purpose;
CREATE INDEX consents_subject_purpose ON consents (subject_id, purpose, at, tie, id);

-- The consent in force keeps its tie key, and the guardian who gave it ('' when the
-- subject gave it), so that a listing leaves out children without their guardian's
-- consent in the database (R-3).
ALTER TABLE current_consents ADD COLUMN tie BYTEA NOT NULL DEFAULT '\x02'::bytea;
ALTER TABLE current_consents ADD COLUMN guardian TEXT NOT NULL DEFAULT '';
UPDATE current_consents SET guardian = COALESCE((
	SELECT c.details::jsonb ->> 'guardian' FROM consents c
	WHERE c.id = current_consents.consent_id AND c.details::jsonb ->> 'given_by' = 'guardian'), '')
WHERE subject_id IN (SELECT subject_id FROM guardianships);

-- A scheduled deletion is done once the deletion job handled it; deleted is the JSON
-- array of the fields it removed.
ALTER TABLE scheduled_deletions ADD COLUMN done_at BIGINT;
ALTER TABLE scheduled_deletions ADD COLUMN deleted TEXT;
CREATE INDEX scheduled_deletions_due ON scheduled_deletions (due_at, id) WHERE done_at IS NULL;
