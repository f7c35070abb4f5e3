//! Turning an experiment's trials into the original's per-experiment summary. Trials are
//! folded one at a time into a [`SummaryBuilder`], which keeps compact columns (scores,
//! latencies, usage sums, a per-field tally), never the outcomes themselves.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use shared::{ExperimentStatus, ExperimentSummary, ModelConfig};

use super::ExperimentEnd;
use crate::eval::judge::WEIGHTED_METRIC;
use crate::eval::summary::summarize_table;
use crate::eval::table::{FieldTally, ScoreTable};
use crate::eval::OVERALL_METRIC;
use crate::outcome::RecordOutcome;

/// The original contract's other two summary fields, by metric name.
const SUCCESS_RATE: &str = "success_rate";
const AVG_BALLOT_ACCURACY: &str = "avg_ballot_accuracy";

/// Everything needed to describe one finished experiment besides its trials.
pub struct ExperimentFacts<'a> {
    pub experiment_id: &'a str,
    pub experiment_url: Option<String>,
    pub config: &'a ModelConfig,
    pub end: &'a ExperimentEnd,
    pub repetitions: u32,
    /// Records of the dataset whose label breaks an identity.
    pub label_issues: u64,
    /// Seeds the bootstrap intervals.
    pub seed: u64,
    /// The LLM judge's model, when the run named one.
    pub judge_model: Option<&'a str>,
}

/// Folds trials into what a summary needs.
#[derive(Debug, Default)]
pub struct SummaryBuilder {
    table: ScoreTable,
    fields: FieldTally,
    /// Whether field checks are counted from each trial's detail (false when the caller
    /// supplies the tally, e.g. from the store, where passing checks are not kept).
    tally_details: bool,
    ok: u64,
    latencies: Vec<f64>,
    usage: shared::UsageSummary,
    /// The judge's calls, apart from the extraction's usage.
    judge: Option<shared::JudgeUsage>,
    /// Per record index: the fingerprint of its first trial's result, and whether every
    /// later repetition matched it (only kept when repetitions are compared).
    agreement: Option<HashMap<usize, (u64, bool, u32)>>,
    /// Repetition agreement measured elsewhere (see [`SummaryBuilder::set_agreement`]).
    measured_agreement: Option<f64>,
}

impl SummaryBuilder {
    /// A builder; `tally_details` counts per-field accuracy from each trial's field checks,
    /// `repetitions` > 1 also measures repetition agreement from outputs.
    pub fn new(tally_details: bool, repetitions: u32) -> Self {
        SummaryBuilder {
            tally_details,
            agreement: (repetitions > 1).then(HashMap::new),
            ..SummaryBuilder::default()
        }
    }

    /// Adds one trial. Its `raw_output` is not needed; `output` only for agreement.
    pub fn add(&mut self, o: &RecordOutcome) {
        self.table.push(&o.record_id, o.repetition, &o.scores);
        if self.tally_details {
            self.fields.add_trial(&o.scores);
        }
        self.ok += u64::from(o.error.is_none());
        if !o.cached {
            self.latencies.push(o.latency_ms);
        }
        let u = &mut self.usage;
        u.input_tokens += o.input_tokens.unwrap_or(0);
        u.output_tokens += o.output_tokens.unwrap_or(0);
        u.thinking_tokens += o.thinking_tokens.unwrap_or(0);
        u.cost_usd += o.cost_usd.unwrap_or(0.0);
        u.cached_records += u64::from(o.cached);
        u.retries += u64::from(o.retries);
        if let Some(call) = &o.judge {
            let j = self.judge.get_or_insert_with(Default::default);
            j.calls += 1;
            j.input_tokens += call.input_tokens.unwrap_or(0);
            j.output_tokens += call.output_tokens.unwrap_or(0);
            j.thinking_tokens += call.thinking_tokens.unwrap_or(0);
            j.cost_usd += call.cost_usd.unwrap_or(0.0);
            j.cached += u64::from(call.cached);
        }
        if let Some(agreement) = &mut self.agreement {
            let print = fingerprint(o);
            agreement
                .entry(o.record_index)
                .and_modify(|(first, same, n)| {
                    *same &= *first == print;
                    *n += 1;
                })
                .or_insert((print, true, 1));
        }
    }

    /// Adds field counts kept elsewhere (the store's tally of the same trials).
    pub fn add_fields(&mut self, tally: &FieldTally) {
        self.fields.merge(tally);
    }

    /// Sets repetition agreement measured elsewhere (the store compares stored outputs).
    pub fn set_agreement(&mut self, agreement: Option<f64>) {
        self.agreement = None;
        self.measured_agreement = agreement;
    }

    /// The scores folded so far, in columns (what paired comparisons need).
    pub fn table(&self) -> &ScoreTable {
        &self.table
    }

    /// Builds the original's summary (plus metrics with CIs).
    pub fn finish(self, f: &ExperimentFacts<'_>) -> ExperimentSummary {
        let metrics = summarize_table(&self.table, &self.fields, f.seed);
        let total = self.table.len() as u64;
        let (status, error) = match f.end {
            ExperimentEnd::Completed => (ExperimentStatus::Success, None),
            ExperimentEnd::Failed(e) => (ExperimentStatus::Failed, Some(e.clone())),
            ExperimentEnd::Cancelled => (
                ExperimentStatus::Cancelled,
                Some("cancelled before every record ran".into()),
            ),
        };
        let repetition_agreement = match &self.agreement {
            Some(a) => agreement_share(a),
            None => self.measured_agreement,
        };
        ExperimentSummary {
            experiment_id: f.experiment_id.to_string(),
            experiment_name: f.config.experiment_name(),
            experiment_url: f.experiment_url.clone(),
            local_url: None,
            datadog_export: None,
            model: f.config.model.clone(),
            temperature: f.config.temperature,
            status,
            total_records: total,
            successful_records: self.ok,
            failed_records: total - self.ok,
            overall_accuracy: metrics.value(OVERALL_METRIC),
            success_rate: metrics.value(SUCCESS_RATE),
            avg_ballot_accuracy: metrics.value(AVG_BALLOT_ACCURACY),
            overall_accuracy_weighted: metrics.get(WEIGHTED_METRIC).map(|m| m.value),
            error,
            metrics: Some(metrics),
            repetitions: f.repetitions,
            repetition_agreement,
            label_issues: f.label_issues,
            usage: Some(shared::UsageSummary {
                // A judge named but never called (nothing parsed, or every call failed before
                // billing) still shows, with zero calls.
                judge: self
                    .judge
                    .or_else(|| f.judge_model.map(|_| shared::JudgeUsage::default()))
                    .map(|j| shared::JudgeUsage {
                        model: f.judge_model.unwrap_or_default().to_string(),
                        ..j
                    }),
                ..finish_usage(self.usage, self.latencies)
            }),
            prompt_version: None,
        }
    }
}

/// What two repetitions must share to agree: the same parsed output, or the same error.
fn fingerprint(o: &RecordOutcome) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (o.output_hash, &o.error).hash(&mut h);
    h.finish()
}

/// Share of records whose repetitions all agree; `None` when no record ran more than once.
fn agreement_share(a: &HashMap<usize, (u64, bool, u32)>) -> Option<f64> {
    let repeated = a.values().filter(|(_, _, n)| *n > 1).count();
    let agree = a.values().filter(|(_, same, n)| *n > 1 && *same).count();
    #[allow(clippy::cast_precision_loss)]
    (repeated > 0).then(|| agree as f64 / repeated as f64)
}

/// Usage with latency percentiles (nearest rank over the uncached trials).
fn finish_usage(mut usage: shared::UsageSummary, mut latencies: Vec<f64>) -> shared::UsageSummary {
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
    usage.p50_latency_ms = pct(0.50);
    usage.p95_latency_ms = pct(0.95);
    usage
}
