-- The audit log becomes a Merkle tree (issue 5, package auditlog); see the SQLite
-- migration of the same number for the meaning of each table.
ALTER TABLE audit_events RENAME TO audit_chain_v1;
ALTER TABLE audit_subjects RENAME TO audit_chain_v1_subjects;

CREATE TABLE audit_log (
	first_seq BIGINT PRIMARY KEY,
	n         INTEGER NOT NULL,
	data      BYTEA NOT NULL,
	hashes    BYTEA NOT NULL,
	edge      BYTEA NOT NULL
);

CREATE TABLE audit_members (
	seq     BIGINT PRIMARY KEY,
	members BYTEA NOT NULL
);

CREATE TABLE audit_subject_index (
	epoch   BIGINT NOT NULL,
	subject BYTEA NOT NULL,
	seq     BIGINT NOT NULL,
	pos     INTEGER NOT NULL,
	PRIMARY KEY (epoch, subject, seq)
);

CREATE TABLE audit_head (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	checkpoint_size BIGINT NOT NULL,
	indexed_size    BIGINT NOT NULL
);
INSERT INTO audit_head (id, checkpoint_size, indexed_size) VALUES (1, 0, 0);

CREATE TABLE audit_checkpoints (
	size BIGINT PRIMARY KEY,
	time BIGINT NOT NULL,
	note BYTEA NOT NULL
);
