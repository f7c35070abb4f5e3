//! Runs (one request each, sync or async).

use async_trait::async_trait;
use shared::{ExperimentRunResponse, RunMode, RunStatus};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::{big, parse_status, PgStore};
use crate::store::{timestamp, RunRow, RunStore, StoreError, StoreResult};

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn run_row(r: &PgRow) -> StoreResult<RunRow> {
    let response: Option<String> = r.get("response");
    Ok(RunRow {
        id: r.get("id"),
        mode: parse_status(r.get("mode"))?,
        status: parse_status(r.get("status"))?,
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

#[async_trait]
impl RunStore for PgStore {
    async fn create_run(&self, run: &RunRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO runs (id, mode, status, request, dataset_id, dataset_name, dataset_version,
                dataset_size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&run.id)
        .bind(run.mode.as_str())
        .bind(run.status.as_str())
        .bind(serde_json::to_string(&run.request)?)
        .bind(&run.dataset_id)
        .bind(&run.dataset_name)
        .bind(i64::from(run.dataset_version))
        .bind(big(run.dataset_size))
        .bind(&run.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn update_run(
        &self,
        id: &str,
        status: RunStatus,
        response: Option<&ExperimentRunResponse>,
        error: Option<&str>,
    ) -> StoreResult<()> {
        let finished = status.is_terminal().then(timestamp);
        let response = response.map(serde_json::to_string).transpose()?;
        sqlx::query(
            "UPDATE runs SET status = $1, response = COALESCE($2::TEXT, response),
                error = COALESCE($3::TEXT, error), finished_at = COALESCE($4::TEXT, finished_at)
             WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(response)
        .bind(error.map(super::storable))
        .bind(finished)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_run(&self, id: &str) -> StoreResult<RunRow> {
        let row = sqlx::query("SELECT * FROM runs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => run_row(&r),
            None => Err(StoreError::NotFound(format!("task \"{id}\" not found"))),
        }
    }

    async fn unfinished_runs(&self) -> StoreResult<Vec<RunRow>> {
        let rows = sqlx::query(
            "SELECT * FROM runs WHERE status IN ($1, $2) AND mode = $3 ORDER BY created_at",
        )
        .bind(RunStatus::Queued.as_str())
        .bind(RunStatus::Running.as_str())
        .bind(RunMode::Async.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_row).collect()
    }

    async fn claim_runs(
        &self,
        owner: &str,
        id: Option<&str>,
        now: i64,
        until: i64,
    ) -> StoreResult<Vec<RunRow>> {
        // Writers are not serialised here: the claimable rows are locked first, and rows
        // another replica is claiming right now are skipped, so two replicas never claim
        // one run. A row changed since the statement began is checked again once locked.
        let rows = sqlx::query(
            "UPDATE runs SET lease_owner = $1, lease_until = $2
             WHERE id IN (
                SELECT id FROM runs
                WHERE status IN ($3, $4) AND mode = $5 AND ($6::TEXT IS NULL OR id = $6)
                  AND (lease_until IS NULL OR lease_owner = $1 OR lease_until < $7)
                FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(owner)
        .bind(until)
        .bind(RunStatus::Queued.as_str())
        .bind(RunStatus::Running.as_str())
        .bind(RunMode::Async.as_str())
        .bind(id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut runs = rows.iter().map(run_row).collect::<StoreResult<Vec<_>>>()?;
        runs.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok(runs)
    }

    async fn renew_lease(&self, owner: &str, id: &str, until: i64) -> StoreResult<Option<bool>> {
        let row = sqlx::query(
            "UPDATE runs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3
             RETURNING cancel_requested",
        )
        .bind(until)
        .bind(id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.get::<i64, _>("cancel_requested") != 0))
    }

    async fn release_lease(&self, owner: &str, id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE runs SET lease_until = NULL WHERE id = $1 AND lease_owner = $2")
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn request_cancel(&self, id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE runs SET cancel_requested = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[allow(clippy::cast_sign_loss)]
    async fn run_counts(&self) -> StoreResult<Vec<(RunStatus, u64)>> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM runs GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((parse_status(r.get("status"))?, r.get::<i64, _>("n") as u64)))
            .collect()
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
