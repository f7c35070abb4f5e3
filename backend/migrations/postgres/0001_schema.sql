-- The PostgreSQL store's schema: the same tables and columns as the SQLite store after its
-- migrations 0001-0018 (backend/migrations/sqlite), so both answer the same queries. Flags
-- stay BIGINT 0/1 as in SQLite, so the two stores' SQL reads the same; times are RFC 3339
-- text (milliseconds, UTC), which sorts in time order; lease_until is unix milliseconds.
-- Text compares byte by byte (COLLATE "C"), as in SQLite, whatever the server's locale.

CREATE TABLE datasets (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    description TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE dataset_versions (
    dataset_id TEXT COLLATE "C" NOT NULL REFERENCES datasets(id),
    version BIGINT NOT NULL,
    record_count BIGINT NOT NULL,
    label_issues BIGINT NOT NULL DEFAULT 0,
    note TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at TEXT COLLATE "C" NOT NULL,
    complete BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (dataset_id, version)
);

CREATE TABLE dataset_records (
    dataset_id TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    position BIGINT NOT NULL,
    record_id TEXT COLLATE "C" NOT NULL,
    -- '' when the body is shared with version body_version (see store/postgres/labels.rs)
    body TEXT COLLATE "C" NOT NULL,
    body_version BIGINT,
    flagged BIGINT,
    PRIMARY KEY (dataset_id, version, position),
    FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE UNIQUE INDEX dataset_records_by_id ON dataset_records(dataset_id, version, record_id);
CREATE INDEX dataset_records_flagged
    ON dataset_records(dataset_id, version, position) WHERE flagged = 1;

CREATE TABLE runs (
    id TEXT COLLATE "C" PRIMARY KEY,
    mode TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    request TEXT COLLATE "C" NOT NULL,
    dataset_id TEXT COLLATE "C" NOT NULL,
    dataset_name TEXT COLLATE "C" NOT NULL,
    dataset_version BIGINT NOT NULL,
    dataset_size BIGINT NOT NULL,
    response TEXT COLLATE "C",
    error TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C",
    lease_owner TEXT COLLATE "C",
    lease_until BIGINT,
    cancel_requested BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_status ON runs(status);

CREATE TABLE experiments (
    id TEXT COLLATE "C" PRIMARY KEY,
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs(id),
    position BIGINT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    project_name TEXT COLLATE "C" NOT NULL,
    dataset_name TEXT COLLATE "C" NOT NULL,
    dataset_version BIGINT NOT NULL,
    model TEXT COLLATE "C" NOT NULL,
    temperature DOUBLE PRECISION NOT NULL,
    config TEXT COLLATE "C" NOT NULL,
    jobs BIGINT NOT NULL,
    repetitions BIGINT NOT NULL,
    raise_errors BIGINT NOT NULL,
    total_trials BIGINT NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    error TEXT COLLATE "C",
    summary TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C",
    prompt_version TEXT COLLATE "C" NOT NULL DEFAULT 'n/a'
);
CREATE INDEX experiments_by_created ON experiments(created_at DESC);
CREATE INDEX experiments_by_run ON experiments(run_id, position);

CREATE TABLE response_cache (
    key TEXT COLLATE "C" PRIMARY KEY,
    model TEXT COLLATE "C" NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE experiment_field_tally (
    experiment_id TEXT COLLATE "C" NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, field)
);

CREATE TABLE trial_failed_fields (
    experiment_id TEXT COLLATE "C" NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    record_index BIGINT NOT NULL,
    repetition BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, field, record_index, repetition)
);

CREATE TABLE comparisons (
    ids TEXT COLLATE "C" PRIMARY KEY,
    body TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE experiment_records (
    experiment_id TEXT COLLATE "C" NOT NULL REFERENCES experiments(id),
    record_index BIGINT NOT NULL,
    repetition BIGINT NOT NULL,
    record_id TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL DEFAULT 'ok',
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
    created_at TEXT COLLATE "C" NOT NULL,
    error TEXT COLLATE "C",
    scores TEXT COLLATE "C" NOT NULL,
    raw_output TEXT COLLATE "C",
    output TEXT COLLATE "C",
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
    experiment_id TEXT COLLATE "C" NOT NULL REFERENCES experiments(id),
    chunk BIGINT NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (experiment_id, chunk)
);

CREATE TABLE datadog_links (
    dataset_id TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    site TEXT COLLATE "C" NOT NULL,
    project_id TEXT COLLATE "C" NOT NULL,
    datadog_dataset_id TEXT COLLATE "C" NOT NULL,
    datadog_version BIGINT NOT NULL,
    -- 'pulled' or 'pushed'
    direction TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (dataset_id, version, site, project_id),
    FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE INDEX datadog_links_by_remote ON datadog_links(datadog_dataset_id, datadog_version);

CREATE TABLE datadog_exports (
    experiment_id TEXT COLLATE "C" PRIMARY KEY REFERENCES experiments(id),
    site TEXT COLLATE "C" NOT NULL,
    project_name TEXT COLLATE "C" NOT NULL,
    -- 1 when the run's request carried its own Datadog API key (kept in memory only).
    own_key BIGINT NOT NULL DEFAULT 0,
    project_id TEXT COLLATE "C",
    dataset_id TEXT COLLATE "C",
    dataset_version BIGINT,
    remote_id TEXT COLLATE "C",
    create_sent BIGINT NOT NULL DEFAULT 0,
    running_sent BIGINT NOT NULL DEFAULT 0,
    sent_seq BIGINT NOT NULL DEFAULT 0,
    sent_trials BIGINT NOT NULL DEFAULT 0,
    summary_sent BIGINT NOT NULL DEFAULT 0,
    -- pending | done | failed
    state TEXT COLLATE "C" NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT COLLATE "C",
    -- Unix milliseconds before which the export is not tried again.
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX datadog_exports_due ON datadog_exports(next_attempt_at) WHERE state = 'pending';
