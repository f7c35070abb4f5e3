-- Reads that filter an experiment's trials without scanning them: failed trials through a
-- partial index, and trials by a field they got wrong through this table (fields pooled over
-- rows as per-field accuracy shows them; trials stored before it keep their raw paths).
CREATE INDEX experiment_records_failed
    ON experiment_records(experiment_id, record_index, repetition) WHERE error IS NOT NULL;

CREATE TABLE trial_failed_fields (
    experiment_id TEXT NOT NULL,
    field TEXT NOT NULL,
    record_index INTEGER NOT NULL,
    repetition INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, field, record_index, repetition)
) WITHOUT ROWID;

INSERT OR IGNORE INTO trial_failed_fields (experiment_id, field, record_index, repetition)
SELECT r.experiment_id, json_extract(d.value, '$.field'), r.record_index, r.repetition
FROM experiment_records r, json_each(r.scores, '$.scores') s, json_each(s.value, '$.details') d
WHERE json_extract(d.value, '$.ok') = 0;
