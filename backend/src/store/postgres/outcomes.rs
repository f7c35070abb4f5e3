//! Reading and writing trial outcome rows, compact: a row keeps its failing field checks
//! only, and its raw output without the parsed output (parsed again when read; a
//! fingerprint of it is kept for repetition agreement). Per-field accuracy is counted into
//! `experiment_field_tally` in the transaction that commits the trials.

use std::collections::{BTreeSet, HashSet};

use shared::{RecordScores, RecordStatus};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row, Transaction};

use super::{big, parse_status};
use crate::eval::table::{pool_rows, FieldTally};
use crate::outcome::{parsed_output_fingerprint, RecordOutcome};
use crate::store::{timestamp, StoreResult};

/// Columns of a trial without its raw and parsed output.
pub(super) const SLIM_COLUMNS: &str = "record_index, record_id, repetition, status, error, \
    scores, latency_ms, input_tokens, output_tokens, thinking_tokens, retries, cost_usd, cached, \
    judge_input_tokens, judge_output_tokens, judge_thinking_tokens, judge_cost_usd, judge_cached";

/// Trials per INSERT: 24 parameters each, under PostgreSQL's 65535 per statement.
const ROWS_PER_INSERT: usize = 2000;

/// A stored row as an outcome. Rows read with [`SLIM_COLUMNS`] have no outputs.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) fn outcome_row(r: &PgRow) -> StoreResult<RecordOutcome> {
    let status: RecordStatus = parse_status(r.try_get("status")?)?;
    // Absent from rows read with SLIM_COLUMNS.
    let raw_output: Option<String> = r.try_get("raw_output").unwrap_or(None);
    let stored_output: Option<String> = r.try_get("output").unwrap_or(None);
    // A parsed trial keeps its raw output only: it is parsed again here.
    let output = match (stored_output, &raw_output, status) {
        (Some(s), _, _) => Some(serde_json::from_str(&s)?),
        (None, Some(raw), RecordStatus::Ok) => crate::report::parse_output(raw).ok(),
        _ => None,
    };
    let opt_u64 = |name: &str| -> StoreResult<Option<u64>> {
        Ok(r.try_get::<Option<i64>, _>(name)?.map(|v| v as u64))
    };
    let judge = match r.try_get::<Option<i64>, _>("judge_cached")? {
        Some(cached) => Some(shared::JudgeCall {
            input_tokens: opt_u64("judge_input_tokens")?,
            output_tokens: opt_u64("judge_output_tokens")?,
            thinking_tokens: opt_u64("judge_thinking_tokens")?,
            cost_usd: r.try_get("judge_cost_usd")?,
            cached: cached != 0,
        }),
        None => None,
    };
    Ok(RecordOutcome {
        record_index: r.try_get::<i64, _>("record_index")? as usize,
        record_id: r.try_get("record_id")?,
        repetition: r.try_get::<i64, _>("repetition")? as u32,
        status,
        raw_output,
        output_hash: r
            .try_get::<Option<i64>, _>("output_hash")
            .ok()
            .flatten()
            .or_else(|| output.as_ref().map(parsed_output_fingerprint)),
        output,
        error: r.try_get("error")?,
        scores: serde_json::from_str(r.try_get::<&str, _>("scores")?)?,
        latency_ms: r.try_get("latency_ms")?,
        input_tokens: opt_u64("input_tokens")?,
        output_tokens: opt_u64("output_tokens")?,
        thinking_tokens: opt_u64("thinking_tokens")?,
        retries: r.try_get::<i64, _>("retries")? as u32,
        cost_usd: r.try_get("cost_usd")?,
        cached: r.try_get::<i64, _>("cached")? != 0,
        judge,
    })
}

pub(super) fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(big)
}

/// Scores as stored: every value, explanation and flag, but only the failing field checks.
fn compact_scores(scores: &RecordScores) -> RecordScores {
    let mut compact = scores.clone();
    for s in &mut compact.scores {
        s.details.retain(|d| !d.ok);
    }
    compact
}

/// One trial ready to bind: its key and the columns serialized beforehand (serializing
/// can fail, binding cannot).
struct Pending<'a> {
    o: &'a RecordOutcome,
    index: i64,
    repetition: i64,
    output: Option<String>,
    scores: String,
}

/// Commits `outcomes` (a trial already stored is kept and not counted again) and their
/// field checks in one transaction.
pub(super) async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    experiment_id: &str,
    outcomes: &[RecordOutcome],
) -> StoreResult<()> {
    let created_at = timestamp();
    // A trial twice in one call: the first is stored, as one statement per trial did. (One
    // INSERT must not hold a key twice for ON CONFLICT to tell which one was stored.)
    let mut seen = HashSet::with_capacity(outcomes.len());
    let mut pending = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        if !seen.insert((o.record_index, o.repetition)) {
            continue;
        }
        // The parsed output is the raw output parsed: kept only when there is no raw text.
        let output = match (&o.output, &o.raw_output) {
            (Some(out), None) => Some(serde_json::to_string(out)?),
            _ => None,
        };
        pending.push(Pending {
            o,
            index: i64::try_from(o.record_index).unwrap_or(i64::MAX),
            repetition: i64::from(o.repetition),
            output,
            scores: serde_json::to_string(&compact_scores(&o.scores))?,
        });
    }
    let mut tally = FieldTally::default();
    let (mut fields, mut indexes, mut repetitions) = (Vec::new(), Vec::new(), Vec::new());
    for chunk in pending.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO experiment_records (experiment_id, record_index, repetition,
                record_id, raw_output, output, error, scores, overall, latency_ms, input_tokens,
                output_tokens, thinking_tokens, retries, created_at, cost_usd, cached, status,
                output_hash, judge_input_tokens, judge_output_tokens, judge_thinking_tokens,
                judge_cost_usd, judge_cached) ",
        );
        q.push_values(chunk, |mut b, p| {
            let o = p.o;
            let judge = o.judge.as_ref();
            b.push_bind(experiment_id)
                .push_bind(p.index)
                .push_bind(p.repetition)
                .push_bind(o.record_id.as_str())
                .push_bind(o.raw_output.as_deref().map(super::storable))
                .push_bind(p.output.as_deref())
                .push_bind(o.error.as_deref().map(super::storable))
                .push_bind(p.scores.as_str())
                .push_bind(o.scores.overall)
                .push_bind(o.latency_ms)
                .push_bind(to_i64(o.input_tokens))
                .push_bind(to_i64(o.output_tokens))
                .push_bind(to_i64(o.thinking_tokens))
                .push_bind(i64::from(o.retries))
                .push_bind(created_at.as_str())
                .push_bind(o.cost_usd)
                .push_bind(i64::from(o.cached))
                .push_bind(o.status.as_str())
                .push_bind(
                    o.output_hash
                        .or_else(|| o.output.as_ref().map(parsed_output_fingerprint)),
                )
                .push_bind(judge.and_then(|j| to_i64(j.input_tokens)))
                .push_bind(judge.and_then(|j| to_i64(j.output_tokens)))
                .push_bind(judge.and_then(|j| to_i64(j.thinking_tokens)))
                .push_bind(judge.and_then(|j| j.cost_usd))
                .push_bind(judge.map(|j| i64::from(j.cached)));
        });
        // RETURNING names the rows this statement stored: only those are counted.
        q.push(
            " ON CONFLICT (experiment_id, record_index, repetition) DO NOTHING
              RETURNING record_index, repetition",
        );
        let inserted: HashSet<(i64, i64)> = q
            .build_query_as::<(i64, i64)>()
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
        for p in chunk {
            if !inserted.contains(&(p.index, p.repetition)) {
                continue;
            }
            tally.add_trial(&p.o.scores);
            let failed: BTreeSet<String> =
                p.o.scores
                    .scores
                    .iter()
                    .flat_map(|s| &s.details)
                    .filter(|d| !d.ok)
                    .map(|d| pool_rows(&d.field))
                    .collect();
            for field in failed {
                fields.push(field);
                indexes.push(p.index);
                repetitions.push(p.repetition);
            }
        }
    }
    if !fields.is_empty() {
        sqlx::query(
            "INSERT INTO trial_failed_fields (experiment_id, field, record_index, repetition)
             SELECT $1, f.field, f.record_index, f.repetition
             FROM UNNEST($2::TEXT[], $3::BIGINT[], $4::BIGINT[])
                  AS f(field, record_index, repetition)
             ON CONFLICT DO NOTHING",
        )
        .bind(experiment_id)
        .bind(&fields)
        .bind(&indexes)
        .bind(&repetitions)
        .execute(&mut **tx)
        .await?;
    }
    if tally.is_empty() {
        return Ok(());
    }
    let (mut names, mut correct, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for (field, c, t) in tally.iter() {
        names.push(field);
        correct.push(big(c));
        total.push(big(t));
    }
    // One statement for the whole tally: a round trip per field would cost more than the
    // trials themselves.
    sqlx::query(
        "INSERT INTO experiment_field_tally (experiment_id, field, correct, total)
         SELECT $1, t.field, t.correct, t.total
         FROM UNNEST($2::TEXT[], $3::BIGINT[], $4::BIGINT[]) AS t(field, correct, total)
         ON CONFLICT (experiment_id, field) DO UPDATE SET
             correct = experiment_field_tally.correct + EXCLUDED.correct,
             total = experiment_field_tally.total + EXCLUDED.total",
    )
    .bind(experiment_id)
    .bind(&names)
    .bind(&correct)
    .bind(&total)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
