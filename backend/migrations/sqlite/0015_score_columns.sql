-- A finished experiment's scores as compact columns (record id, repetition, overall, one value
-- per evaluator, and a glance of each first repetition), written once when it finishes:
-- a comparison reads two of these instead of every trial's row.
CREATE TABLE experiment_score_columns (
    experiment_id TEXT PRIMARY KEY REFERENCES experiments(id),
    body BLOB NOT NULL,
    created_at TEXT NOT NULL
);
