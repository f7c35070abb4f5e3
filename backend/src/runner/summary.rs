//! Turning an experiment's outcomes into the original's per-experiment summary.

use std::collections::BTreeMap;

use shared::{ExperimentStatus, ExperimentSummary, ModelConfig};

use super::ExperimentEnd;
use crate::eval::summary::{summarize, ScoredRecord};
use crate::eval::OVERALL_METRIC;
use crate::outcome::RecordOutcome;

/// The original contract's other two summary fields, by metric name.
const SUCCESS_RATE: &str = "success_rate";
const AVG_BALLOT_ACCURACY: &str = "avg_ballot_accuracy";

/// Everything needed to describe one finished experiment.
pub struct ExperimentFacts<'a> {
    pub experiment_id: &'a str,
    pub experiment_url: Option<String>,
    pub config: &'a ModelConfig,
    pub end: &'a ExperimentEnd,
    pub outcomes: &'a [RecordOutcome],
    pub repetitions: u32,
    /// Records of the dataset whose label breaks an identity.
    pub label_issues: u64,
    /// Seeds the bootstrap intervals.
    pub seed: u64,
}

/// Builds the original's summary (plus metrics with CIs) from an experiment's outcomes.
pub fn experiment_summary(f: &ExperimentFacts<'_>) -> ExperimentSummary {
    let scored: Vec<ScoredRecord<'_>> = f
        .outcomes
        .iter()
        .map(|o| ScoredRecord {
            record_id: &o.record_id,
            scores: &o.scores,
        })
        .collect();
    let metrics = summarize(&scored, f.seed);
    let total = f.outcomes.len() as u64;
    let ok = f.outcomes.iter().filter(|o| o.error.is_none()).count() as u64;
    let (status, error) = match f.end {
        ExperimentEnd::Completed => (ExperimentStatus::Success, None),
        ExperimentEnd::Failed(e) => (ExperimentStatus::Failed, Some(e.clone())),
        ExperimentEnd::Cancelled => (
            ExperimentStatus::Cancelled,
            Some("cancelled before every record ran".into()),
        ),
    };
    ExperimentSummary {
        experiment_id: f.experiment_id.to_string(),
        experiment_name: f.config.experiment_name(),
        experiment_url: f.experiment_url.clone(),
        model: f.config.model.clone(),
        temperature: f.config.temperature,
        status,
        total_records: total,
        successful_records: ok,
        failed_records: total - ok,
        overall_accuracy: metrics.value(OVERALL_METRIC),
        success_rate: metrics.value(SUCCESS_RATE),
        avg_ballot_accuracy: metrics.value(AVG_BALLOT_ACCURACY),
        error,
        metrics: Some(metrics),
        repetitions: f.repetitions,
        repetition_agreement: repetition_agreement(f.outcomes),
        label_issues: f.label_issues,
        usage: Some(usage(f.outcomes)),
        prompt_version: None,
    }
}

/// Tokens, cost, latency percentiles, cache hits and retries over the outcomes.
pub fn usage(outcomes: &[RecordOutcome]) -> shared::UsageSummary {
    let mut latencies: Vec<f64> = outcomes
        .iter()
        .filter(|o| !o.cached)
        .map(|o| o.latency_ms)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i]
    };
    let sum = |f: fn(&RecordOutcome) -> Option<u64>| outcomes.iter().filter_map(f).sum::<u64>();
    shared::UsageSummary {
        input_tokens: sum(|o| o.input_tokens),
        output_tokens: sum(|o| o.output_tokens),
        thinking_tokens: sum(|o| o.thinking_tokens),
        cost_usd: outcomes.iter().filter_map(|o| o.cost_usd).sum(),
        cached_records: outcomes.iter().filter(|o| o.cached).count() as u64,
        retries: outcomes.iter().map(|o| u64::from(o.retries)).sum(),
        p50_latency_ms: pct(0.50),
        p95_latency_ms: pct(0.95),
    }
}

/// Share of records whose repetitions all produced the same parsed output (or the same
/// error); `None` when no record ran more than once.
pub fn repetition_agreement(outcomes: &[RecordOutcome]) -> Option<f64> {
    let mut by_record: BTreeMap<usize, Vec<&RecordOutcome>> = BTreeMap::new();
    for o in outcomes {
        by_record.entry(o.record_index).or_default().push(o);
    }
    let repeated: Vec<_> = by_record.values().filter(|v| v.len() > 1).collect();
    if repeated.is_empty() {
        return None;
    }
    let agree = repeated
        .iter()
        .filter(|v| {
            v.windows(2)
                .all(|w| w[0].output == w[1].output && w[0].error == w[1].error)
        })
        .count();
    #[allow(clippy::cast_precision_loss)]
    Some(agree as f64 / repeated.len() as f64)
}
