-- Which replica exports an experiment to Datadog, and until when (unix ms): replicas claim
-- due exports, so two never send the same batch, and a replica whose claim passed to another
-- can no longer save progress. An export with the run's own key is pinned to the replica
-- holding that key in memory (lease_owner set when queued).
ALTER TABLE datadog_exports ADD COLUMN lease_owner TEXT;
ALTER TABLE datadog_exports ADD COLUMN lease_until INTEGER;
