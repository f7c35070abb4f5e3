-- The PostgreSQL store's schema: the same tables and columns as the SQLite store after its
-- migrations 0001-0018 (backend/migrations/sqlite), so both answer the same queries. Flags
-- stay BIGINT 0/1 as in SQLite, so the two stores' SQL reads the same; times are RFC 3339
-- text (milliseconds, UTC), which sorts in time order; lease_until is unix milliseconds.

CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE dataset_versions (
    dataset_id TEXT NOT NULL REFERENCES datasets(id),
    version BIGINT NOT NULL,
    record_count BIGINT NOT NULL,
    label_issues BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    complete BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (dataset_id, version)
);

CREATE TABLE dataset_records (
    dataset_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    position BIGINT NOT NULL,
    record_id TEXT NOT NULL,
    -- '' when the body is shared with version body_version (see store/postgres/labels.rs)
    body TEXT NOT NULL,
    body_version BIGINT,
    flagged BIGINT,
    PRIMARY KEY (dataset_id, version, position),
    FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE UNIQUE INDEX dataset_records_by_id ON dataset_records(dataset_id, version, record_id);
CREATE INDEX dataset_records_flagged
    ON dataset_records(dataset_id, version, position) WHERE flagged = 1;

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    dataset_version BIGINT NOT NULL,
    dataset_size BIGINT NOT NULL,
    response TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    lease_owner TEXT,
    lease_until BIGINT,
    cancel_requested BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_status ON runs(status);

CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    project_name TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    dataset_version BIGINT NOT NULL,
    model TEXT NOT NULL,
    temperature DOUBLE PRECISION NOT NULL,
    config TEXT NOT NULL,
    jobs BIGINT NOT NULL,
    repetitions BIGINT NOT NULL,
    raise_errors BIGINT NOT NULL,
    total_trials BIGINT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    summary TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    prompt_version TEXT NOT NULL DEFAULT 'n/a'
);
CREATE INDEX experiments_by_created ON experiments(created_at DESC);
CREATE INDEX experiments_by_run ON experiments(run_id, position);

CREATE TABLE response_cache (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE experiment_field_tally (
    experiment_id TEXT NOT NULL,
    field TEXT NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, field)
);

CREATE TABLE trial_failed_fields (
    experiment_id TEXT NOT NULL,
    field TEXT NOT NULL,
    record_index BIGINT NOT NULL,
    repetition BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, field, record_index, repetition)
);

CREATE TABLE comparisons (
    ids TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE experiment_records (
    experiment_id TEXT NOT NULL REFERENCES experiments(id),
    record_index BIGINT NOT NULL,
    repetition BIGINT NOT NULL,
    record_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    overall DOUBLE PRECISION NOT NULL,
    latency_ms DOUBLE PRECISION NOT NULL,
    input_tokens BIGINT,
    output_tokens BIGINT,
    thinking_tokens BIGINT,
    retries BIGINT NOT NULL DEFAULT 0,
    cost_usd DOUBLE PRECISION,
    cached BIGINT NOT NULL DEFAULT 0,
    output_hash BIGINT,
    judge_input_tokens BIGINT,
    judge_output_tokens BIGINT,
    judge_thinking_tokens BIGINT,
    judge_cost_usd DOUBLE PRECISION,
    judge_cached BIGINT,
    created_at TEXT NOT NULL,
    error TEXT,
    scores TEXT NOT NULL,
    raw_output TEXT,
    output TEXT,
    -- Storage order, SQLite's rowid here: the Datadog export sends trials in this order.
    -- An experiment's trials are written by one replica, one batch at a time, so numbers
    -- become visible in order.
    trial_seq BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (experiment_id, record_index, repetition)
);
CREATE INDEX experiment_records_seq ON experiment_records(experiment_id, trial_seq);
CREATE INDEX experiment_records_failed
    ON experiment_records(experiment_id, record_index, repetition) WHERE error IS NOT NULL;
CREATE INDEX experiment_records_overall
    ON experiment_records(experiment_id, overall, record_index, repetition);
CREATE INDEX experiment_records_record_id
    ON experiment_records(experiment_id, record_id);

CREATE TABLE experiment_score_columns (
    experiment_id TEXT NOT NULL REFERENCES experiments(id),
    chunk BIGINT NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (experiment_id, chunk)
);

CREATE TABLE datadog_links (
    dataset_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    site TEXT NOT NULL,
    project_id TEXT NOT NULL,
    datadog_dataset_id TEXT NOT NULL,
    datadog_version BIGINT NOT NULL,
    -- 'pulled' or 'pushed'
    direction TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version, site, project_id),
    FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE INDEX datadog_links_by_remote ON datadog_links(datadog_dataset_id, datadog_version);

CREATE TABLE datadog_exports (
    experiment_id TEXT PRIMARY KEY REFERENCES experiments(id),
    site TEXT NOT NULL,
    project_name TEXT NOT NULL,
    -- 1 when the run's request carried its own Datadog API key (kept in memory only).
    own_key BIGINT NOT NULL DEFAULT 0,
    project_id TEXT,
    dataset_id TEXT,
    dataset_version BIGINT,
    remote_id TEXT,
    create_sent BIGINT NOT NULL DEFAULT 0,
    running_sent BIGINT NOT NULL DEFAULT 0,
    sent_seq BIGINT NOT NULL DEFAULT 0,
    sent_trials BIGINT NOT NULL DEFAULT 0,
    summary_sent BIGINT NOT NULL DEFAULT 0,
    -- pending | done | failed
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    -- Unix milliseconds before which the export is not tried again.
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX datadog_exports_due ON datadog_exports(next_attempt_at) WHERE state = 'pending';
