-- Comparisons of finished experiments, computed once (finished experiments never change):
-- the comparison of a run's experiments is computed when the run ends.
CREATE TABLE comparisons (
    ids TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
