//! The embedded default: SQLite through sqlx, WAL mode, migrations run at open.

mod datasets;
mod experiments;
mod runs;

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use shared::{
    DatasetDetail, DatasetInfo, DatasetRecord, DatasetVersionInfo, ExperimentRunResponse,
    ExperimentSummary,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::{ExperimentFilter, ExperimentRow, RunRow, Store, StoreError, StoreResult};
use crate::runner::RecordOutcome;

/// SQLite-backed [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// Current time as stored (RFC 3339, UTC, milliseconds).
pub(crate) fn now() -> String {
    super::timestamp()
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and runs the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a commit survives a process crash; only an OS crash can lose
            // the last transactions, and it never corrupts the database.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(sqlx::Error::Migrate(Box::new(e))))?;
        Ok(SqliteStore { pool })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn list_datasets(&self) -> StoreResult<Vec<DatasetInfo>> {
        self.list_datasets_impl().await
    }
    async fn dataset_detail(&self, name: &str) -> StoreResult<DatasetDetail> {
        self.dataset_detail_impl(name).await
    }
    async fn create_dataset_version(
        &self,
        name: &str,
        description: &str,
        note: &str,
        records: &[DatasetRecord],
    ) -> StoreResult<DatasetVersionInfo> {
        self.create_dataset_version_impl(name, description, note, records)
            .await
    }
    async fn dataset_records(
        &self,
        name: &str,
        version: Option<u32>,
    ) -> StoreResult<(DatasetInfo, DatasetVersionInfo, Vec<DatasetRecord>)> {
        self.dataset_records_impl(name, version).await
    }
    async fn create_run(&self, run: &RunRow) -> StoreResult<()> {
        self.create_run_impl(run).await
    }
    async fn update_run(
        &self,
        id: &str,
        status: &str,
        response: Option<&ExperimentRunResponse>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        self.update_run_impl(id, status, response, error).await
    }
    async fn get_run(&self, id: &str) -> StoreResult<RunRow> {
        self.get_run_impl(id).await
    }
    async fn unfinished_runs(&self) -> StoreResult<Vec<RunRow>> {
        self.unfinished_runs_impl().await
    }
    async fn create_experiment(&self, e: &ExperimentRow) -> StoreResult<()> {
        self.create_experiment_impl(e).await
    }
    async fn finish_experiment(
        &self,
        id: &str,
        status: &str,
        error: Option<&str>,
        summary: &ExperimentSummary,
    ) -> StoreResult<()> {
        self.finish_experiment_impl(id, status, error, summary)
            .await
    }
    async fn get_experiment(&self, id: &str) -> StoreResult<ExperimentRow> {
        self.get_experiment_impl(id).await
    }
    async fn run_experiments(&self, run_id: &str) -> StoreResult<Vec<ExperimentRow>> {
        self.run_experiments_impl(run_id).await
    }
    async fn list_experiments(
        &self,
        f: &ExperimentFilter,
    ) -> StoreResult<(Vec<ExperimentRow>, u64)> {
        self.list_experiments_impl(f).await
    }
    async fn insert_outcomes(
        &self,
        experiment_id: &str,
        outcomes: &[RecordOutcome],
    ) -> StoreResult<()> {
        self.insert_outcomes_impl(experiment_id, outcomes).await
    }
    async fn outcomes(&self, experiment_id: &str) -> StoreResult<Vec<RecordOutcome>> {
        self.outcomes_impl(experiment_id).await
    }
    async fn outcomes_page(
        &self,
        experiment_id: &str,
        offset: u64,
        limit: u64,
        errors_only: bool,
    ) -> StoreResult<(Vec<RecordOutcome>, u64)> {
        self.outcomes_page_impl(experiment_id, offset, limit, errors_only)
            .await
    }
    async fn done_tasks(&self, experiment_id: &str) -> StoreResult<HashSet<(usize, u32)>> {
        self.done_tasks_impl(experiment_id).await
    }
    async fn cache_get(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM response_cache WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
    async fn cache_put(&self, key: &str, model: &str, body: &str) -> StoreResult<()> {
        sqlx::query("INSERT OR IGNORE INTO response_cache (key, model, body, created_at) VALUES (?, ?, ?, ?)")
            .bind(key)
            .bind(model)
            .bind(body)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
