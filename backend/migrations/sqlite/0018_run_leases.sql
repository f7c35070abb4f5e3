-- Which replica executes an async run, and until when its lease holds (unix ms). A replica
-- renews its leases while it runs them; a run whose lease lapsed (its replica died) is
-- claimed by another, which resumes it from the trials stored. A cancel asked of a replica
-- that does not run it is left here for the one that does.
ALTER TABLE runs ADD COLUMN lease_owner TEXT;
ALTER TABLE runs ADD COLUMN lease_until INTEGER;
ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
