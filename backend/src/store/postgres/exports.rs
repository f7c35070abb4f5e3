//! The Datadog export outbox in PostgreSQL.
//!
//! Storage order: PostgreSQL rows have no rowid, so a trial's place is its
//! `experiment_records.trial_seq`, an identity column (growing with each insert). One
//! writer commits an experiment's trials a batch at a time, so within an experiment that
//! order is the order of commits, as rowids are in SQLite.

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::{big, PgStore};
use crate::store::{timestamp, ExportBacklog, ExportRow, ExportStore, StoreResult, StoredTrial};

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn export_row(r: &PgRow) -> ExportRow {
    ExportRow {
        experiment_id: r.get("experiment_id"),
        site: r.get("site"),
        project_name: r.get("project_name"),
        own_key: r.get::<i64, _>("own_key") != 0,
        project_id: r.get("project_id"),
        dataset_id: r.get("dataset_id"),
        dataset_version: r.get::<Option<i64>, _>("dataset_version").map(|v| v as u32),
        remote_id: r.get("remote_id"),
        create_sent: r.get::<i64, _>("create_sent") != 0,
        running_sent: r.get::<i64, _>("running_sent") != 0,
        sent_seq: r.get("sent_seq"),
        sent_trials: r.get::<i64, _>("sent_trials") as u64,
        summary_sent: r.get::<i64, _>("summary_sent") != 0,
        state: r.get("state"),
        attempts: r.get::<i64, _>("attempts") as u32,
        last_error: r.get("last_error"),
        next_attempt_at: r.get("next_attempt_at"),
        lease_owner: r.get("lease_owner"),
        lease_until: r.get("lease_until"),
    }
}

#[async_trait]
impl ExportStore for PgStore {
    async fn queue_export(
        &self,
        experiment_id: &str,
        site: &str,
        project_name: &str,
        key_holder: Option<&str>,
    ) -> StoreResult<()> {
        let now = timestamp();
        sqlx::query(
            "INSERT INTO datadog_exports
                (experiment_id, site, project_name, own_key, lease_owner, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT DO NOTHING",
        )
        .bind(experiment_id)
        .bind(site)
        .bind(project_name)
        .bind(i64::from(key_holder.is_some()))
        .bind(key_holder)
        .bind(&now)
        .bind(&now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn due_exports(
        &self,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<ExportRow>> {
        // Rows another replica is claiming right now are skipped, and a row claimed since
        // the statement began is checked again once locked: two replicas never share one.
        let rows = sqlx::query(
            "UPDATE datadog_exports SET lease_owner = $1, lease_until = $2
             WHERE experiment_id IN (
                SELECT experiment_id FROM datadog_exports
                WHERE state = 'pending' AND next_attempt_at <= $3
                  AND CASE WHEN own_key = 1 THEN lease_owner = $1
                      ELSE lease_until IS NULL OR lease_until < $3 OR lease_owner = $1 END
                ORDER BY next_attempt_at, created_at LIMIT $4
                FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(owner)
        .bind(until_ms)
        .bind(now_ms)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut due: Vec<ExportRow> = rows.iter().map(export_row).collect();
        due.sort_by_key(|e| e.next_attempt_at);
        Ok(due)
    }

    async fn get_export(&self, experiment_id: &str) -> StoreResult<Option<ExportRow>> {
        let row = sqlx::query("SELECT * FROM datadog_exports WHERE experiment_id = $1")
            .bind(experiment_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(export_row))
    }

    async fn save_export(&self, e: &ExportRow) -> StoreResult<()> {
        let saved = sqlx::query(
            "UPDATE datadog_exports SET project_id = $1, dataset_id = $2, dataset_version = $3,
                remote_id = $4, create_sent = $5, running_sent = $6, sent_seq = $7,
                sent_trials = $8, summary_sent = $9, state = $10, attempts = $11,
                last_error = $12, next_attempt_at = $13, updated_at = $14, lease_until = $15
             WHERE experiment_id = $16 AND lease_owner IS NOT DISTINCT FROM $17",
        )
        .bind(&e.project_id)
        .bind(&e.dataset_id)
        .bind(e.dataset_version.map(i64::from))
        .bind(&e.remote_id)
        .bind(i64::from(e.create_sent))
        .bind(i64::from(e.running_sent))
        .bind(e.sent_seq)
        .bind(big(e.sent_trials))
        .bind(i64::from(e.summary_sent))
        .bind(&e.state)
        .bind(i64::from(e.attempts))
        .bind(e.last_error.as_deref().map(super::storable))
        .bind(e.next_attempt_at)
        .bind(timestamp())
        .bind(e.lease_until)
        .bind(&e.experiment_id)
        .bind(&e.lease_owner)
        .execute(&self.pool)
        .await?;
        crate::store::exports::saved(saved.rows_affected(), &e.experiment_id)
    }

    async fn retry_export(&self, experiment_id: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE datadog_exports SET state = 'pending', attempts = 0, next_attempt_at = 0,
                updated_at = $1
             WHERE experiment_id = $2 AND state <> 'done'",
        )
        .bind(timestamp())
        .bind(experiment_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn last_trial_row(&self, experiment_id: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(trial_seq), 0) FROM experiment_records WHERE experiment_id = $1",
        )
        .bind(experiment_id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn trials_after(
        &self,
        experiment_id: &str,
        after: i64,
        through: i64,
        limit: u32,
    ) -> StoreResult<Vec<StoredTrial>> {
        // `through` bounds the read: trials stored after the caller's look at the last one
        // wait for the next round, as in SQLite.
        let rows = sqlx::query(
            "SELECT * FROM experiment_records
             WHERE experiment_id = $1 AND trial_seq > $2 AND trial_seq <= $3
             ORDER BY trial_seq LIMIT $4",
        )
        .bind(experiment_id)
        .bind(after)
        .bind(through)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredTrial {
                    seq: r.get("trial_seq"),
                    created_at: r.get("created_at"),
                    outcome: super::outcomes::outcome_row(r)?,
                })
            })
            .collect()
    }

    #[allow(clippy::cast_sign_loss)]
    async fn export_backlog(&self) -> StoreResult<ExportBacklog> {
        let (pending, failed): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE state = 'pending'),
                COUNT(*) FILTER (WHERE state = 'failed')
             FROM datadog_exports",
        )
        .fetch_one(&self.pool)
        .await?;
        // Trials stored after each pending export's mark (rows after it, in storage order).
        let unsent: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM((SELECT COUNT(*) FROM experiment_records r
                 WHERE r.experiment_id = x.experiment_id AND r.trial_seq > x.sent_seq)), 0)::BIGINT
             FROM datadog_exports x WHERE x.state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(ExportBacklog {
            pending: pending as u64,
            failed: failed as u64,
            unsent_trials: unsent as u64,
        })
    }
}
