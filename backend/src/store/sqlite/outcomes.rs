//! Reading and writing trial outcome rows.

use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::parse_status;
use crate::outcome::RecordOutcome;
use crate::store::StoreResult;

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
pub(super) fn outcome_row(r: &SqliteRow) -> StoreResult<RecordOutcome> {
    let output: Option<String> = r.get("output");
    let opt_u64 = |name: &str| r.get::<Option<i64>, _>(name).map(|v| v as u64);
    Ok(RecordOutcome {
        record_index: r.get::<i64, _>("record_index") as usize,
        record_id: r.get("record_id"),
        repetition: r.get::<i64, _>("repetition") as u32,
        status: parse_status(r.get("status"))?,
        raw_output: r.get("raw_output"),
        output: output.map(|s| serde_json::from_str(&s)).transpose()?,
        error: r.get("error"),
        scores: serde_json::from_str(r.get::<&str, _>("scores"))?,
        latency_ms: r.get("latency_ms"),
        input_tokens: opt_u64("input_tokens"),
        output_tokens: opt_u64("output_tokens"),
        thinking_tokens: opt_u64("thinking_tokens"),
        retries: r.get::<i64, _>("retries") as u32,
        cost_usd: r.get("cost_usd"),
        cached: r.get::<i64, _>("cached") != 0,
    })
}

pub(super) fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}
