-- 0009_review_resolution (PostgreSQL): staff close review flags (identity conflicts, invalid consents,
-- unverified phones) with a resolution from a closed set (accepted, corrected,
-- dismissed), who closed it (an actor ID) and an optional short note that the gate
-- checked to hold no personal data (UU PDP Art 29, R-28). resolved_at exists since 0004.
ALTER TABLE review_flags ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE review_flags ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE review_flags ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- The review desk lists open flags by ID, of every subject or by reason.
CREATE INDEX review_flags_open ON review_flags (id) WHERE resolved_at IS NULL;
CREATE INDEX review_flags_reason ON review_flags (reason, id);
