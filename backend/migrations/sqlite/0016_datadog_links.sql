-- Which Datadog dataset version a local dataset version is the same as, per Datadog site
-- and project: pulled from it (a run reuses the copy while Datadog's version is unchanged)
-- or pushed to it (an experiment on the local version is registered against it).
CREATE TABLE datadog_links (
    dataset_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    site TEXT NOT NULL,
    project_id TEXT NOT NULL,
    datadog_dataset_id TEXT NOT NULL,
    datadog_version INTEGER NOT NULL,
    -- 'pulled' or 'pushed'
    direction TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (dataset_id, version, site, project_id),
    FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
);
CREATE INDEX datadog_links_by_remote ON datadog_links(datadog_dataset_id, datadog_version);
