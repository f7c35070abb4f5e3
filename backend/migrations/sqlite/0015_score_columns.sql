-- A finished experiment's scores as compact columns (record id, repetition, overall, one value
-- per evaluator, and a glance of each first repetition), written once when it finishes, in
-- chunks of a few thousand trials so neither writing nor reading holds them twice: a
-- comparison reads these instead of every trial's row. Chunk -1 says how many chunks there
-- are and is written last: columns without it are incomplete and not read.
CREATE TABLE experiment_score_columns (
    experiment_id TEXT NOT NULL REFERENCES experiments(id),
    chunk INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (experiment_id, chunk)
);
