-- A trial's raw and parsed output move to the end of its row. SQLite reads a column by
-- walking the row from its start, through the overflow pages of any large value before it:
-- with the ~9 KB raw output fourth, reading a trial's scores (summaries, comparisons) read
-- the whole row, ~13 KB a trial. After the outputs, the rest sits in the row's first page.
CREATE TABLE experiment_records_new (
    experiment_id TEXT NOT NULL REFERENCES experiments(id),
    record_index INTEGER NOT NULL,
    repetition INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    overall REAL NOT NULL,
    latency_ms REAL NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    thinking_tokens INTEGER,
    retries INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL,
    cached INTEGER NOT NULL DEFAULT 0,
    output_hash INTEGER,
    judge_input_tokens INTEGER,
    judge_output_tokens INTEGER,
    judge_thinking_tokens INTEGER,
    judge_cost_usd REAL,
    judge_cached INTEGER,
    created_at TEXT NOT NULL,
    error TEXT,
    scores TEXT NOT NULL,
    raw_output TEXT,
    output TEXT,
    PRIMARY KEY (experiment_id, record_index, repetition)
);

INSERT INTO experiment_records_new (experiment_id, record_index, repetition, record_id, status,
    overall, latency_ms, input_tokens, output_tokens, thinking_tokens, retries, cost_usd, cached,
    output_hash, judge_input_tokens, judge_output_tokens, judge_thinking_tokens, judge_cost_usd,
    judge_cached, created_at, error, scores, raw_output, output)
SELECT experiment_id, record_index, repetition, record_id, status,
    overall, latency_ms, input_tokens, output_tokens, thinking_tokens, retries, cost_usd, cached,
    output_hash, judge_input_tokens, judge_output_tokens, judge_thinking_tokens, judge_cost_usd,
    judge_cached, created_at, error, scores, raw_output, output
FROM experiment_records;

DROP TABLE experiment_records;
ALTER TABLE experiment_records_new RENAME TO experiment_records;

CREATE INDEX experiment_records_failed
    ON experiment_records(experiment_id, record_index, repetition) WHERE error IS NOT NULL;
CREATE INDEX experiment_records_overall
    ON experiment_records(experiment_id, overall, record_index, repetition);
CREATE INDEX experiment_records_record_id
    ON experiment_records(experiment_id, record_id);
