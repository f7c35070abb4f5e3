-- Whether a record's label breaks an identity (the label audit), stored with the record so a
-- page of only the flagged records reads this partial index instead of auditing the whole
-- version. NULL: stored before this column; audited and set the first time it is asked for.
ALTER TABLE dataset_records ADD COLUMN flagged INTEGER;
CREATE INDEX dataset_records_flagged
    ON dataset_records(dataset_id, version, position) WHERE flagged = 1;
