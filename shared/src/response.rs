//! Response bodies of the experiments API: the original's shapes, field for field, plus
//! additions documented as such.

use serde::{Deserialize, Serialize};

use crate::metrics::ExperimentMetrics;
use crate::status::{ExperimentStatus, RunOutcome};

/// Summary of one experiment in a run response (the original's shape plus additions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentSummary {
    pub experiment_id: String,
    pub experiment_name: String,
    /// Where to see the experiment: Datadog's page once the experiment is created there,
    /// else the web app's.
    pub experiment_url: Option<String>,
    pub model: String,
    pub temperature: f64,
    /// "success", "failed" or "cancelled".
    pub status: ExperimentStatus,
    pub total_records: u64,
    pub successful_records: u64,
    pub failed_records: u64,
    pub overall_accuracy: f64,
    pub success_rate: f64,
    pub avg_ballot_accuracy: f64,
    /// Addition, when the LLM judge ran: the original's weighted overall accuracy,
    /// 0.15·exact_form_match + 0.25·ballot_accuracy_score + 0.30·vote_results_quality +
    /// 0.30·llm_judge_evaluator, averaged over the trials the judge scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_accuracy_weighted: Option<f64>,
    /// Addition: why the experiment failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Addition: every metric with its 95% confidence interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<ExperimentMetrics>,
    /// Addition: repetitions per record.
    #[serde(default = "one")]
    pub repetitions: u32,
    /// Addition: share of records whose repetitions all produced the same output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repetition_agreement: Option<f64>,
    /// Addition: records whose label breaks an arithmetic identity.
    #[serde(default)]
    pub label_issues: u64,
    /// Addition: the extraction prompt version the model was given ("n/a" for rules-v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_version: Option<String>,
    /// Addition: tokens, cost, latency percentiles, cache hits and retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::metrics::UsageSummary>,
    /// Addition: the web app's page of the experiment, when `experiment_url` is Datadog's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_url: Option<String>,
    /// Addition: the experiment's export to Datadog, when Datadog is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_export: Option<crate::DatadogExport>,
}

fn one() -> u32 {
    1
}

/// Body answered by `POST /api/v1/experiments/run` (and by a finished async task).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentRunResponse {
    /// "success" when every experiment succeeded, "partial" when some did, "failed" otherwise.
    pub status: RunOutcome,
    pub message: String,
    pub total_experiments: u64,
    pub successful_experiments: u64,
    pub failed_experiments: u64,
    pub experiments: Vec<ExperimentSummary>,
    pub dataset_name: String,
    /// Records in the dataset version, as in the original (`records_run` says how many
    /// each experiment ran).
    pub dataset_size: u64,
    pub project_name: String,
    pub comparison_url: Option<String>,
    pub dataset_id: Option<String>,
    /// Addition: the dataset version that ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_version: Option<u32>,
    /// Addition: records each experiment ran (the first `sample_size` of the version).
    #[serde(default)]
    pub records_run: u64,
    /// Addition: the web app's comparison of the run's experiments, when `comparison_url`
    /// is Datadog's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_comparison_url: Option<String>,
    /// Addition, for a `stop_when_decided` run: the verdicts, where it stopped and what
    /// that saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential: Option<crate::sequential::SequentialResult>,
}

/// Body of the 202 answered by `POST /api/v1/experiments/run-async`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AsyncRunAccepted {
    /// "accepted".
    pub status: String,
    pub message: String,
    pub task_id: String,
    pub note: String,
    /// Addition: where to poll the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

/// Body of `GET /api/v1/experiments/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentsHealth {
    pub status: String,
    pub service: String,
    pub datadog_configured: bool,
    pub api_key_configured: bool,
    pub note: String,
    /// Addition: the Datadog export outbox, when Datadog is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_export: Option<crate::ExportBacklog>,
}
