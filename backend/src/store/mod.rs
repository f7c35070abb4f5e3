//! Persistence behind one trait, so the embedded SQLite default and a PostgreSQL backend
//! (a later issue) are interchangeable. Every finished record is committed as it finishes.

mod sqlite;

use std::collections::HashSet;

use async_trait::async_trait;
use shared::{
    DatasetDetail, DatasetInfo, DatasetRecord, DatasetVersionInfo, ExperimentRunRequest,
    ExperimentRunResponse, ExperimentSummary, ModelConfig,
};

use crate::runner::RecordOutcome;

pub use sqlite::SqliteStore;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Current time as stored (RFC 3339, UTC, milliseconds).
pub fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Result of store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// A run as stored.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: String,
    /// "sync" or "async".
    pub mode: String,
    /// queued | running | completed | failed | cancelled
    pub status: String,
    pub request: ExperimentRunRequest,
    pub dataset_id: String,
    pub dataset_name: String,
    pub dataset_version: u32,
    pub dataset_size: u64,
    pub response: Option<ExperimentRunResponse>,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// An experiment as stored.
#[derive(Debug, Clone)]
pub struct ExperimentRow {
    pub id: String,
    pub run_id: String,
    pub position: u32,
    pub name: String,
    pub project_name: String,
    pub dataset_name: String,
    pub dataset_version: u32,
    pub config: ModelConfig,
    /// Extraction prompt version ("n/a" for the built-in rules).
    pub prompt_version: String,
    pub jobs: u32,
    pub repetitions: u32,
    pub raise_errors: bool,
    pub total_tasks: u64,
    /// running | success | failed | cancelled
    pub status: String,
    pub error: Option<String>,
    pub summary: Option<ExperimentSummary>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// Filters of the experiment history.
#[derive(Debug, Clone, Default)]
pub struct ExperimentFilter {
    pub project: Option<String>,
    pub dataset: Option<String>,
    pub model: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

/// Everything the server keeps.
#[async_trait]
pub trait Store: Send + Sync {
    /// Every dataset with its newest version.
    async fn list_datasets(&self) -> StoreResult<Vec<DatasetInfo>>;
    /// One dataset with all its versions.
    async fn dataset_detail(&self, name: &str) -> StoreResult<DatasetDetail>;
    /// Stores `records` as the next version of `name`, creating the dataset if needed.
    async fn create_dataset_version(
        &self,
        name: &str,
        description: &str,
        note: &str,
        records: &[DatasetRecord],
    ) -> StoreResult<DatasetVersionInfo>;
    /// The records of a version (the newest when `version` is None).
    async fn dataset_records(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> StoreResult<(DatasetInfo, DatasetVersionInfo, Vec<DatasetRecord>)>;

    async fn create_run(&self, run: &RunRow) -> StoreResult<()>;
    async fn update_run(
        &self,
        id: &str,
        status: &str,
        response: Option<&ExperimentRunResponse>,
        error: Option<&str>,
    ) -> StoreResult<()>;
    async fn get_run(&self, id: &str) -> StoreResult<RunRow>;
    /// Runs that were queued or running when the server stopped.
    async fn unfinished_runs(&self) -> StoreResult<Vec<RunRow>>;

    async fn create_experiment(&self, e: &ExperimentRow) -> StoreResult<()>;
    async fn finish_experiment(
        &self,
        id: &str,
        status: &str,
        error: Option<&str>,
        summary: &ExperimentSummary,
    ) -> StoreResult<()>;
    async fn get_experiment(&self, id: &str) -> StoreResult<ExperimentRow>;
    async fn run_experiments(&self, run_id: &str) -> StoreResult<Vec<ExperimentRow>>;
    /// Newest first.
    async fn list_experiments(
        &self,
        f: &ExperimentFilter,
    ) -> StoreResult<(Vec<ExperimentRow>, u64)>;

    /// Commits finished record tasks in one transaction; a task already stored is kept.
    async fn insert_outcomes(
        &self,
        experiment_id: &str,
        outcomes: &[RecordOutcome],
    ) -> StoreResult<()>;
    /// Every stored outcome of an experiment, by record then repetition.
    async fn outcomes(&self, experiment_id: &str) -> StoreResult<Vec<RecordOutcome>>;
    /// One page of outcomes; `errors_only` keeps failed tasks.
    async fn outcomes_page(
        &self,
        experiment_id: &str,
        offset: u64,
        limit: u64,
        errors_only: bool,
    ) -> StoreResult<(Vec<RecordOutcome>, u64)>;
    /// (record_index, repetition) of every stored task.
    async fn done_tasks(&self, experiment_id: &str) -> StoreResult<HashSet<(usize, u32)>>;

    /// A cached model response body.
    async fn cache_get(&self, key: &str) -> StoreResult<Option<String>>;
    /// Caches a model response body (first write wins).
    async fn cache_put(&self, key: &str, model: &str, body: &str) -> StoreResult<()>;
}
