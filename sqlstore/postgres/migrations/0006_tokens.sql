-- 0006_tokens: redaction tokens (issue 8).
-- PostgreSQL twin of sqlstore/sqlite/migrations/0006_tokens.sql; times are BIGINT
-- microseconds since the Unix epoch, UTC (sqlstore/time.go), byte strings BYTEA.

CREATE TABLE tokens (
	token_index BYTEA PRIMARY KEY,
	kind        TEXT NOT NULL,
	subject_id  TEXT NOT NULL DEFAULT '',
	wrapped_key BYTEA NOT NULL,
	sealed      BYTEA NOT NULL,
	created_at  BIGINT NOT NULL
);
CREATE INDEX tokens_subject ON tokens (subject_id) WHERE subject_id <> '';
