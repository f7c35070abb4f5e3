//! What one trial (a record × repetition) produced. The runner makes these, the store
//! keeps them, the service summarises and compares them: the type sits below all three.

use serde::Serialize;
use shared::{RecordScores, RecordStatus, ReportSet};

/// One finished trial: its output, scores, and what the call cost.
#[derive(Debug, Clone, Serialize)]
pub struct RecordOutcome {
    pub record_index: usize,
    pub record_id: String,
    pub repetition: u32,
    /// How the trial ended.
    pub status: RecordStatus,
    /// The model's raw text, when it returned any.
    pub raw_output: Option<String>,
    /// The parsed reports, when the text parsed.
    pub output: Option<ReportSet>,
    /// Why the trial failed, when it did.
    pub error: Option<String>,
    pub scores: RecordScores,
    pub latency_ms: f64,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub thinking_tokens: Option<u64>,
    pub retries: u32,
    /// USD; 0 when cached or free.
    pub cost_usd: Option<f64>,
    /// Answered from the response cache.
    pub cached: bool,
}

impl RecordOutcome {
    /// A trial that produced nothing: `status` says why, `error` says what happened.
    pub fn failed(
        record_index: usize,
        record_id: &str,
        repetition: u32,
        status: RecordStatus,
        error: String,
    ) -> Self {
        RecordOutcome {
            record_index,
            record_id: record_id.to_string(),
            repetition,
            status,
            raw_output: None,
            output: None,
            scores: crate::eval::failed_record(&error),
            error: Some(error),
            latency_ms: 0.0,
            input_tokens: None,
            output_tokens: None,
            thinking_tokens: None,
            retries: 0,
            cost_usd: None,
            cached: false,
        }
    }
}

/// What makes two parsed outputs the same for repetition agreement: 63 bits of the SHA-256 of
/// the output's JSON (equal outputs, equal fingerprints). Stored beside each trial.
pub fn output_fingerprint(output_json: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(output_json.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first) & i64::MAX
}
