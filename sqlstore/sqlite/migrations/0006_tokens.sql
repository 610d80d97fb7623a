-- 0006_tokens: redaction tokens (issue 8). A value found by the PII scanner and replaced
-- by a token "jgt_…" is kept here so that an authorised actor can resolve it through the
-- gate. No column holds the token or the value in plaintext (invariant 2): token_index is
-- the keyed hash of the token, sealed the value under the token's own key, which is
-- stored only wrapped by the KEK. subject_id is the subject the value belongs to when the
-- gate could tell; erasing the subject deletes its tokens (invariant 4).

CREATE TABLE tokens (
	token_index BLOB PRIMARY KEY,
	kind        TEXT NOT NULL,
	subject_id  TEXT NOT NULL DEFAULT '',
	wrapped_key BLOB NOT NULL,
	sealed      BLOB NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_subject ON tokens (subject_id) WHERE subject_id <> '';
