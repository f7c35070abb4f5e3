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
    /// [`parsed_output_fingerprint`] of `output`, computed once where the output is made.
    pub output_hash: Option<i64>,
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
    /// What the LLM judge's call cost, when one was made (apart from the extraction's).
    pub judge: Option<shared::JudgeCall>,
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
            output_hash: None,
            scores: crate::eval::failed_record(&error),
            error: Some(error),
            latency_ms: 0.0,
            input_tokens: None,
            output_tokens: None,
            thinking_tokens: None,
            retries: 0,
            cost_usd: None,
            cached: false,
            judge: None,
        }
    }

    /// Tokens the trial used: input, output and thinking, the LLM judge's included.
    pub fn tokens_used(&self) -> u64 {
        let own = [self.input_tokens, self.output_tokens, self.thinking_tokens];
        let judge = self.judge.as_ref().map_or([None; 3], |j| {
            [j.input_tokens, j.output_tokens, j.thinking_tokens]
        });
        own.iter().chain(&judge).flatten().sum()
    }

    /// What the trial cost, USD, the LLM judge's call included.
    pub fn cost_with_judge(&self) -> f64 {
        self.cost_usd.unwrap_or(0.0) + self.judge.as_ref().and_then(|j| j.cost_usd).unwrap_or(0.0)
    }
}

/// What makes two parsed outputs the same for repetition agreement: 63 bits of the SHA-256 of
/// the output's JSON (equal outputs, equal fingerprints), hashed as it is serialised (no copy
/// of the text). Stored beside each trial.
pub fn parsed_output_fingerprint(output: &shared::ReportSet) -> i64 {
    use sha2::{Digest, Sha256};
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing to a hasher cannot fail, and a report set always serialises.
    let _ = serde_json::to_writer(&mut h, output);
    let mut first = [0u8; 8];
    first.copy_from_slice(&h.0.finalize()[..8]);
    i64::from_be_bytes(first) & i64::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fingerprints stored by earlier versions hashed the output's JSON text.
    #[test]
    fn a_streamed_fingerprint_equals_the_fingerprint_of_the_text() {
        let set = crate::report::parse_output(
            r#"{"form_info": {"form_type": "PartyList"}, "vote_results": [{"number": 1, "party_name": "ก", "vote_count": 5}]}"#,
        )
        .unwrap();
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(serde_json::to_string(&set).unwrap().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        assert_eq!(
            parsed_output_fingerprint(&set),
            i64::from_be_bytes(first) & i64::MAX
        );
    }
}
