//! The sample-size planner: how many records a paired comparison of two configurations
//! needs to tell a given difference, and what that costs.

use serde::{Deserialize, Serialize};

use crate::api::ExperimentRunRequest;
use crate::error::FieldError;

/// The metric a plan or a sequential run compares when none is named.
pub const DEFAULT_PLAN_METRIC: &str = "overall_accuracy";
/// The power a plan aims at when none is named.
pub const DEFAULT_POWER: f64 = 0.8;
/// The error rate (two-sided) a plan or a sequential run allows when none is named.
pub const DEFAULT_ALPHA: f64 = 0.05;

pub(crate) fn default_metric() -> String {
    DEFAULT_PLAN_METRIC.to_string()
}

pub(crate) fn default_alpha() -> f64 {
    DEFAULT_ALPHA
}

fn default_power() -> f64 {
    DEFAULT_POWER
}

/// Two experiments already run on the same records (a pilot): their paired records give
/// the baseline, the discordance of pass/fail metrics or the spread of score differences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotExperiments {
    /// The baseline configuration's experiment (A).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub experiment_a: String,
    /// The challenger's experiment (B).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub experiment_b: String,
}

/// Body of `POST /api/v1/experiments/plan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanRequest {
    /// The run being planned: its dataset (version, sample) says how many records there
    /// are; its model configs (the first is the baseline A) what a record costs.
    pub run: ExperimentRunRequest,
    /// A summary metric, e.g. "overall_accuracy" (default), "success_rate",
    /// "exact_form_match_rate", "avg_ballot_accuracy" (see `GET /api/v1/evaluators`).
    #[serde(default = "default_metric")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub metric: String,
    /// The smallest difference worth detecting, as a share: 0.03 is 3 points.
    #[cfg_attr(feature = "openapi", schema(exclusive_minimum = 0.0, maximum = 1.0))]
    pub min_difference: f64,
    /// The baseline's value of the metric (0–1), measured or assumed; absent: the pilot's A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 1.0))]
    pub baseline: Option<f64>,
    /// For score metrics: the standard deviation of per-record differences (A − B);
    /// absent: the pilot's, else the largest a metric of these means can have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(exclusive_minimum = 0.0, maximum = 1.0))]
    pub sd_difference: Option<f64>,
    /// Experiments run before on the same records whose pairs measure the baseline and the
    /// spread (a pilot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pilot: Option<PilotExperiments>,
    /// The chance of finding a true difference of `min_difference` (default 0.8).
    #[serde(default = "default_power")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.5, maximum = 0.99))]
    pub power: f64,
    /// The chance of declaring a difference that is not there, two-sided (default 0.05).
    #[serde(default = "default_alpha")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.001, maximum = 0.2))]
    pub alpha: f64,
}

/// Body answered by `POST /api/v1/experiments/plan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SamplePlan {
    pub metric: String,
    /// "binary" (pass/fail, McNemar) or "score" (paired differences).
    pub kind: crate::MetricKind,
    pub min_difference: f64,
    pub power: f64,
    pub alpha: f64,
    /// The baseline's value used.
    pub baseline: f64,
    /// Binary metrics: the share of records on which A and B disagree, used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discordance: Option<f64>,
    /// Score metrics: the standard deviation of per-record differences, used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd_difference: Option<f64>,
    /// Where the baseline and the spread came from, in one sentence.
    pub assumptions: String,
    /// Records each configuration must run; absent when the difference cannot be told
    /// (the baseline plus the difference leaves 0–1).
    pub records_needed: Option<u64>,
    /// Records the planned run's sample holds.
    pub records_available: u64,
    /// Estimated cost of one record over every config of the run, USD (list prices).
    pub cost_per_record_usd: f64,
    /// Estimated cost of `records_needed` records (of all of them when they do not
    /// suffice), USD.
    pub estimated_cost_usd: f64,
    /// The plan in one sentence.
    pub summary: String,
    /// The formulas, with references.
    pub method: String,
}

/// What a "not distinguishable" comparison could still settle: the difference its interval
/// leaves open and the records that would tell it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    /// The results are consistent with a difference of up to this much (either way).
    pub up_to: f64,
    /// Paired records a fixed-size comparison needs to tell a difference of `up_to` with
    /// 80% power at the 5% level, from this comparison's own discordance or spread.
    pub records_needed: u64,
    /// How many more than were compared.
    pub more_records: u64,
    pub summary: String,
}

impl PlanRequest {
    /// Problems with the planning fields (the run itself is checked on its own).
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: &str, ok: bool, message: &str| {
            if !ok {
                errors.push(FieldError {
                    field: field.into(),
                    message: message.into(),
                });
            }
        };
        let within = |x: f64, lo: f64, hi: f64| x.is_finite() && x >= lo && x <= hi;
        check(
            "metric",
            !self.metric.trim().is_empty() && self.metric.chars().count() <= 200,
            "must name a summary metric (1 to 200 characters)",
        );
        check(
            "min_difference",
            within(self.min_difference, 0.0, 1.0) && self.min_difference > 0.0,
            "must be a share above 0 and at most 1 (0.03 is 3 points)",
        );
        if let Some(b) = self.baseline {
            check("baseline", within(b, 0.0, 1.0), "must be between 0 and 1");
        }
        if let Some(sd) = self.sd_difference {
            check(
                "sd_difference",
                within(sd, 0.0, 1.0) && sd > 0.0,
                "must be above 0 and at most 1",
            );
        }
        check(
            "power",
            within(self.power, 0.5, 0.99),
            "must be between 0.5 and 0.99",
        );
        check(
            "alpha",
            within(self.alpha, 0.001, 0.2),
            "must be between 0.001 and 0.2",
        );
        if let Some(p) = &self.pilot {
            for (field, id) in [
                ("pilot.experiment_a", &p.experiment_a),
                ("pilot.experiment_b", &p.experiment_b),
            ] {
                check(
                    field,
                    !id.trim().is_empty() && id.chars().count() <= 200,
                    "must name an experiment (1 to 200 characters)",
                );
            }
        }
        if self.baseline.is_none() && self.pilot.is_none() {
            check(
                "baseline",
                false,
                "is required without a pilot: the baseline's expected value of the metric",
            );
        }
        errors.extend(self.run.validate().into_iter().map(|e| FieldError {
            field: format!("run.{}", e.field),
            message: e.message,
        }));
        errors
    }
}
