-- 0008_import_content: the version of a source row that an import key first imported
-- (issue 4 follow-up). A row keyed by its source system's ID (the source_id column) that
-- comes again with other values is a change of that record, not a row already imported;
-- content is the import-key MAC (seal.Keyring.ImportKey) of the row's normalised values,
-- consents, channel and collection time, so it holds no personal value (invariant 2).
-- Later versions are import keys of their own (gate.versionKey), stored without one.
-- NULL for keys stored before this migration and for version keys: such a key, found
-- again, is a row already imported.
ALTER TABLE import_keys ADD COLUMN content BLOB;
