-- The Datadog export outbox: one row per experiment to send to Datadog LLM Observability.
-- The trials themselves are not copied: `sent_seq` is the rowid of the last trial row sent
-- (rowids grow in the order trials are stored), so the store stays the source of truth and
-- a restart resumes where the last acknowledged batch ended. tallylab never VACUUMs: a
-- VACUUM run by hand while an export is pending may renumber rows, and that export could
-- then skip trials.
CREATE TABLE datadog_exports (
    experiment_id TEXT PRIMARY KEY REFERENCES experiments(id),
    site TEXT NOT NULL,
    project_name TEXT NOT NULL,
    -- 1 when the run's request carried its own Datadog API key: it is kept in memory only,
    -- so after a restart the export cannot go on (it is never sent with another key).
    own_key INTEGER NOT NULL DEFAULT 0,
    project_id TEXT,
    dataset_id TEXT,
    dataset_version INTEGER,
    remote_id TEXT,
    -- 1 once a create was sent: if its answer was lost, the experiment is looked up
    -- before another create.
    create_sent INTEGER NOT NULL DEFAULT 0,
    running_sent INTEGER NOT NULL DEFAULT 0,
    sent_seq INTEGER NOT NULL DEFAULT 0,
    sent_trials INTEGER NOT NULL DEFAULT 0,
    summary_sent INTEGER NOT NULL DEFAULT 0,
    -- pending | done | failed
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    -- Unix milliseconds before which the export is not tried again.
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX datadog_exports_due ON datadog_exports(next_attempt_at) WHERE state = 'pending';
