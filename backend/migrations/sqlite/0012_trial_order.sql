-- Pages of an experiment's trials worst first (by overall score) and searched by record id
-- read these indexes, not the whole experiment.
CREATE INDEX experiment_records_overall
    ON experiment_records(experiment_id, overall, record_index, repetition);
CREATE INDEX experiment_records_record_id
    ON experiment_records(experiment_id, record_id);
