-- Pages of an experiment's trials worst first (by overall score) read the first index; a
-- record id search (instr, no prefix) scans the second, narrow and covering, instead of
-- every trial's row.
CREATE INDEX experiment_records_overall
    ON experiment_records(experiment_id, overall, record_index, repetition);
CREATE INDEX experiment_records_record_id
    ON experiment_records(experiment_id, record_id);
