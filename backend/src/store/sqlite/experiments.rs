//! Experiments (their trial outcomes are in `outcomes.rs`).

use std::collections::HashSet;

use async_trait::async_trait;
use shared::{ExperimentStatus, ExperimentSummary};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{parse_status, SqliteStore};
use crate::eval::table::FieldTally;
use crate::outcome::RecordOutcome;
use crate::store::{
    timestamp, ExperimentFacets, ExperimentFilter, ExperimentOrder, ExperimentRow, ExperimentStore,
    StoreError, StoreResult, TrialFilter,
};

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn experiment_row(r: &SqliteRow) -> StoreResult<ExperimentRow> {
    let summary: Option<String> = r.get("summary");
    Ok(ExperimentRow {
        id: r.get("id"),
        run_id: r.get("run_id"),
        position: r.get::<i64, _>("position") as u32,
        name: r.get("name"),
        project_name: r.get("project_name"),
        dataset_name: r.get("dataset_name"),
        dataset_version: r.get::<i64, _>("dataset_version") as u32,
        config: serde_json::from_str(r.get::<&str, _>("config"))?,
        prompt_version: r.get("prompt_version"),
        jobs: r.get::<i64, _>("jobs") as u32,
        repetitions: r.get::<i64, _>("repetitions") as u32,
        raise_errors: r.get::<i64, _>("raise_errors") != 0,
        total_trials: r.get::<i64, _>("total_trials") as u64,
        status: parse_status(r.get("status"))?,
        error: r.get("error"),
        summary: summary.map(|s| serde_json::from_str(&s)).transpose()?,
        created_at: r.get("created_at"),
        finished_at: r.get("finished_at"),
    })
}

#[async_trait]
impl ExperimentStore for SqliteStore {
    async fn create_experiment(&self, e: &ExperimentRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO experiments (id, run_id, position, name, project_name, dataset_name,
                dataset_version, model, temperature, config, jobs, repetitions, raise_errors,
                total_trials, status, created_at, prompt_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .bind(i64::try_from(e.total_trials).unwrap_or(i64::MAX))
        .bind(e.status.as_str())
        .bind(&e.created_at)
        .bind(&e.prompt_version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn set_experiment_status(&self, id: &str, status: ExperimentStatus) -> StoreResult<()> {
        sqlx::query("UPDATE experiments SET status = ? WHERE id = ? AND finished_at IS NULL")
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
            "UPDATE experiments SET status = ?, error = ?, summary = COALESCE(?, summary),
                finished_at = ? WHERE id = ?",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(summary)
        .bind(timestamp())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_experiment(&self, id: &str) -> StoreResult<ExperimentRow> {
        let row = sqlx::query("SELECT * FROM experiments WHERE id = ?")
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
        let rows = sqlx::query("SELECT * FROM experiments WHERE run_id = ? ORDER BY position")
            .bind(run_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(experiment_row).collect()
    }

    async fn list_experiments(
        &self,
        f: &ExperimentFilter,
    ) -> StoreResult<(Vec<ExperimentRow>, u64)> {
        let filters = |q: &mut QueryBuilder<'_, Sqlite>| {
            q.push(" WHERE 1 = 1");
            for (column, value) in [
                ("project_name", &f.project),
                ("dataset_name", &f.dataset),
                ("model", &f.model),
            ] {
                if let Some(v) = value {
                    // Contains, not equals: "bangbamru" finds its datasets.
                    q.push(format!(" AND instr({column}, "))
                        .push_bind(v.clone())
                        .push(") > 0");
                }
            }
            if f.active {
                q.push(" AND status IN ('queued', 'running')");
            }
            if let Some(text) = &f.search {
                q.push(" AND (instr(name, ")
                    .push_bind(text.clone())
                    .push(") > 0 OR instr(project_name, ")
                    .push_bind(text.clone())
                    .push(") > 0 OR instr(dataset_name, ")
                    .push_bind(text.clone())
                    .push(") > 0 OR instr(model, ")
                    .push_bind(text.clone())
                    .push(") > 0)");
            }
        };
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM experiments");
        filters(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM experiments");
        filters(&mut q);
        // The experiments table holds one row per experiment (thousands, not millions): the
        // orders by accuracy read it from the stored summary.
        let overall = "json_extract(summary, '$.overall_accuracy')";
        let order = match f.order {
            ExperimentOrder::Newest => "created_at DESC, run_id DESC, position".to_string(),
            ExperimentOrder::Oldest => "created_at, run_id, position".to_string(),
            ExperimentOrder::Best => format!("{overall} IS NULL, {overall} DESC, created_at DESC"),
            ExperimentOrder::Worst => format!("{overall} IS NULL, {overall}, created_at DESC"),
            ExperimentOrder::Name => "name, created_at DESC".to_string(),
            ExperimentOrder::Model => "model, temperature, created_at DESC".to_string(),
        };
        q.push(format!(" ORDER BY {order}, id LIMIT "))
            .push_bind(i64::try_from(f.limit).unwrap_or(i64::MAX))
            .push(" OFFSET ")
            .push_bind(i64::try_from(f.offset).unwrap_or(i64::MAX));
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
            "SELECT * FROM experiment_records WHERE experiment_id = ? ORDER BY record_index, repetition",
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
            "SELECT {} FROM experiment_records WHERE experiment_id = ?
               AND (record_index, repetition) > (?, ?)
             ORDER BY record_index, repetition LIMIT ?",
            super::outcomes::SLIM_COLUMNS
        ))
        .bind(experiment_id)
        .bind(index)
        .bind(repetition)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(super::outcomes::outcome_row).collect()
    }

    async fn scores_of_records(
        &self,
        experiment_id: &str,
        record_ids: &[&str],
    ) -> StoreResult<Vec<RecordOutcome>> {
        let mut out = Vec::with_capacity(record_ids.len());
        // Bounded IN lists: SQLite caps the parameters of one statement.
        for chunk in record_ids.chunks(500) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {} FROM experiment_records WHERE repetition = 0 AND experiment_id = ",
                super::outcomes::SLIM_COLUMNS
            ));
            q.push_bind(experiment_id).push(" AND record_id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            for row in q.build().fetch_all(&self.pool).await? {
                out.push(super::outcomes::outcome_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn field_tally(&self, experiment_id: &str) -> StoreResult<FieldTally> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT field, correct, total FROM experiment_field_tally WHERE experiment_id = ?",
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
        // output); a failed one is its error.
        let (repeated, agree): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), SUM(agree) FROM (
                SELECT COUNT(DISTINCT CASE WHEN status = 'ok' THEN COALESCE(CAST(output_hash AS TEXT), output, raw_output)
                                      ELSE '' END || char(31) || COALESCE(error, '')) = 1 AS agree
                FROM experiment_records WHERE experiment_id = ?
                GROUP BY record_index HAVING COUNT(*) > 1)",
        )
        .bind(experiment_id)
        .fetch_one(&self.pool)
        .await?;
        #[allow(clippy::cast_precision_loss)]
        Ok((repeated > 0).then(|| agree.unwrap_or(0) as f64 / repeated as f64))
    }

    async fn trial_count(&self, experiment_id: &str) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM experiment_records WHERE experiment_id = ?")
                .bind(experiment_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn done_trials(&self, experiment_id: &str) -> StoreResult<HashSet<(usize, u32)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT record_index, repetition FROM experiment_records WHERE experiment_id = ?",
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
