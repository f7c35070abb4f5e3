//! Runs (one request each, sync or async).

use shared::ExperimentRunResponse;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{now, SqliteStore};
use crate::store::{RunRow, StoreError, StoreResult};

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn run_row(r: &SqliteRow) -> StoreResult<RunRow> {
    let response: Option<String> = r.get("response");
    Ok(RunRow {
        id: r.get("id"),
        mode: r.get("mode"),
        status: r.get("status"),
        request: serde_json::from_str(r.get::<&str, _>("request"))?,
        dataset_id: r.get("dataset_id"),
        dataset_name: r.get("dataset_name"),
        dataset_version: r.get::<i64, _>("dataset_version") as u32,
        dataset_size: r.get::<i64, _>("dataset_size") as u64,
        response: response.map(|s| serde_json::from_str(&s)).transpose()?,
        error: r.get("error"),
        created_at: r.get("created_at"),
        finished_at: r.get("finished_at"),
    })
}

impl SqliteStore {
    pub(super) async fn create_run_impl(&self, run: &RunRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO runs (id, mode, status, request, dataset_id, dataset_name, dataset_version,
                dataset_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&run.id)
        .bind(&run.mode)
        .bind(&run.status)
        .bind(serde_json::to_string(&run.request)?)
        .bind(&run.dataset_id)
        .bind(&run.dataset_name)
        .bind(i64::from(run.dataset_version))
        .bind(i64::try_from(run.dataset_size).unwrap_or(i64::MAX))
        .bind(&run.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn update_run_impl(
        &self,
        id: &str,
        status: &str,
        response: Option<&ExperimentRunResponse>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let finished = matches!(status, "completed" | "failed" | "cancelled").then(now);
        let response = response.map(serde_json::to_string).transpose()?;
        sqlx::query(
            "UPDATE runs SET status = ?, response = COALESCE(?, response), error = COALESCE(?, error),
                finished_at = COALESCE(?, finished_at) WHERE id = ?",
        )
        .bind(status)
        .bind(response)
        .bind(error)
        .bind(finished)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn get_run_impl(&self, id: &str) -> StoreResult<RunRow> {
        let row = sqlx::query("SELECT * FROM runs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => run_row(&r),
            None => Err(StoreError::NotFound(format!("task \"{id}\" not found"))),
        }
    }

    pub(super) async fn unfinished_runs_impl(&self) -> StoreResult<Vec<RunRow>> {
        let rows = sqlx::query(
            "SELECT * FROM runs WHERE status IN ('queued', 'running') AND mode = 'async' ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_row).collect()
    }
}
