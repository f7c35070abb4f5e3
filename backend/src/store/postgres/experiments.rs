//! Experiments (their trial outcomes are in `outcomes.rs`), in PostgreSQL.

use std::collections::HashSet;

use async_trait::async_trait;
use shared::{ExperimentStatus, ExperimentSummary};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};

use super::{big, parse_status, PgStore};
use crate::eval::table::FieldTally;
use crate::outcome::RecordOutcome;
use crate::store::{
    timestamp, ExperimentFacets, ExperimentFilter, ExperimentOrder, ExperimentRow, ExperimentStore,
    StoreError, StoreResult, TrialFilter,
};

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn experiment_row(r: &PgRow) -> StoreResult<ExperimentRow> {
    let summary: Option<String> = r.try_get("summary")?;
    Ok(ExperimentRow {
        id: r.try_get("id")?,
        run_id: r.try_get("run_id")?,
        position: r.try_get::<i64, _>("position")? as u32,
        name: r.try_get("name")?,
        project_name: r.try_get("project_name")?,
        dataset_name: r.try_get("dataset_name")?,
        dataset_version: r.try_get::<i64, _>("dataset_version")? as u32,
        config: serde_json::from_str(r.try_get::<&str, _>("config")?)?,
        prompt_version: r.try_get("prompt_version")?,
        jobs: r.try_get::<i64, _>("jobs")? as u32,
        repetitions: r.try_get::<i64, _>("repetitions")? as u32,
        raise_errors: r.try_get::<i64, _>("raise_errors")? != 0,
        total_trials: r.try_get::<i64, _>("total_trials")? as u64,
        status: parse_status(r.try_get("status")?)?,
        error: r.try_get("error")?,
        summary: summary.map(|s| serde_json::from_str(&s)).transpose()?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

#[async_trait]
impl ExperimentStore for PgStore {
    async fn create_experiment(&self, e: &ExperimentRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO experiments (id, run_id, position, name, project_name, dataset_name,
                dataset_version, model, temperature, config, jobs, repetitions, raise_errors,
                total_trials, status, created_at, prompt_version)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17)",
        )
        .bind(&e.id)
        .bind(&e.run_id)
        .bind(i64::from(e.position))
        .bind(&e.name)
        .bind(&e.project_name)
        .bind(&e.dataset_name)
        .bind(i64::from(e.dataset_version))
        .bind(&e.config.model)
        .bind(e.config.temperature)
        .bind(serde_json::to_string(&e.config)?)
        .bind(i64::from(e.jobs))
        .bind(i64::from(e.repetitions))
        .bind(i64::from(e.raise_errors))
        .bind(big(e.total_trials))
        .bind(e.status.as_str())
        .bind(&e.created_at)
        .bind(&e.prompt_version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn set_experiment_status(&self, id: &str, status: ExperimentStatus) -> StoreResult<()> {
        sqlx::query("UPDATE experiments SET status = $1 WHERE id = $2 AND finished_at IS NULL")
            .bind(status.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn finish_experiment(
        &self,
        id: &str,
        status: ExperimentStatus,
        error: Option<&str>,
        summary: Option<&ExperimentSummary>,
    ) -> StoreResult<()> {
        let summary = summary.map(serde_json::to_string).transpose()?;
        sqlx::query(
            "UPDATE experiments SET status = $1, error = $2, summary = COALESCE($3::TEXT, summary),
                finished_at = $4 WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(error.map(super::storable))
        .bind(summary)
        .bind(timestamp())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_experiment(&self, id: &str) -> StoreResult<ExperimentRow> {
        let row = sqlx::query("SELECT * FROM experiments WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => experiment_row(&r),
            None => Err(StoreError::NotFound(format!(
                "experiment \"{id}\" not found"
            ))),
        }
    }

    async fn run_experiments(&self, run_id: &str) -> StoreResult<Vec<ExperimentRow>> {
        let rows = sqlx::query("SELECT * FROM experiments WHERE run_id = $1 ORDER BY position")
            .bind(run_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(experiment_row).collect()
    }

    async fn list_experiments(
        &self,
        f: &ExperimentFilter,
    ) -> StoreResult<(Vec<ExperimentRow>, u64)> {
        let filters = |q: &mut QueryBuilder<'_, Postgres>| {
            q.push(" WHERE 1 = 1");
            for (column, value) in [
                ("project_name", &f.project),
                ("dataset_name", &f.dataset),
                ("model", &f.model),
            ] {
                if let Some(v) = value {
                    // Contains, not equals: "bangbamru" finds its datasets. strpos is
                    // case-sensitive, as SQLite's instr was.
                    q.push(format!(" AND strpos({column}, "))
                        .push_bind(v.clone())
                        .push(") > 0");
                }
            }
            if f.active {
                q.push(" AND status IN ('queued', 'running')");
            }
            if let Some(text) = &f.search {
                q.push(" AND (strpos(name, ")
                    .push_bind(text.clone())
                    .push(") > 0 OR strpos(project_name, ")
                    .push_bind(text.clone())
                    .push(") > 0 OR strpos(dataset_name, ")
                    .push_bind(text.clone())
                    .push(") > 0 OR strpos(model, ")
                    .push_bind(text.clone())
                    .push(") > 0)");
            }
        };
        let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM experiments");
        filters(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM experiments");
        filters(&mut q);
        // The experiments table holds one row per experiment (thousands, not millions): the
        // orders by accuracy read it from the stored summary.
        let overall = "(summary::json ->> 'overall_accuracy')::DOUBLE PRECISION";
        let order = match f.order {
            ExperimentOrder::Newest => "created_at DESC, run_id DESC, position".to_string(),
            ExperimentOrder::Oldest => "created_at, run_id, position".to_string(),
            ExperimentOrder::Best => format!("{overall} IS NULL, {overall} DESC, created_at DESC"),
            ExperimentOrder::Worst => format!("{overall} IS NULL, {overall}, created_at DESC"),
            ExperimentOrder::Name => "name, created_at DESC".to_string(),
            ExperimentOrder::Model => "model, temperature, created_at DESC".to_string(),
        };
        q.push(format!(" ORDER BY {order}, id LIMIT "))
            .push_bind(big(f.limit))
            .push(" OFFSET ")
            .push_bind(big(f.offset));
        let rows = q.build().fetch_all(&self.pool).await?;
        #[allow(clippy::cast_sign_loss)]
        Ok((
            rows.iter()
                .map(experiment_row)
                .collect::<StoreResult<_>>()?,
            total as u64,
        ))
    }
    async fn experiment_facets(&self) -> StoreResult<ExperimentFacets> {
        let distinct = |column: &'static str| {
            let pool = self.pool.clone();
            async move {
                sqlx::query_scalar::<_, String>(&format!(
                    "SELECT DISTINCT {column} FROM experiments ORDER BY {column}"
                ))
                .fetch_all(&pool)
                .await
            }
        };
        Ok(ExperimentFacets {
            projects: distinct("project_name").await?,
            datasets: distinct("dataset_name").await?,
            models: distinct("model").await?,
        })
    }

    async fn insert_outcomes(
        &self,
        experiment_id: &str,
        outcomes: &[RecordOutcome],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        super::outcomes::insert(&mut tx, experiment_id, outcomes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn outcomes(&self, experiment_id: &str) -> StoreResult<Vec<RecordOutcome>> {
        let rows = sqlx::query(
            "SELECT * FROM experiment_records WHERE experiment_id = $1
             ORDER BY record_index, repetition",
        )
        .bind(experiment_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(super::outcomes::outcome_row).collect()
    }

    async fn outcomes_page(
        &self,
        experiment_id: &str,
        offset: u64,
        limit: u64,
        filter: &TrialFilter,
    ) -> StoreResult<(Vec<RecordOutcome>, u64)> {
        super::trial_pages::outcomes_page(&self.pool, experiment_id, offset, limit, filter).await
    }

    async fn score_page(
        &self,
        experiment_id: &str,
        after: Option<(usize, u32)>,
        limit: u64,
    ) -> StoreResult<Vec<RecordOutcome>> {
        let (index, repetition) = after.map_or((-1, -1), |(i, r)| {
            (i64::try_from(i).unwrap_or(i64::MAX), i64::from(r))
        });
        let rows = sqlx::query(&format!(
            "SELECT {} FROM experiment_records WHERE experiment_id = $1
               AND (record_index, repetition) > ($2, $3)
             ORDER BY record_index, repetition LIMIT $4",
            super::outcomes::SLIM_COLUMNS
        ))
        .bind(experiment_id)
        .bind(index)
        .bind(repetition)
        .bind(big(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(super::outcomes::outcome_row).collect()
    }

    async fn scores_of_records(
        &self,
        experiment_id: &str,
        record_ids: &[&str],
    ) -> StoreResult<Vec<RecordOutcome>> {
        // One array parameter, however many ids: no IN list to bound.
        let rows = sqlx::query(&format!(
            "SELECT {} FROM experiment_records WHERE repetition = 0 AND experiment_id = $1
               AND record_id = ANY($2::TEXT[])",
            super::outcomes::SLIM_COLUMNS
        ))
        .bind(experiment_id)
        .bind(record_ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(super::outcomes::outcome_row).collect()
    }

    async fn field_tally(&self, experiment_id: &str) -> StoreResult<FieldTally> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT field, correct, total FROM experiment_field_tally WHERE experiment_id = $1",
        )
        .bind(experiment_id)
        .fetch_all(&self.pool)
        .await?;
        let mut tally = FieldTally::default();
        for (field, correct, total) in rows {
            tally.add(
                &field,
                u64::try_from(correct).unwrap_or(0),
                u64::try_from(total).unwrap_or(0),
            );
        }
        Ok(tally)
    }

    async fn repetition_agreement(&self, experiment_id: &str) -> StoreResult<Option<f64>> {
        // A parsed trial's output is its fingerprint (or, stored before fingerprints, its
        // output); a failed one is its error. PostgreSQL sums no booleans: agree is 0/1.
        let (repeated, agree): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), SUM(agree)::BIGINT FROM (
                SELECT CASE WHEN COUNT(DISTINCT CASE WHEN status = 'ok'
                            THEN COALESCE(CAST(output_hash AS TEXT), output, raw_output)
                            ELSE '' END || chr(31) || COALESCE(error, '')) = 1
                       THEN 1 ELSE 0 END AS agree
                FROM experiment_records WHERE experiment_id = $1
                GROUP BY record_index HAVING COUNT(*) > 1) AS repeated",
        )
        .bind(experiment_id)
        .fetch_one(&self.pool)
        .await?;
        #[allow(clippy::cast_precision_loss)]
        Ok((repeated > 0).then(|| agree.unwrap_or(0) as f64 / repeated as f64))
    }

    async fn trial_count(&self, experiment_id: &str) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM experiment_records WHERE experiment_id = $1")
                .bind(experiment_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn done_trials(&self, experiment_id: &str) -> StoreResult<HashSet<(usize, u32)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT record_index, repetition FROM experiment_records WHERE experiment_id = $1",
        )
        .bind(experiment_id)
        .fetch_all(&self.pool)
        .await?;
        #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
        Ok(rows
            .into_iter()
            .map(|(i, r)| (i as usize, r as u32))
            .collect())
    }
}
