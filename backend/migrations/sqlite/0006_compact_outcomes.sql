-- Trials are stored compact from here on: a trial keeps its failing field checks only (the
-- passing ones are derived again when a page shows them), and its parsed output only when it
-- is not the raw output itself. Per-field accuracy, which needs every check, is counted as
-- trials are committed, in the same transaction, into this table (fields pooled over rows;
-- rows counted before this migration keep their raw paths, pooled when read).
CREATE TABLE experiment_field_tally (
    experiment_id TEXT NOT NULL,
    field TEXT NOT NULL,
    correct INTEGER NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, field)
) WITHOUT ROWID;

INSERT INTO experiment_field_tally (experiment_id, field, correct, total)
SELECT r.experiment_id, json_extract(d.value, '$.field'),
       SUM(json_extract(d.value, '$.ok')), COUNT(*)
FROM experiment_records r, json_each(r.scores, '$.scores') s, json_each(s.value, '$.details') d
WHERE EXISTS (
    SELECT 1 FROM json_each(r.scores, '$.scores') h
    WHERE json_extract(h.value, '$.name') = 'has_no_errors' AND json_extract(h.value, '$.value') = 1
)
GROUP BY r.experiment_id, json_extract(d.value, '$.field');
