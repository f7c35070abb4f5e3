-- Datasets are versioned: a new upload or a label correction creates a new version; old
-- versions stay, so an experiment always names the exact labels it was scored against.
CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE dataset_versions (
    dataset_id TEXT NOT NULL REFERENCES datasets(id),
    version INTEGER NOT NULL,
    record_count INTEGER NOT NULL,
    label_issues INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version)
);

CREATE TABLE dataset_records (
    dataset_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version, position),
    FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE UNIQUE INDEX dataset_records_by_id ON dataset_records(dataset_id, version, record_id);

-- A run is one request: sync or async, one experiment per model config.
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    dataset_version INTEGER NOT NULL,
    dataset_size INTEGER NOT NULL,
    response TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX runs_by_status ON runs(status);

CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    project_name TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    dataset_version INTEGER NOT NULL,
    model TEXT NOT NULL,
    temperature REAL NOT NULL,
    config TEXT NOT NULL,
    jobs INTEGER NOT NULL,
    repetitions INTEGER NOT NULL,
    raise_errors INTEGER NOT NULL,
    total_tasks INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    summary TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX experiments_by_created ON experiments(created_at DESC);
CREATE INDEX experiments_by_run ON experiments(run_id, position);

-- One row per finished record task, committed as it finishes.
CREATE TABLE experiment_records (
    experiment_id TEXT NOT NULL REFERENCES experiments(id),
    record_index INTEGER NOT NULL,
    repetition INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    raw_output TEXT,
    output TEXT,
    error TEXT,
    scores TEXT NOT NULL,
    overall REAL NOT NULL,
    latency_ms REAL NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    thinking_tokens INTEGER,
    retries INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (experiment_id, record_index, repetition)
);
