-- 0002_consent (PostgreSQL): the purpose registry, privacy notices, the consent state in force per
-- (subject, purpose), guardians of children and deletions scheduled after withdrawals
-- (issue 3; UU PDP Arts 20-25, 40, 43). Metadata only: no column holds a personal value.

-- The purpose registry. definition is the JSON of jaga.Purpose (names, descriptions,
-- basis, fields, retention, recipients, risk flags, assessments, pending change).
CREATE TABLE purposes (
	id         TEXT PRIMARY KEY,
	status     TEXT NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
	definition TEXT NOT NULL,
	updated_at BIGINT
);

-- One row whose version increases with every change of purposes or notices: nodes read
-- it (one primary-key look-up) to know their cached registry is stale.
CREATE TABLE registry_version (
	id      BIGINT PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);

-- Privacy-notice versions (R-12); body is the JSON of jaga.Notice.
CREATE TABLE notices (
	version     TEXT PRIMARY KEY,
	status      TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
	in_force_at BIGINT,
	body        TEXT NOT NULL,
	created_at  BIGINT
);

-- Consent details beyond the core columns (jaga.ConsentDetails, JSON) and the end of a
-- consent's validity.
ALTER TABLE consents ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE consents ADD COLUMN expires_at BIGINT;

-- The consent in force per (purpose, subject), maintained by InsertConsents (the latest
-- record by at, then id). Keyed by purpose first, so that listing the subjects with a
-- counting consent for a purpose is one range scan of the primary key (R-27), and the
-- gate's look-up of one (purpose, subject) one seek. counts is 1 for a given consent
-- without an invalid flag.
CREATE TABLE current_consents (
	purpose    TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	consent_id BIGINT NOT NULL,
	at         BIGINT,
	counts     BIGINT NOT NULL CHECK (counts IN (0, 1)),
	expires_at BIGINT,
	PRIMARY KEY (purpose, subject_id)
);
-- PostgreSQL has no WITHOUT ROWID: a covering index gives the listing an index-only scan.
CREATE INDEX current_consents_listing ON current_consents (purpose, subject_id) INCLUDE (counts, expires_at);
INSERT INTO current_consents (purpose, subject_id, consent_id, at, counts, expires_at)
SELECT c.purpose, c.subject_id, c.id, c.at, CASE WHEN c.status = 'given' AND c.flag = '' THEN 1 ELSE 0 END, c.expires_at
FROM consents c
WHERE NOT EXISTS (
	SELECT 1 FROM consents d
	WHERE d.subject_id = c.subject_id AND d.purpose = c.purpose
	  AND (COALESCE(d.at, 0) > COALESCE(c.at, 0) OR (COALESCE(d.at, 0) = COALESCE(c.at, 0) AND d.id > c.id))
);

-- Restricted subjects (R-21), few: a listing skips them with one look-up in this index.
CREATE INDEX subjects_restricted ON subjects (id) WHERE restricted;

-- Guardians of child subjects (R-3).
CREATE TABLE guardianships (
	subject_id  TEXT PRIMARY KEY,
	guardian_id TEXT NOT NULL,
	adult_at    BIGINT,
	created_at  BIGINT
);

-- Fields no lawful basis keeps after a withdrawal, to delete by due_at (R-11).
CREATE TABLE scheduled_deletions (
	id         BIGSERIAL PRIMARY KEY,
	subject_id TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	fields     TEXT NOT NULL,
	due_at     BIGINT,
	created_at BIGINT
);
CREATE INDEX scheduled_deletions_subject ON scheduled_deletions (subject_id, id);
