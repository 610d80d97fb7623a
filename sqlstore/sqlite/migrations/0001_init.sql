-- 0001_init: the first schema of a Jaga vault on SQLite.
--
-- Ciphertext, blind indexes and hashes are BLOBs (never base64); no column holds a
-- plaintext personal value (DESIGN.md invariant 2). STRICT tables refuse a TEXT value in
-- a BLOB column, so a plaintext string cannot slip into a ciphertext column.
-- Timestamps are INTEGER microseconds since 1970-01-01T00:00:00Z, UTC (NULL = unset),
-- see sqlstore/time.go.
-- Subject IDs are "sub_" + 32 hex digits of a UUIDv7, so ID order is creation order.

-- One row per live subject. The rowid table appends rows in insert order. The row holds
-- everything of the subject that erasure must destroy: its data key (wrapped by the
-- KEK), every sealed value, and its own copy of its blind indexes and import key, so
-- that reading a subject is one look-up and erasing it deletes exactly its rows of
-- blind_indexes, without an index by subject on that table.
CREATE TABLE subjects (
	id           TEXT PRIMARY KEY,
	wrapped_dek  BLOB NOT NULL,
	sealed       BLOB NOT NULL,       -- sqlstore.EncodeSealed: field name -> ciphertext
	indexes      BLOB NOT NULL,       -- sqlstore.EncodeIndexes: (field, blind index) list
	import_key   BLOB,
	channel      TEXT NOT NULL,
	collected_at INTEGER,
	created_at   INTEGER,
	updated_at   INTEGER,
	restricted   INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1))
) STRICT;

-- Blind indexes (HMAC-SHA256 of a normalised value, 16 bytes) and tokens, for equality
-- look-up; deleted with the subject. Keys are random, so every insert lands on its own
-- B-tree page: no foreign key and no second index, which would double that cost.
CREATE TABLE blind_indexes (
	field      TEXT NOT NULL,
	value      BLOB NOT NULL CHECK (length(value) = 16),
	subject_id TEXT NOT NULL,
	PRIMARY KEY (field, value, subject_id)
) STRICT, WITHOUT ROWID;

-- Keyed hashes of (source, row key) of imported rows. Kept after erasure, so that
-- re-importing a file never brings an erased subject back.
CREATE TABLE import_keys (
	key        BLOB PRIMARY KEY,
	subject_id TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Tombstones of erased subjects: IDs and times only.
CREATE TABLE erased_subjects (
	id        TEXT PRIMARY KEY,
	erased_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Purchase lines sealed with the subject's DEK; source_key (keyed hash of file and
-- line) makes re-imports idempotent. Deleted with the subject.
CREATE TABLE purchases (
	id         INTEGER PRIMARY KEY,
	subject_id TEXT NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
	sealed     BLOB NOT NULL,
	source_key BLOB UNIQUE,
	created_at INTEGER
) STRICT;
CREATE INDEX purchases_subject ON purchases (subject_id, id);

-- Consent records: metadata, appended and never overwritten, kept after erasure. The
-- record in force is the latest by (at, id), which the index answers with one seek.
CREATE TABLE consents (
	id             INTEGER PRIMARY KEY,
	subject_id     TEXT NOT NULL,
	purpose        TEXT NOT NULL,
	status         TEXT NOT NULL,
	flag           TEXT NOT NULL DEFAULT '',
	notice_version TEXT NOT NULL DEFAULT '',
	channel        TEXT NOT NULL,
	evidence       TEXT NOT NULL DEFAULT '',
	at             INTEGER,
	recorded_at    INTEGER
) STRICT;
CREATE INDEX consents_subject_purpose ON consents (subject_id, purpose, at, id);

-- The audit log (UU PDP Art 31): hash-chained events. List columns hold JSON arrays of
-- subject IDs or field names, decisions a JSON object; never a field value.
CREATE TABLE audit_events (
	seq              INTEGER PRIMARY KEY,
	time             INTEGER,
	actor_id         TEXT NOT NULL,
	role             TEXT NOT NULL,
	action           TEXT NOT NULL,
	purpose          TEXT NOT NULL DEFAULT '',
	reason           TEXT NOT NULL DEFAULT '',
	subjects         TEXT,
	fields_requested TEXT,
	fields_returned  TEXT,
	decision         TEXT NOT NULL,
	decisions        TEXT,
	request_id       TEXT NOT NULL DEFAULT '',
	count            INTEGER NOT NULL DEFAULT 0,
	prev_hash        BLOB NOT NULL,
	hash             BLOB NOT NULL
) STRICT;
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);

-- Which events name which subject, for "every access to my data" (R-29).
CREATE TABLE audit_subjects (
	subject_id TEXT NOT NULL,
	seq        INTEGER NOT NULL REFERENCES audit_events (seq),
	PRIMARY KEY (subject_id, seq)
) STRICT, WITHOUT ROWID;

-- Staff, service accounts and the subject in the portal. API keys only as SHA-256.
CREATE TABLE actors (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	role       TEXT NOT NULL,
	key_hash   BLOB UNIQUE,
	created_at INTEGER
) STRICT;

-- Deletions of subject rows since the last VACUUM. secure_delete zeroes a deleted row,
-- but a row that SQLite moved to another page when it rebalanced the B-tree earlier
-- leaves a copy in the old page's unused space, which secure_delete does not reach;
-- only rebuilding the file removes it. Compact runs VACUUM while this count is not
-- zero (sqlite.DB.Compact).
CREATE TABLE compaction (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	dirty INTEGER NOT NULL
) STRICT;
INSERT INTO compaction (id, dirty) VALUES (1, 0);
CREATE TRIGGER subjects_deleted AFTER DELETE ON subjects
BEGIN
	UPDATE compaction SET dirty = dirty + 1 WHERE id = 1;
END;
