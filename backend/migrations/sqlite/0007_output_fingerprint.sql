-- A parsed output is no longer stored beside the raw output it was parsed from (it is parsed
-- again when shown); what repetition agreement compares is its fingerprint.
ALTER TABLE experiment_records ADD COLUMN output_hash INTEGER;
