//! One trial: call the provider, parse, score (and, when the run names one, ask the judge).

use std::time::Instant;

use shared::{DatasetRecord, ModelConfig, RecordStatus};
use tracing::Instrument;

use super::judge::Judge;
use crate::eval;
use crate::outcome::{parsed_output_fingerprint, RecordOutcome};
use crate::providers::{CallOptions, Provider, ProviderError, Usage};
use crate::report;

/// A finished trial.
pub struct Trial {
    pub outcome: RecordOutcome,
    /// The provider refused the call in a way every later call will share (credentials,
    /// permission, daily quota): `raise_errors` stops the experiment at once.
    pub dooms_later_calls: bool,
}

/// Runs one record through the provider and scores it. Never fails: an error becomes a
/// scored failed outcome whose status says whether the call or the output failed.
pub async fn run_trial(
    provider: &dyn Provider,
    record: &DatasetRecord,
    record_index: usize,
    repetition: u32,
    config: &ModelConfig,
    options: CallOptions,
    judge: Option<&Judge>,
) -> Trial {
    let started = Instant::now();
    let span =
        tracing::debug_span!("model_call", provider = provider.kind(), model = %config.model);
    let result = provider
        .complete(
            &record.input,
            config,
            CallOptions {
                repetition,
                ..options
            },
        )
        .instrument(span.clone())
        .await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| match &result {
        Ok(c) => tracing::debug!(
            latency_ms,
            input_tokens = c.input_tokens,
            output_tokens = c.output_tokens,
            retries = c.retries,
            cached = c.cached,
            "model answered"
        ),
        Err(e) => tracing::debug!(latency_ms, error = %e, "model call failed"),
    });
    match result {
        Ok(c) => {
            let (status, mut scores, output, error) = match report::parse_output(&c.text) {
                Ok(parsed) => (
                    RecordStatus::Ok,
                    eval::evaluate_record(&record.expected_output, Ok(&parsed)),
                    Some(parsed),
                    None,
                ),
                Err(e) => {
                    let msg = format!("output is not a vote report: {e}");
                    (
                        RecordStatus::InvalidOutput,
                        eval::failed_record(&msg),
                        None,
                        Some(msg),
                    )
                }
            };
            let usage = c.usage();
            let judge_call = match judge {
                Some(j) => {
                    j.judge(
                        &record.expected_output,
                        output.as_ref(),
                        &mut scores,
                        options,
                    )
                    .await
                }
                None => None,
            };
            let outcome = RecordOutcome {
                record_index,
                record_id: record.id.clone(),
                repetition,
                status,
                raw_output: Some(c.text),
                output_hash: output.as_ref().map(parsed_output_fingerprint),
                output,
                error,
                scores,
                latency_ms,
                input_tokens: None,
                output_tokens: None,
                thinking_tokens: None,
                retries: c.retries,
                cost_usd: None,
                cached: c.cached,
                judge: judge_call,
            };
            Trial {
                outcome: with_usage(outcome, usage),
                dooms_later_calls: false,
            }
        }
        Err(e) => {
            // A billed but unusable answer (truncated, blocked, empty) still costs tokens.
            let usage = match &e {
                ProviderError::Unusable { usage, .. } => *usage,
                _ => Usage::default(),
            };
            let mut outcome = RecordOutcome {
                latency_ms,
                ..RecordOutcome::failed(
                    record_index,
                    &record.id,
                    repetition,
                    RecordStatus::CallFailed,
                    // Providers redact their own keys; this catches key-shaped text from any.
                    crate::providers::redact::redact(&e.to_string(), &[]),
                )
            };
            if let Some(j) = judge {
                j.judge(&record.expected_output, None, &mut outcome.scores, options)
                    .await;
            }
            Trial {
                outcome: with_usage(outcome, usage),
                dooms_later_calls: e.dooms_later_calls(),
            }
        }
    }
}

/// The outcome carrying what its call cost (an answer's, or a billed failure's).
fn with_usage(outcome: RecordOutcome, usage: Usage) -> RecordOutcome {
    RecordOutcome {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        thinking_tokens: usage.thinking_tokens,
        cost_usd: usage.cost_usd,
        ..outcome
    }
}
