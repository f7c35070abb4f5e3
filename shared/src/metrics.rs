//! Summary metrics with confidence intervals, and paired comparisons of experiments.

use serde::{Deserialize, Serialize};

/// A point estimate with a 95% confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricEstimate {
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Number of observations behind the estimate.
    pub n: usize,
    /// "wilson" for proportions, "bootstrap" for means.
    pub method: String,
}

/// Accuracy of one field across the records of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldAccuracy {
    /// e.g. "ballot_statistics.good_ballots".
    pub field: String,
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

/// Every summary metric of one experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentMetrics {
    /// Mean over records of mean(exact_form_match, ballot_accuracy_score, vote_results_quality);
    /// a failed record counts 0.
    pub overall_accuracy: MetricEstimate,
    /// Share of records with has_no_errors.
    pub success_rate: MetricEstimate,
    /// Mean ballot_accuracy_score.
    pub avg_ballot_accuracy: MetricEstimate,
    /// Share of records with exact_form_match.
    pub exact_form_match_rate: MetricEstimate,
    /// Mean vote_results_quality.
    pub avg_vote_results_quality: MetricEstimate,
    /// Mean voter_statistics_accuracy.
    pub avg_voter_statistics_accuracy: MetricEstimate,
    /// Share of successful outputs that satisfy every arithmetic identity.
    pub arithmetic_consistency_rate: MetricEstimate,
    /// Per-field accuracy across the dataset.
    pub per_field: Vec<FieldAccuracy>,
}

/// Outcome of a paired comparison at 95%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    ABetter,
    BBetter,
    NotDistinguishable,
}

/// A paired comparison of one metric between experiments A and B on the same records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairedComparison {
    pub metric: String,
    /// Number of paired records.
    pub n: usize,
    pub a: f64,
    pub b: f64,
    /// Mean of (A − B).
    pub difference: f64,
    /// 95% interval of the difference (bootstrap), when the method gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// Two-sided p-value, when the method gives one (McNemar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// "exact_mcnemar" or "paired_bootstrap".
    pub method: String,
    pub verdict: Verdict,
    /// One sentence a reader can act on.
    pub explanation: String,
}

/// Tokens, cost and latency of an experiment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageSummary {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub thinking_tokens: u64,
    /// USD from the registry's prices; cached answers cost 0.
    pub cost_usd: f64,
    /// Tasks answered from the response cache.
    pub cached_records: u64,
    /// Retries the calls needed in all.
    pub retries: u64,
    pub p50_latency_ms: f64,
    pub p95_latency_ms: f64,
}
