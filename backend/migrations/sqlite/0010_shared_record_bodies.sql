-- A version that changes one label keeps every other record by reference: its row holds no
-- body and names the version whose row does (never a chain: the reference is to the row
-- that holds the body). Versions are never deleted once complete, so references hold.
ALTER TABLE dataset_records ADD COLUMN body_version INTEGER;
