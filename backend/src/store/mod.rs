//! Persistence, split by role: datasets, runs, experiments with their trial outcomes, the
//! response cache and the Datadog export outbox. Each role is a trait a backend implements
//! directly (the embedded SQLite default, or PostgreSQL for several replicas), and [`Store`]
//! is any type with every role. Every finished trial is committed as it finishes.

mod error;
mod exports;
mod filters;
mod postgres;
mod rows;
mod sqlite;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use shared::{
    DatasetDetail, DatasetInfo, DatasetRecord, DatasetVersionInfo, ExperimentRunResponse,
    ExperimentStatus, ExperimentSummary, RunStatus,
};

use crate::eval::table::FieldTally;
use crate::outcome::RecordOutcome;

pub use error::StoreError;
pub use exports::{
    DatadogLink, DatadogOrigin, ExportBacklog, ExportRow, ExportStore, LinkDirection, StoredTrial,
};
pub use filters::{
    ExperimentFacets, ExperimentFilter, ExperimentOrder, RecordSelection, TrialFilter, TrialOrder,
};
pub use postgres::PgStore;
pub use rows::{ExperimentRow, LabelEdit, PendingVersion, RunRow};
pub use sqlite::SqliteStore;

/// Whether a `DATABASE_URL` names a PostgreSQL database (else it is SQLite).
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Current time as stored (RFC 3339, UTC, milliseconds).
pub fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Result of store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// Datasets and their immutable versions.
#[async_trait]
pub trait DatasetStore: Send + Sync {
    /// Every dataset with its newest version.
    async fn list_datasets(&self) -> StoreResult<Vec<DatasetInfo>>;
    /// One dataset with all its versions.
    async fn dataset_detail(&self, name: &str) -> StoreResult<DatasetDetail>;
    /// Stores `records` as the next version of `name`, creating the dataset if needed;
    /// `label_issues` is how many of their labels break an identity (the caller audits
    /// them, once).
    async fn create_dataset_version(
        &self,
        name: &str,
        description: &str,
        note: &str,
        records: &[DatasetRecord],
        label_issues: u64,
    ) -> StoreResult<DatasetVersionInfo> {
        const BATCH: usize = 500;
        let pending = self.begin_version(name, description, note).await?;
        for (batch, chunk) in records.chunks(BATCH).enumerate() {
            if let Err(e) = self
                .append_records(&pending, (batch * BATCH) as u64, chunk)
                .await
            {
                self.discard_version(&pending).await;
                return Err(e);
            }
        }
        self.complete_version(&pending, records.len() as u64, label_issues)
            .await
    }
    /// Starts the next version of `name` (creating the dataset if needed): records are then
    /// appended in batches, and the version becomes visible when completed. A version never
    /// completed (discarded, or cut short by a crash) is removed.
    async fn begin_version(
        &self,
        name: &str,
        description: &str,
        note: &str,
    ) -> StoreResult<PendingVersion>;
    /// Stores one batch of a pending version's records from position `first_position`.
    async fn append_records(
        &self,
        version: &PendingVersion,
        first_position: u64,
        records: &[DatasetRecord],
    ) -> StoreResult<()>;
    /// Makes a pending version visible with its record count and label issues.
    async fn complete_version(
        &self,
        version: &PendingVersion,
        record_count: u64,
        label_issues: u64,
    ) -> StoreResult<DatasetVersionInfo>;
    /// Removes a pending version and whatever of it was stored.
    async fn discard_version(&self, version: &PendingVersion);
    /// Records that version `version` of dataset `dataset_id` (local ids) is the same as
    /// Datadog's `origin` in `link`'s site and project: pulled from it, or pushed to it.
    async fn set_datadog_link(
        &self,
        dataset_id: &str,
        version: u32,
        link: &DatadogLink<'_>,
        origin: &DatadogOrigin,
        how: LinkDirection,
    ) -> StoreResult<()>;
    /// The Datadog dataset version a local version is the same as in a site and project.
    async fn datadog_link(
        &self,
        dataset_id: &str,
        version: u32,
        link: &DatadogLink<'_>,
    ) -> StoreResult<Option<DatadogOrigin>>;
    /// Whether the newest complete version of `name` was pulled from Datadog; `None` when
    /// the dataset does not exist.
    async fn newest_is_pulled(&self, name: &str) -> StoreResult<Option<bool>>;
    /// The newest complete local version of `name` linked `how` to Datadog, narrowed to a
    /// site and project, a Datadog dataset and a Datadog version when given.
    async fn linked_version(
        &self,
        name: &str,
        how: LinkDirection,
        link: Option<&DatadogLink<'_>>,
        datadog_dataset_id: Option<&str>,
        datadog_version: Option<u32>,
    ) -> StoreResult<Option<u32>>;
    /// Saves a new version in which record `record_id` has `expected_output` as its label
    /// and `review` (plus `from_version`) as its `metadata.review`, every other record
    /// unchanged. It builds on
    /// the newest version; when `base_version` is given and is not the newest, nothing is
    /// written and the answer is a conflict (the label would be corrected on stale data).
    async fn correct_label(&self, correction: LabelEdit<'_>) -> StoreResult<DatasetVersionInfo>;
    /// A version (the newest when `version` is None) and up to `limit` of its records from
    /// position `offset`: one page, never the whole version.
    async fn dataset_records(
        &self,
        name: &str,
        version: Option<u32>,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(DatasetInfo, DatasetVersionInfo, Vec<DatasetRecord>)> {
        let detail = self.dataset_detail(name).await?;
        let wanted = version.unwrap_or(detail.info.latest_version);
        let Some(v) = detail
            .versions
            .iter()
            .find(|v| v.version == wanted)
            .cloned()
        else {
            let have: Vec<String> = detail
                .versions
                .iter()
                .map(|v| v.version.to_string())
                .collect();
            return Err(StoreError::NotFound(format!(
                "Failed to load dataset \"{name}\" version {wanted}: no such version (available: {})",
                have.join(", ")
            )));
        };
        let records = self
            .dataset_records_at(&detail.info.dataset_id, wanted, offset, limit)
            .await?;
        Ok((detail.info, v, records))
    }

    /// Up to `limit` records of dataset `dataset_id` version `version` from position
    /// `offset`, in order.
    async fn dataset_records_at(
        &self,
        dataset_id: &str,
        version: u32,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<DatasetRecord>>;
    /// Up to `limit` of the records of dataset `dataset_id` version `version` that `only`
    /// selects, from the `offset`-th of them, in order; and how many it selects.
    async fn dataset_records_where(
        &self,
        dataset_id: &str,
        version: u32,
        only: &RecordSelection,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(Vec<DatasetRecord>, u64)>;
    /// The records of dataset `name` version `version` whose ids are among `ids` (those that
    /// exist, in no particular order): one page's worth, without reading the version.
    async fn dataset_records_by_id(
        &self,
        name: &str,
        version: u32,
        ids: &[&str],
    ) -> StoreResult<Vec<DatasetRecord>>;
}

/// Runs: one request each, sync or async.
#[async_trait]
pub trait RunStore: Send + Sync {
    async fn create_run(&self, run: &RunRow) -> StoreResult<()>;
    /// Sets the status; a terminal status also sets `finished_at`. `response` and `error`
    /// are kept when `None`.
    async fn update_run(
        &self,
        id: &str,
        status: RunStatus,
        response: Option<&ExperimentRunResponse>,
        error: Option<&str>,
    ) -> StoreResult<()>;
    async fn get_run(&self, id: &str) -> StoreResult<RunRow>;
    /// Async runs that were queued or running when the server stopped.
    async fn unfinished_runs(&self) -> StoreResult<Vec<RunRow>>;
    /// Claims for `owner` until `until` (unix ms) the unfinished async runs no replica
    /// holds: never leased, released, leased by `owner` itself (its previous life), or
    /// with a lease that lapsed before `now`. `id` limits the claim to one run.
    async fn claim_runs(
        &self,
        owner: &str,
        id: Option<&str>,
        now: i64,
        until: i64,
    ) -> StoreResult<Vec<RunRow>>;
    /// Extends `owner`'s lease of run `id` to `until`; `None` when another replica holds
    /// it now, else whether a cancel was asked of another replica.
    async fn renew_lease(&self, owner: &str, id: &str, until: i64) -> StoreResult<Option<bool>>;
    /// Gives `owner`'s lease of run `id` back, for the next owner to claim at once.
    async fn release_lease(&self, owner: &str, id: &str) -> StoreResult<()>;
    /// Asks the replica running run `id` to cancel it.
    async fn request_cancel(&self, id: &str) -> StoreResult<()>;
    /// How many runs there are in each status.
    async fn run_counts(&self) -> StoreResult<Vec<(RunStatus, u64)>>;
    /// Answers when the database can be reached (readiness).
    async fn ping(&self) -> StoreResult<()>;
}

/// Experiments and the outcome of each of their trials.
#[async_trait]
pub trait ExperimentStore: Send + Sync {
    async fn create_experiment(&self, e: &ExperimentRow) -> StoreResult<()>;
    /// Sets the status of an experiment that has not finished.
    async fn set_experiment_status(&self, id: &str, status: ExperimentStatus) -> StoreResult<()>;
    /// Ends an experiment; `summary` is kept when `None`.
    async fn finish_experiment(
        &self,
        id: &str,
        status: ExperimentStatus,
        error: Option<&str>,
        summary: Option<&ExperimentSummary>,
    ) -> StoreResult<()>;
    async fn get_experiment(&self, id: &str) -> StoreResult<ExperimentRow>;
    async fn run_experiments(&self, run_id: &str) -> StoreResult<Vec<ExperimentRow>>;
    /// The page of the history `f` asks for, in its order.
    async fn list_experiments(
        &self,
        f: &ExperimentFilter,
    ) -> StoreResult<(Vec<ExperimentRow>, u64)>;
    /// Every project, dataset and model any experiment has, sorted.
    async fn experiment_facets(&self) -> StoreResult<ExperimentFacets>;

    /// Commits finished trials in one transaction; a trial already stored is kept.
    async fn insert_outcomes(
        &self,
        experiment_id: &str,
        outcomes: &[RecordOutcome],
    ) -> StoreResult<()>;
    /// Up to `limit` stored trials after `after` (record index, repetition), in that order,
    /// without their raw and parsed outputs: what a summary streams through.
    async fn score_page(
        &self,
        experiment_id: &str,
        after: Option<(usize, u32)>,
        limit: u64,
    ) -> StoreResult<Vec<RecordOutcome>>;
    /// The first-repetition trials of the given records (those stored), without outputs.
    async fn scores_of_records(
        &self,
        experiment_id: &str,
        record_ids: &[&str],
    ) -> StoreResult<Vec<RecordOutcome>>;
    /// Per-field checks of the experiment's parsed trials, counted as they were committed.
    async fn field_tally(&self, experiment_id: &str) -> StoreResult<FieldTally>;
    /// Share of repeated records whose repetitions agree (see `runner::SummaryBuilder`);
    /// `None` when no record ran more than once.
    async fn repetition_agreement(&self, experiment_id: &str) -> StoreResult<Option<f64>>;
    /// Every stored outcome of an experiment, by record then repetition.
    async fn outcomes(&self, experiment_id: &str) -> StoreResult<Vec<RecordOutcome>>;
    /// One page of the outcomes `filter` keeps, and how many it keeps.
    async fn outcomes_page(
        &self,
        experiment_id: &str,
        offset: u64,
        limit: u64,
        filter: &TrialFilter,
    ) -> StoreResult<(Vec<RecordOutcome>, u64)>;
    /// How many trials are stored.
    async fn trial_count(&self, experiment_id: &str) -> StoreResult<u64>;
    /// (record_index, repetition) of every stored trial.
    async fn done_trials(&self, experiment_id: &str) -> StoreResult<HashSet<(usize, u32)>>;
}

/// A model response body to cache under its request's key.
#[derive(Debug, Clone)]
pub struct CacheEntry {
    /// The request's key (`providers::cache::cache_key`).
    pub key: String,
    /// The model (server and name) that answered.
    pub model: String,
    /// The response body as received (shared with the cache's memory until written).
    pub body: Arc<str>,
}

/// Model responses by request content (see `providers::cache`), and comparisons.
#[async_trait]
pub trait CacheStore: Send + Sync {
    /// A cached model response body.
    async fn cache_get(&self, key: &str) -> StoreResult<Option<String>>;
    /// Caches model response bodies in one transaction (first write of a key wins).
    async fn cache_put_many(&self, entries: &[CacheEntry]) -> StoreResult<()>;
    /// A stored comparison of finished experiments, by their ids in order ("a,b,c").
    async fn comparison_get(&self, ids: &str) -> StoreResult<Option<String>>;
    /// Stores a comparison of finished experiments.
    async fn comparison_put(&self, ids: &str, body: &str) -> StoreResult<()>;
    /// One chunk of an experiment's stored score columns (see `service::stored_scores`).
    async fn score_columns_get(
        &self,
        experiment_id: &str,
        chunk: i64,
    ) -> StoreResult<Option<Vec<u8>>>;
    /// Stores one chunk of an experiment's score columns.
    async fn score_columns_put(
        &self,
        experiment_id: &str,
        chunk: i64,
        body: &[u8],
    ) -> StoreResult<()>;
    /// Removes an experiment's stored score columns (before they are written again).
    async fn score_columns_clear(&self, experiment_id: &str) -> StoreResult<()>;
}

/// Everything the server keeps: a backend with every role.
pub trait Store: DatasetStore + RunStore + ExperimentStore + CacheStore + ExportStore {}

impl<T: DatasetStore + RunStore + ExperimentStore + CacheStore + ExportStore> Store for T {}
