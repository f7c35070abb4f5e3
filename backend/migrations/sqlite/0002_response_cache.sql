-- Successful model responses by request hash: re-runs and resumes cost nothing.
CREATE TABLE response_cache (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

ALTER TABLE experiment_records ADD COLUMN cost_usd REAL;
ALTER TABLE experiment_records ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
