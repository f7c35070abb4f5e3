//! The cost estimate shown before a run.

use serde::{Deserialize, Serialize};

/// Estimated tokens and cost of one experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentEstimate {
    pub experiment_name: String,
    pub model: String,
    /// Calls: records × repetitions.
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub input_price_per_mtok: f64,
    pub output_price_per_mtok: f64,
    pub cost_usd: f64,
    /// Whether the model can run now.
    pub available: bool,
    /// The LLM judge's calls on this experiment's outputs, when the request names a judge
    /// (included in the run's total, not in `cost_usd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<JudgeEstimate>,
}

/// Estimated tokens and cost of the LLM judge on one experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JudgeEstimate {
    pub model: String,
    /// At most one per trial (only outputs that parse are judged).
    pub calls: u64,
    pub input_tokens: u64,
    /// Output tokens, the judge model's thinking budget included when it has one.
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// Whether the model can judge now (a run naming it is refused otherwise).
    pub available: bool,
}

/// Body of `POST /api/v1/experiments/estimate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostEstimate {
    pub dataset_name: String,
    pub dataset_version: u32,
    pub records: u64,
    pub experiments: Vec<ExperimentEstimate>,
    pub total_cost_usd: f64,
    /// How the numbers were obtained, in one paragraph.
    pub method: String,
}
