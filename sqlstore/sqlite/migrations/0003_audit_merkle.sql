-- The audit log becomes a Merkle tree (issue 5, package auditlog). The hash-chained
-- tables of 0001 are kept, renamed, as a read-only record of the events before this
-- migration; the new log starts empty.
ALTER TABLE audit_events RENAME TO audit_chain_v1;
ALTER TABLE audit_subjects RENAME TO audit_chain_v1_subjects;

-- One row per group commit (a batch of n events from first_seq on): data holds each
-- event's canonical encoding, prefixed by its length as an unsigned varint (the Merkle
-- leaf of an event is SHA-256(0x00 || encoding)); hashes the tree hashes stored with
-- each leaf in turn (32 bytes each; leaf i stores 1 + trailing ones of i). One row per
-- batch instead of per event is what keeps audit cheap. edge is the roots of the
-- tree's complete subtrees after the batch (32 bytes each, lowest level first): all the
-- next append needs, read from the last row. audit_members holds the 16-byte
-- subject IDs of a bulk event in subject-tree order. No values anywhere.
CREATE TABLE audit_log (
	first_seq INTEGER PRIMARY KEY,
	n         INTEGER NOT NULL,
	data      BLOB NOT NULL,
	hashes    BLOB NOT NULL,
	edge      BLOB NOT NULL
) STRICT;

CREATE TABLE audit_members (
	seq     INTEGER PRIMARY KEY,
	members BLOB NOT NULL
) STRICT;

-- Which events name which subject (16-byte ID), and where in the event: a subject's
-- access history without scanning the log (UU PDP Art 32, R-29). Rows are grouped by
-- epoch ((seq-1) / 65536) and written in batches of thousands of events, so that a batch
-- touches only the few pages of the current epoch however many subjects there are; a
-- look-up seeks once per epoch. Events after audit_head.indexed_size are not indexed
-- yet (at most a few thousand) and are read from audit_log.
CREATE TABLE audit_subject_index (
	epoch   INTEGER NOT NULL,
	subject BLOB NOT NULL,
	seq     INTEGER NOT NULL,
	pos     INTEGER NOT NULL,
	PRIMARY KEY (epoch, subject, seq)
) STRICT, WITHOUT ROWID;

-- The size of the largest checkpoint and how many events the subject index covers,
-- updated only when they change. Appenders lock this row first (SQLite: the write
-- transaction; PostgreSQL: SELECT … FOR UPDATE), so that they take turns and never hash
-- over a stale size, without writing a page of it per batch.
CREATE TABLE audit_head (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	checkpoint_size INTEGER NOT NULL,
	indexed_size    INTEGER NOT NULL
) STRICT;
INSERT INTO audit_head (id, checkpoint_size, indexed_size) VALUES (1, 0, 0);

-- Signed checkpoints (C2SP tlog-checkpoint notes), one per tree size.
CREATE TABLE audit_checkpoints (
	size INTEGER PRIMARY KEY,
	time INTEGER NOT NULL,
	note BLOB NOT NULL
) STRICT;
