-- A version is written in bounded batches (so a big upload never holds the write lock for
-- long) and becomes visible only once complete. Versions stored before this are complete.
ALTER TABLE dataset_versions ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
