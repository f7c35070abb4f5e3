//! Reading and writing trial outcome rows, compact: a row keeps its failing field checks
//! only, and its raw output without the parsed output (parsed again when read; a
//! fingerprint of it is kept for repetition agreement). Per-field accuracy is counted into `experiment_field_tally` in the transaction
//! that commits the trials.

use shared::{RecordScores, RecordStatus};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use super::parse_status;
use crate::eval::table::{pool_rows, FieldTally};
use crate::outcome::{parsed_output_fingerprint, RecordOutcome};
use crate::store::{timestamp, StoreResult};

/// Columns of a trial without its raw and parsed output.
pub(super) const SLIM_COLUMNS: &str = "record_index, record_id, repetition, status, error, \
    scores, latency_ms, input_tokens, output_tokens, thinking_tokens, retries, cost_usd, cached, \
    judge_input_tokens, judge_output_tokens, judge_thinking_tokens, judge_cost_usd, judge_cached";

/// A stored row as an outcome. Rows read with [`SLIM_COLUMNS`] have no outputs.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) fn outcome_row(r: &SqliteRow) -> StoreResult<RecordOutcome> {
    let status: RecordStatus = parse_status(r.get("status"))?;
    let raw_output: Option<String> = r.try_get("raw_output").unwrap_or(None);
    let stored_output: Option<String> = r.try_get("output").unwrap_or(None);
    // A parsed trial keeps its raw output only: it is parsed again here.
    let output = match (stored_output, &raw_output, status) {
        (Some(s), _, _) => Some(serde_json::from_str(&s)?),
        (None, Some(raw), RecordStatus::Ok) => crate::report::parse_output(raw).ok(),
        _ => None,
    };
    let opt_u64 = |name: &str| r.get::<Option<i64>, _>(name).map(|v| v as u64);
    Ok(RecordOutcome {
        record_index: r.get::<i64, _>("record_index") as usize,
        record_id: r.get("record_id"),
        repetition: r.get::<i64, _>("repetition") as u32,
        status,
        raw_output,
        output_hash: r
            .try_get::<Option<i64>, _>("output_hash")
            .ok()
            .flatten()
            .or_else(|| output.as_ref().map(parsed_output_fingerprint)),
        output,
        error: r.get("error"),
        scores: serde_json::from_str(r.get::<&str, _>("scores"))?,
        latency_ms: r.get("latency_ms"),
        input_tokens: opt_u64("input_tokens"),
        output_tokens: opt_u64("output_tokens"),
        thinking_tokens: opt_u64("thinking_tokens"),
        retries: r.get::<i64, _>("retries") as u32,
        cost_usd: r.get("cost_usd"),
        cached: r.get::<i64, _>("cached") != 0,
        judge: r
            .get::<Option<i64>, _>("judge_cached")
            .map(|cached| shared::JudgeCall {
                input_tokens: opt_u64("judge_input_tokens"),
                output_tokens: opt_u64("judge_output_tokens"),
                thinking_tokens: opt_u64("judge_thinking_tokens"),
                cost_usd: r.get("judge_cost_usd"),
                cached: cached != 0,
            }),
    })
}

pub(super) fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// Scores as stored: every value, explanation and flag, but only the failing field checks.
fn compact_scores(scores: &RecordScores) -> RecordScores {
    let mut compact = scores.clone();
    for s in &mut compact.scores {
        s.details.retain(|d| !d.ok);
    }
    compact
}

/// Commits `outcomes` (a trial already stored is kept and not counted again) and their
/// field checks in one transaction.
pub(super) async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    experiment_id: &str,
    outcomes: &[RecordOutcome],
) -> StoreResult<()> {
    let created_at = timestamp();
    let mut tally = FieldTally::default();
    let mut failed_fields: Vec<(String, i64, u32)> = Vec::new();
    for o in outcomes {
        // The parsed output is the raw output parsed: kept only when there is no raw text.
        let output = match (&o.output, &o.raw_output) {
            (Some(out), None) => Some(serde_json::to_string(out)?),
            _ => None,
        };
        let inserted = sqlx::query(
            "INSERT OR IGNORE INTO experiment_records (experiment_id, record_index, repetition,
                record_id, raw_output, output, error, scores, overall, latency_ms, input_tokens,
                output_tokens, thinking_tokens, retries, created_at, cost_usd, cached, status,
                output_hash, judge_input_tokens, judge_output_tokens, judge_thinking_tokens,
                judge_cost_usd, judge_cached)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(experiment_id)
        .bind(i64::try_from(o.record_index).unwrap_or(i64::MAX))
        .bind(i64::from(o.repetition))
        .bind(&o.record_id)
        .bind(&o.raw_output)
        .bind(output)
        .bind(&o.error)
        .bind(serde_json::to_string(&compact_scores(&o.scores))?)
        .bind(o.scores.overall)
        .bind(o.latency_ms)
        .bind(to_i64(o.input_tokens))
        .bind(to_i64(o.output_tokens))
        .bind(to_i64(o.thinking_tokens))
        .bind(i64::from(o.retries))
        .bind(&created_at)
        .bind(o.cost_usd)
        .bind(i64::from(o.cached))
        .bind(o.status.as_str())
        .bind(
            o.output_hash
                .or_else(|| o.output.as_ref().map(parsed_output_fingerprint)),
        )
        .bind(o.judge.as_ref().and_then(|j| to_i64(j.input_tokens)))
        .bind(o.judge.as_ref().and_then(|j| to_i64(j.output_tokens)))
        .bind(o.judge.as_ref().and_then(|j| to_i64(j.thinking_tokens)))
        .bind(o.judge.as_ref().and_then(|j| j.cost_usd))
        .bind(o.judge.as_ref().map(|j| i64::from(j.cached)))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted > 0 {
            tally.add_trial(&o.scores);
            let fields: std::collections::BTreeSet<String> = o
                .scores
                .scores
                .iter()
                .flat_map(|s| &s.details)
                .filter(|d| !d.ok)
                .map(|d| pool_rows(&d.field))
                .collect();
            let index = i64::try_from(o.record_index).unwrap_or(i64::MAX);
            failed_fields.extend(fields.into_iter().map(|f| (f, index, o.repetition)));
        }
    }
    if !failed_fields.is_empty() {
        sqlx::query(
            "INSERT OR IGNORE INTO trial_failed_fields (experiment_id, field, record_index,
                repetition)
             SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                    json_extract(value, '$[2]')
             FROM json_each(?)",
        )
        .bind(experiment_id)
        .bind(serde_json::to_string(&failed_fields)?)
        .execute(&mut **tx)
        .await?;
    }
    if tally.is_empty() {
        return Ok(());
    }
    let rows: Vec<(&str, u64, u64)> = tally.iter().collect();
    // One statement for the whole tally: a round trip per field would cost more than the
    // trials themselves.
    sqlx::query(
        "INSERT INTO experiment_field_tally (experiment_id, field, correct, total)
         SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                json_extract(value, '$[2]')
         FROM json_each(?) WHERE true
         ON CONFLICT (experiment_id, field) DO UPDATE SET
             correct = correct + excluded.correct, total = total + excluded.total",
    )
    .bind(experiment_id)
    .bind(serde_json::to_string(&rows)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
