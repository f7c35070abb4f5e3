-- A dataset version pulled from Datadog LLM Observability keeps the Datadog dataset id and
-- version it was read from: a later run at the same Datadog version reuses it instead of
-- pulling again.
ALTER TABLE dataset_versions ADD COLUMN datadog_dataset_id TEXT;
ALTER TABLE dataset_versions ADD COLUMN datadog_version INTEGER;
CREATE INDEX dataset_versions_by_datadog ON dataset_versions(datadog_dataset_id, datadog_version)
    WHERE datadog_dataset_id IS NOT NULL;
