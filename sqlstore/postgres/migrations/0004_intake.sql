-- 0004_intake (PostgreSQL): see sqlstore/sqlite/migrations/0004_intake.sql for the
-- meaning of each table. BYTEA for ciphertext and hashes, BIGINT microseconds for times.

CREATE TABLE quarantine (
	id          TEXT PRIMARY KEY,
	row_key     BYTEA NOT NULL UNIQUE,
	file        TEXT NOT NULL,
	line        BIGINT NOT NULL,
	reasons     TEXT NOT NULL,
	wrapped_dek BYTEA NOT NULL,
	sealed      BYTEA NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('open', 'released', 'discarded')),
	subject_id  TEXT NOT NULL DEFAULT '',
	created_at  BIGINT,
	updated_at  BIGINT
);
CREATE INDEX quarantine_status ON quarantine (status, id);

CREATE TABLE merges (
	id          BIGSERIAL PRIMARY KEY,
	subject_id  TEXT NOT NULL,
	row_key     BYTEA NOT NULL,
	file        TEXT NOT NULL,
	line        BIGINT NOT NULL,
	at          BIGINT,
	fields      TEXT NOT NULL,
	consents    TEXT NOT NULL,
	sealed      BYTEA NOT NULL,
	created_at  BIGINT,
	undone_at   BIGINT,
	undone_into TEXT NOT NULL DEFAULT ''
);
CREATE INDEX merges_subject ON merges (subject_id, id);

CREATE TABLE review_flags (
	id            BIGSERIAL PRIMARY KEY,
	subject_id    TEXT NOT NULL,
	reason        TEXT NOT NULL,
	other_subject TEXT NOT NULL DEFAULT '',
	file          TEXT NOT NULL DEFAULT '',
	line          BIGINT NOT NULL DEFAULT 0,
	created_at    BIGINT,
	resolved_at   BIGINT
);
CREATE INDEX review_flags_subject ON review_flags (subject_id, id);

CREATE TABLE pending_signups (
	id           TEXT PRIMARY KEY,
	token_hash   BYTEA NOT NULL UNIQUE,
	form         TEXT NOT NULL,
	wrapped_dek  BYTEA NOT NULL,
	sealed       BYTEA NOT NULL,
	created_at   BIGINT,
	expires_at   BIGINT,
	confirmed    TEXT NOT NULL DEFAULT ''
);
