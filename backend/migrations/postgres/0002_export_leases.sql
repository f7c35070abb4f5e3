-- Which replica exports an experiment to Datadog, and until when (unix ms); see
-- backend/migrations/sqlite/0019_export_leases.sql.
ALTER TABLE datadog_exports ADD COLUMN lease_owner TEXT COLLATE "C";
ALTER TABLE datadog_exports ADD COLUMN lease_until BIGINT;
