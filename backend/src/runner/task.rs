//! One record task: call the provider, parse, score.

use std::time::Instant;

use shared::{DatasetRecord, ModelConfig};

use super::RecordOutcome;
use crate::eval;
use crate::providers::{CallOptions, Provider};
use crate::report;

/// Runs one record through the provider and scores it. Never fails: an error becomes a
/// scored failed record.
pub async fn run_task(
    provider: &dyn Provider,
    record: &DatasetRecord,
    record_index: usize,
    repetition: u32,
    config: &ModelConfig,
    options: CallOptions,
) -> RecordOutcome {
    let started = Instant::now();
    let result = provider.complete(&record.input, config, options).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut outcome = RecordOutcome {
        record_index,
        record_id: record.id.clone(),
        repetition,
        raw_output: None,
        output: None,
        error: None,
        scores: eval::failed_record("not run"),
        latency_ms,
        input_tokens: None,
        output_tokens: None,
        thinking_tokens: None,
        retries: 0,
        cost_usd: None,
        cached: false,
    };
    match result {
        Ok(c) => {
            outcome.input_tokens = c.input_tokens;
            outcome.output_tokens = c.output_tokens;
            outcome.thinking_tokens = c.thinking_tokens;
            outcome.retries = c.retries;
            outcome.cost_usd = c.cost_usd;
            outcome.cached = c.cached;
            match report::parse_output(&c.text) {
                Ok(parsed) => {
                    outcome.scores = eval::evaluate_record(&record.expected_output, Ok(&parsed));
                    outcome.output = Some(parsed);
                }
                Err(e) => {
                    let msg = format!("output is not a vote report: {e}");
                    outcome.scores = eval::failed_record(&msg);
                    outcome.error = Some(msg);
                }
            }
            outcome.raw_output = Some(c.text);
        }
        Err(e) => {
            let msg = e.to_string();
            outcome.scores = eval::failed_record(&msg);
            outcome.error = Some(msg);
        }
    }
    outcome
}
