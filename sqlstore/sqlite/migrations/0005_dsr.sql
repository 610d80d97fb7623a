-- 0005_dsr: the request desk (UU PDP Art 14, R-15) and the privacy portal's sign-in codes.
--
-- No column holds a plaintext personal value (invariant 2): detail and outcome are
-- non-personal parameters (purpose and field names, reason codes, dates); the request's
-- personal parameters (new values of a correction, the notice address of an erasure)
-- are ciphertext in sealed under a per-request key, itself stored only wrapped by the
-- KEK in sealed_key, and both are set to NULL once the completion notice is sent.

CREATE TABLE dsr_requests (
	id             TEXT PRIMARY KEY,
	subject_id     TEXT NOT NULL,
	type           TEXT NOT NULL,
	channel        TEXT NOT NULL,
	status         TEXT NOT NULL,
	statutory      INTEGER NOT NULL CHECK (statutory IN (0, 1)),
	received_at    INTEGER NOT NULL,
	due_at         INTEGER NOT NULL,
	handler        TEXT NOT NULL DEFAULT '',
	approver       TEXT NOT NULL DEFAULT '',
	refusal_code   TEXT NOT NULL DEFAULT '',
	detail         TEXT,
	outcome        TEXT NOT NULL DEFAULT '',
	scheduled_at   INTEGER,
	closed_at      INTEGER,
	notice_sent_at INTEGER,
	sealed         BLOB,
	sealed_key     BLOB,
	updated_at     INTEGER
) STRICT;
CREATE INDEX dsr_requests_due ON dsr_requests (status, due_at);
CREATE INDEX dsr_requests_subject ON dsr_requests (subject_id, received_at);

-- Legal holds that keep a subject's data beyond an erasure request (R-19).
CREATE TABLE legal_holds (
	id         INTEGER PRIMARY KEY,
	subject_id TEXT NOT NULL,
	basis      TEXT NOT NULL,
	ref        TEXT NOT NULL DEFAULT '',
	placed_by  TEXT NOT NULL,
	placed_at  INTEGER NOT NULL,
	until      INTEGER
) STRICT;
CREATE INDEX legal_holds_subject ON legal_holds (subject_id);

-- Portal sign-in challenges: a keyed MAC of the one-time code, never the code, and
-- never the address it was sent to.
CREATE TABLE login_codes (
	id         TEXT PRIMARY KEY,
	subject_id TEXT NOT NULL DEFAULT '',
	code_mac   BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
) STRICT;
