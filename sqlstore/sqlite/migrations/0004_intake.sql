-- 0004_intake: quarantine, merge records, review flags and pending double opt-in
-- sign-ups (issue 4). No column holds a plaintext personal value (invariant 2): values
-- are sealed under a data key of their own (quarantine, sign-ups) or the subject's
-- (merges); file names, line numbers and reason codes are metadata.

-- Rows that failed validation, kept encrypted instead of lost (invariant 5). id has the
-- shape of a subject ID and becomes the subject's on release; wrapped_dek and sealed are
-- emptied on release or discard.
CREATE TABLE quarantine (
	id          TEXT PRIMARY KEY,
	row_key     BLOB NOT NULL UNIQUE,
	file        TEXT NOT NULL,
	line        INTEGER NOT NULL,
	reasons     TEXT NOT NULL,
	wrapped_dek BLOB NOT NULL,
	sealed      BLOB NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('open', 'released', 'discarded')),
	subject_id  TEXT NOT NULL DEFAULT '',
	created_at  INTEGER,
	updated_at  INTEGER
) STRICT;
CREATE INDEX quarantine_status ON quarantine (status, id);

-- One row per source row merged into an existing subject (identity resolution), so
-- that the merge can be undone. sealed is under the subject's DEK and deleted with it.
CREATE TABLE merges (
	id          INTEGER PRIMARY KEY,
	subject_id  TEXT NOT NULL,
	row_key     BLOB NOT NULL,
	file        TEXT NOT NULL,
	line        INTEGER NOT NULL,
	at          INTEGER,
	fields      TEXT NOT NULL,
	consents    TEXT NOT NULL,
	sealed      BLOB NOT NULL,
	created_at  INTEGER,
	undone_at   INTEGER,
	undone_into TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX merges_subject ON merges (subject_id, id);

-- Subjects staff should look at: identity conflicts, invalid consents, unverified phones.
CREATE TABLE review_flags (
	id            INTEGER PRIMARY KEY,
	subject_id    TEXT NOT NULL,
	reason        TEXT NOT NULL,
	other_subject TEXT NOT NULL DEFAULT '',
	file          TEXT NOT NULL DEFAULT '',
	line          INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER,
	resolved_at   INTEGER
) STRICT;
CREATE INDEX review_flags_subject ON review_flags (subject_id, id);

-- E-mail sign-ups waiting for the double opt-in link: no subject and no consent yet.
CREATE TABLE pending_signups (
	id           TEXT PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	form         TEXT NOT NULL,
	wrapped_dek  BLOB NOT NULL,
	sealed       BLOB NOT NULL,
	created_at   INTEGER,
	expires_at   INTEGER,
	confirmed    TEXT NOT NULL DEFAULT ''
) STRICT;
