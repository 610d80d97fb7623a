-- 0005_dsr: the request desk (UU PDP Art 14, R-15) and the privacy portal's sign-in codes.
-- PostgreSQL twin of sqlstore/sqlite/migrations/0005_dsr.sql; times are BIGINT
-- microseconds since the Unix epoch, UTC (sqlstore/time.go), byte strings BYTEA.

CREATE TABLE dsr_requests (
	id             TEXT PRIMARY KEY,
	subject_id     TEXT NOT NULL,
	type           TEXT NOT NULL,
	channel        TEXT NOT NULL,
	status         TEXT NOT NULL,
	statutory      BOOLEAN NOT NULL,
	received_at    BIGINT NOT NULL,
	due_at         BIGINT NOT NULL,
	handler        TEXT NOT NULL DEFAULT '',
	approver       TEXT NOT NULL DEFAULT '',
	refusal_code   TEXT NOT NULL DEFAULT '',
	detail         TEXT,
	outcome        TEXT NOT NULL DEFAULT '',
	scheduled_at   BIGINT,
	closed_at      BIGINT,
	notice_sent_at BIGINT,
	sealed         BYTEA,
	sealed_key     BYTEA,
	updated_at     BIGINT
);
CREATE INDEX dsr_requests_due ON dsr_requests (status, due_at);
CREATE INDEX dsr_requests_subject ON dsr_requests (subject_id, received_at);

CREATE TABLE legal_holds (
	id         BIGSERIAL PRIMARY KEY,
	subject_id TEXT NOT NULL,
	basis      TEXT NOT NULL,
	ref        TEXT NOT NULL DEFAULT '',
	placed_by  TEXT NOT NULL,
	placed_at  BIGINT NOT NULL,
	until      BIGINT
);
CREATE INDEX legal_holds_subject ON legal_holds (subject_id);

CREATE TABLE login_codes (
	id         TEXT PRIMARY KEY,
	subject_id TEXT NOT NULL DEFAULT '',
	code_mac   BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	used       BOOLEAN NOT NULL DEFAULT FALSE
);
