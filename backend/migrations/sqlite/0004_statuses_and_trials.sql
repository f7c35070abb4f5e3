-- How each trial ended (shared::RecordStatus); rows stored before this column get the status
-- their data implies (a panicked trial was not stored before, so none is "crashed").
ALTER TABLE experiment_records ADD COLUMN status TEXT NOT NULL DEFAULT 'ok';
UPDATE experiment_records SET status = CASE
    WHEN error IS NULL THEN 'ok'
    WHEN raw_output IS NOT NULL THEN 'invalid_output'
    ELSE 'call_failed'
END;
-- A trial is one record × repetition; "task" now means only an async run.
ALTER TABLE experiments RENAME COLUMN total_tasks TO total_trials;
