//! Runs that stop when the verdict is decided: the request option and what the run
//! reports (stored with the run, shown live while it goes on).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::planning::{default_alpha, default_metric};

/// Addition to a run request: take the records in a seeded random order, every config in
/// step, and stop as soon as an always-valid confidence sequence decides each comparison
/// of a config with the first one (better, worse, or equivalent within `min_difference`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopWhenDecided {
    /// The summary metric decided on: "overall_accuracy" (default) or a per-trial
    /// evaluator's metric such as "exact_form_match_rate" (see `GET /api/v1/evaluators`).
    #[serde(default = "default_metric")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub metric: String,
    /// The smallest difference of interest, as a share (0.03 is 3 points): configs whose
    /// difference is surely inside ±this are declared equivalent.
    #[cfg_attr(feature = "openapi", schema(exclusive_minimum = 0.0, maximum = 1.0))]
    pub min_difference: f64,
    /// The chance that the run ever declares a wrong verdict, over all its comparisons
    /// (default 0.05; split evenly between them).
    #[serde(default = "default_alpha")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.001, maximum = 0.2))]
    pub alpha: f64,
    /// Seed of the record order; absent, the server picks one and records it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub seed: Option<u64>,
}

crate::status::wire_enum! {
    /// Where a sequential comparison stands.
    SequentialDecision {
        /// The sequence still holds 0 and values beyond the margin.
        Undecided => "undecided",
        /// A (the first config) is better: the sequence lies above 0.
        ABetter => "a_better",
        /// B is better: the sequence lies below 0.
        BBetter => "b_better",
        /// Neither is better by `min_difference` or more: the sequence lies inside it.
        Equivalent => "equivalent",
    }
}

crate::status::wire_enum! {
    /// Why a sequential run stopped (or that it goes on).
    SequentialState {
        /// Still taking records.
        Running => "running",
        /// Every comparison is decided: the remaining records were not run.
        Decided => "decided",
        /// Every record ran before every comparison was decided.
        Exhausted => "exhausted",
        /// The run was cancelled or failed first.
        Stopped => "stopped",
    }
}

/// One point of a running confidence sequence (for the chart).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequencePoint {
    /// Paired records seen.
    pub n: u64,
    /// Mean difference A − B so far.
    pub difference: f64,
    pub low: f64,
    pub high: f64,
}

/// The first config (A) against one other (B), as the sequence says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequentialComparison {
    pub experiment_a: String,
    pub experiment_b: String,
    pub name_a: String,
    pub name_b: String,
    /// Paired records seen.
    pub n: u64,
    pub a: f64,
    pub b: f64,
    /// Mean difference A − B.
    pub difference: f64,
    /// The confidence sequence for the difference now: it held the true difference at
    /// every record so far, with probability at least 1 − its alpha.
    pub low: f64,
    pub high: f64,
    pub decision: SequentialDecision,
    /// Paired records when the decision was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<u64>,
    /// The sequence as it narrowed (at most a few hundred points, evenly thinned).
    #[serde(default)]
    pub trace: Vec<SequencePoint>,
}

/// What a `stop_when_decided` run found and saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequentialResult {
    pub metric: String,
    pub min_difference: f64,
    /// The run's alpha; each comparison's is `alpha ÷ comparisons`.
    pub alpha: f64,
    /// The seed of the record order.
    pub seed: u64,
    /// "empirical_bernstein_confidence_sequence".
    pub method: String,
    pub state: SequentialState,
    /// Records every config ran, in the run's order (the paired prefix).
    pub records_compared: u64,
    /// Records the run could have taken.
    pub records_available: u64,
    /// Records not run because the verdict was decided first (per config).
    pub records_saved: u64,
    /// What the run's trials cost, USD.
    pub cost_usd: f64,
    /// What the records not run would have cost at the run's average cost per record.
    pub cost_saved_usd: f64,
    pub comparisons: Vec<SequentialComparison>,
    /// The result in plain words.
    pub summary: String,
}

impl StopWhenDecided {
    /// Problems with the option, its fields under `stop_when_decided.`.
    pub fn validate(&self, configs: usize, repetitions: Option<u32>) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut push = |field: &str, message: &str| {
            errors.push(FieldError {
                field: format!("stop_when_decided{field}"),
                message: message.into(),
            })
        };
        if configs < 2 {
            push(
                "",
                "needs two or more model configs: each is compared with the first",
            );
        }
        if repetitions.is_some_and(|r| r != 1) {
            push("", "needs repetitions 1: each record is one paired look");
        }
        if self.metric.trim().is_empty() || self.metric.chars().count() > 200 {
            push(
                ".metric",
                "must name a summary metric (1 to 200 characters)",
            );
        }
        let d = self.min_difference;
        if !(d.is_finite() && d > 0.0 && d <= 1.0) {
            push(
                ".min_difference",
                "must be a share above 0 and at most 1 (0.03 is 3 points)",
            );
        }
        if !(self.alpha.is_finite() && (0.001..=0.2).contains(&self.alpha)) {
            push(".alpha", "must be between 0.001 and 0.2");
        }
        errors
    }
}
