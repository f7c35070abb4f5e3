//! One page of an experiment's trials: its filters (errors, a field got wrong, differing,
//! a record id or position) and its order (dataset order, overall or an evaluator's score).

use sqlx::PgPool;

use super::big;
use crate::outcome::RecordOutcome;
use crate::store::{StoreResult, TrialFilter, TrialOrder};

/// A pooled field name ("a[].b") as a LIKE pattern that also finds the raw paths stored
/// before pooling ("a[#12].b"): the row key between brackets is any text.
fn raw_paths_pattern(field: &str) -> String {
    let escaped = field
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    escaped.replace("[]", "[%]")
}

/// The trials of `experiment_id` that `filter` selects, `limit` of them from the
/// `offset`-th, and how many it selects.
pub(super) async fn outcomes_page(
    pool: &PgPool,
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
                   repetition FROM trial_failed_fields d WHERE d.experiment_id = $1))",
        );
    }
    let field = filter.field.as_deref();
    // LIKE (not ILIKE): field paths match case as written, as SQLite's GLOB did; a record
    // id is searched with strpos, case as written, as SQLite's instr did.
    cond.push_str(
        " AND ($2::TEXT IS NULL OR (record_index, repetition) IN (SELECT record_index,
               repetition FROM trial_failed_fields f WHERE f.experiment_id = $1
               AND (f.field = $2::TEXT OR f.field LIKE $3::TEXT)))
              AND ($4::TEXT IS NULL OR strpos(record_id, $4::TEXT) > 0)
              AND ($5::BIGINT IS NULL OR record_index = $5::BIGINT)",
    );
    let pattern = field.map(raw_paths_pattern);
    let search = filter.record_id.as_deref();
    let index = filter.record_index.map(big);
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM experiment_records r WHERE experiment_id = $1{cond}"
    ))
    .bind(experiment_id)
    .bind(field)
    .bind(pattern.as_deref())
    .bind(search)
    .bind(index)
    .fetch_one(pool)
    .await?;
    // An evaluator's score is read out of each trial's scores: every trial of the
    // experiment is read for it (the overall score has an index; see BENCHMARKS.md). A
    // true/false score orders as 1/0, as SQLite's json_extract gave it.
    // `json`, not `jsonb`: jsonb refuses an escaped NUL a label or an output may hold.
    let by_score = "(SELECT CASE json_typeof(s.v -> 'value')
                                WHEN 'number' THEN (s.v ->> 'value')::DOUBLE PRECISION
                                WHEN 'boolean' THEN CASE WHEN s.v ->> 'value' = 'true'
                                                         THEN 1.0 ELSE 0.0 END
                            END
                     FROM json_array_elements(r.scores::json -> 'scores') AS s(v)
                     WHERE s.v ->> 'name' = $8::TEXT LIMIT 1)";
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
        "SELECT * FROM experiment_records r WHERE experiment_id = $1{cond}
             ORDER BY {order} LIMIT $6 OFFSET $7"
    );
    let mut query = sqlx::query(&sql)
        .bind(experiment_id)
        .bind(field)
        .bind(pattern.as_deref())
        .bind(search)
        .bind(index)
        .bind(big(limit))
        .bind(big(offset));
    // $8 is in the statement only when a score orders it.
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

#[cfg(test)]
mod tests {
    use super::raw_paths_pattern;

    #[test]
    fn pooled_field_finds_raw_paths() {
        assert_eq!(raw_paths_pattern("a.b[].c"), "a.b[%].c");
        assert_eq!(raw_paths_pattern("a[].b[].c_d"), "a[%].b[%].c\\_d");
        assert_eq!(raw_paths_pattern("x%y"), "x\\%y");
    }
}
