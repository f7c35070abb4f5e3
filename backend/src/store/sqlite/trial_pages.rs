//! One page of an experiment's trials: its filters (errors, a field got wrong, differing,
//! a record id or position) and its order (dataset order, overall or an evaluator's score).

use sqlx::SqlitePool;

use crate::outcome::RecordOutcome;
use crate::store::{StoreResult, TrialFilter, TrialOrder};

/// The trials of `experiment_id` that `filter` selects, `limit` of them from the
/// `offset`-th, and how many it selects.
pub(super) async fn outcomes_page(
    pool: &SqlitePool,
    experiment_id: &str,
    offset: u64,
    limit: u64,
    filter: &TrialFilter,
) -> StoreResult<(Vec<RecordOutcome>, u64)> {
    // Both filters read indexes: failed trials a partial index, a field the table of
    // the fields each trial got wrong (pooled, or raw paths stored before pooling).
    let mut cond = String::new();
    if filter.errors_only {
        cond.push_str(" AND error IS NOT NULL");
    }
    if filter.differs {
        // A list subquery (read once), not a correlated one (a scan per trial).
        cond.push_str(
            " AND (error IS NOT NULL OR (record_index, repetition) IN (SELECT record_index,
                   repetition FROM trial_failed_fields d WHERE d.experiment_id = ?1))",
        );
    }
    let field = filter.field.as_deref();
    cond.push_str(
        " AND (?2 IS NULL OR (record_index, repetition) IN (SELECT record_index, repetition
               FROM trial_failed_fields f WHERE f.experiment_id = ?1
               AND (f.field = ?2 OR f.field GLOB ?3)))
              AND (?4 IS NULL OR instr(record_id, ?4) > 0)
              AND (?5 IS NULL OR record_index = ?5)",
    );
    let glob = field.map(|f| f.replace('[', "[[]").replace("[[]]", "[[]*]"));
    let search = filter.record_id.as_deref();
    let index = filter
        .record_index
        .map(|i| i64::try_from(i).unwrap_or(i64::MAX));
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM experiment_records r WHERE experiment_id = ?1{cond}"
    ))
    .bind(experiment_id)
    .bind(field)
    .bind(glob.as_deref())
    .bind(search)
    .bind(index)
    .fetch_one(pool)
    .await?;
    // An evaluator's score is read out of each trial's scores: every trial of the
    // experiment is read for it (the overall score has an index; see BENCHMARKS.md).
    let by_score = "(SELECT json_extract(s.value, '$.value') FROM json_each(r.scores, '$.scores') s
                          WHERE json_extract(s.value, '$.name') = ?8)";
    let order = match (filter.order, filter.score.is_some()) {
        (TrialOrder::Record, _) => "record_index, repetition".to_string(),
        (TrialOrder::Worst, false) => "overall, record_index, repetition".to_string(),
        (TrialOrder::Best, false) => "overall DESC, record_index, repetition".to_string(),
        (TrialOrder::Worst, true) => {
            format!("{by_score} IS NULL, {by_score}, record_index, repetition")
        }
        (TrialOrder::Best, true) => {
            format!("{by_score} IS NULL, {by_score} DESC, record_index, repetition")
        }
    };
    let sql = format!(
        "SELECT * FROM experiment_records r WHERE experiment_id = ?1{cond}
             ORDER BY {order} LIMIT ?6 OFFSET ?7"
    );
    let mut query = sqlx::query(&sql)
        .bind(experiment_id)
        .bind(field)
        .bind(glob.as_deref())
        .bind(search)
        .bind(index)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    // ?8 is in the statement only when a score orders it.
    if filter.score.is_some() && filter.order != TrialOrder::Record {
        query = query.bind(filter.score.as_deref());
    }
    let rows = query.fetch_all(pool).await?;
    #[allow(clippy::cast_sign_loss)]
    Ok((
        rows.iter()
            .map(super::outcomes::outcome_row)
            .collect::<StoreResult<_>>()?,
        total as u64,
    ))
}
