//! Bodies of the endpoints around the original contract: tasks, history, comparisons, datasets,
//! models and presets.

use serde::{Deserialize, Serialize};

use crate::api::{ExperimentRunRequest, ModelConfig};
use crate::dataset::DatasetRecord;
use crate::metrics::{ExperimentMetrics, FieldAccuracy, PairedComparison};
use crate::report::ReportSet;
use crate::response::ExperimentRunResponse;
use crate::score::{ArithmeticFlag, RecordScores};
use crate::status::{ExperimentStatus, RecordStatus, RunStatus};

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

/// Progress of one experiment of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentProgress {
    pub experiment_id: String,
    pub experiment_name: String,
    pub status: ExperimentStatus,
    /// Trials finished (records × repetitions).
    pub done: u64,
    pub total: u64,
    pub failed: u64,
    /// Addition: tokens the finished trials used so far (input + output + thinking; the LLM
    /// judge's included).
    #[serde(default)]
    pub tokens: u64,
    /// Addition: what the finished trials cost so far, USD (the LLM judge's included).
    #[serde(default)]
    pub cost_usd: f64,
}

/// State of an async run (`GET /api/v1/experiments/tasks/{task_id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskStatus {
    pub task_id: String,
    pub status: RunStatus,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub done: u64,
    pub total: u64,
    pub experiments: Vec<ExperimentProgress>,
    /// The run's body once finished (also after a cancel, with what finished).
    pub result: Option<ExperimentRunResponse>,
    pub error: Option<String>,
    pub request: ExperimentRunRequest,
    /// Addition, for a `stop_when_decided` run: the confidence sequences so far (the
    /// final ones are in `result`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential: Option<crate::sequential::SequentialResult>,
}

/// One row of the experiment history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentListItem {
    pub experiment_id: String,
    pub experiment_name: String,
    pub run_id: String,
    pub project_name: String,
    pub dataset_name: String,
    pub dataset_version: u32,
    pub model: String,
    pub temperature: f64,
    pub status: ExperimentStatus,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub total_records: u64,
    pub failed_records: u64,
    pub overall_accuracy: Option<f64>,
    pub success_rate: Option<f64>,
    pub avg_ballot_accuracy: Option<f64>,
}

/// One experiment with its config and metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentDetail {
    #[serde(flatten)]
    pub item: ExperimentListItem,
    pub config: ModelConfig,
    /// The extraction prompt version ("n/a" for rules-v1).
    pub prompt_version: String,
    pub repetitions: u32,
    pub jobs: u32,
    pub error: Option<String>,
    pub metrics: Option<ExperimentMetrics>,
    pub repetition_agreement: Option<f64>,
    /// Records of the dataset version whose label breaks an identity.
    pub label_issues: u64,
    pub url: String,
    /// Tokens, cost and latency (the LLM judge's apart), once the experiment finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::metrics::UsageSummary>,
    /// Its export to Datadog LLM Observability, when Datadog was configured as it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadog_export: Option<crate::DatadogExport>,
}

/// One record's result in an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordResult {
    pub record_index: u64,
    pub record_id: String,
    pub repetition: u32,
    /// How the trial ended.
    pub status: RecordStatus,
    /// What the trial read: its text length and image references (not inline bytes).
    pub input_ref: serde_json::Value,
    pub output: Option<ReportSet>,
    pub raw_output: Option<String>,
    pub expected: ReportSet,
    pub error: Option<String>,
    pub scores: RecordScores,
    /// Identities the label itself breaks.
    pub label_flags: Vec<ArithmeticFlag>,
    pub latency_ms: f64,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub thinking_tokens: Option<u64>,
    pub retries: u32,
    /// Addition: what the LLM judge's call on this trial cost, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge_usage: Option<JudgeCall>,
}

/// Tokens and cost of one LLM judge call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JudgeCall {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_tokens: Option<u64>,
    pub cost_usd: Option<f64>,
    /// Answered from the response cache.
    pub cached: bool,
}

/// A side-by-side comparison of experiments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparisonResponse {
    pub experiments: Vec<ExperimentDetail>,
    /// Paired comparisons of the first experiment (A) against each other one (B).
    pub pairs: Vec<ComparisonPair>,
    /// Per-field accuracy of each experiment, aligned by field.
    pub per_field: Vec<FieldRow>,
    /// Records where the experiments' outputs disagree (first 200).
    pub disagreements: Vec<Disagreement>,
    pub paired_records: u64,
    /// Addition: what makes the comparison weaker than it looks (experiments on different
    /// datasets or dataset versions, nothing paired), one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Addition: when the experiments come from one `stop_when_decided` run, its stored
    /// verdicts and where it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential: Option<crate::sequential::SequentialResult>,
}

/// A against B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparisonPair {
    pub a: String,
    pub b: String,
    /// Paired comparisons; none when A and B share no trial (see `reason`).
    pub comparisons: Vec<PairedComparison>,
    /// Addition: trials of A and B on the same record and repetition.
    #[serde(default)]
    pub paired_trials: u64,
    /// Addition: why there are no verdicts, when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One field's accuracy in each compared experiment (same order as `experiments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldRow {
    pub field: String,
    pub accuracy: Vec<Option<FieldAccuracy>>,
}

/// A record the compared experiments scored differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Disagreement {
    pub record_id: String,
    pub record_index: u64,
    /// Overall score per experiment (same order as `experiments`); null when not run.
    pub overall: Vec<Option<f64>>,
    /// Fields whose correctness differs between the experiments.
    pub fields: Vec<String>,
}

/// The distinct values the history's filters can take, each sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperimentFacets {
    pub projects: Vec<String>,
    pub datasets: Vec<String>,
    pub models: Vec<String>,
}

/// A dataset and its newest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetInfo {
    pub dataset_id: String,
    pub name: String,
    pub description: String,
    pub latest_version: u32,
    pub record_count: u64,
    pub created_at: String,
}

/// One version of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetVersionInfo {
    pub version: u32,
    pub record_count: u64,
    pub created_at: String,
    pub note: String,
    /// Records whose label breaks an identity.
    pub label_issues: u64,
}

/// A dataset with every version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetDetail {
    #[serde(flatten)]
    pub info: DatasetInfo,
    pub versions: Vec<DatasetVersionInfo>,
}

/// A record of a dataset version with its label audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetRecordView {
    #[serde(flatten)]
    pub record: DatasetRecord,
    pub label_flags: Vec<ArithmeticFlag>,
}

/// Body of `POST /api/v1/datasets/{name}/records/{record_id}/label`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelCorrection {
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::report::VoteReport>, min_items = 1)
    )]
    pub expected_output: ReportSet,
    /// Who reviewed the label.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub reviewed_by: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The version being corrected (default latest).
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub base_version: Option<u32>,
}

/// Body of `POST /api/v1/labels/audit`: a label as it is being edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelAuditRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Vec<crate::report::VoteReport>, min_items = 1)
    )]
    pub expected_output: ReportSet,
}

/// Every identity of every form of a label, with what it computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelAudit {
    /// How many identities the label breaks (0: it can be trusted as far as arithmetic goes).
    pub broken: u64,
    pub checks: Vec<crate::score::IdentityCheck>,
}

/// Answer to an upload or a label correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetVersionCreated {
    pub name: String,
    pub version: DatasetVersionInfo,
    /// The label audit of the new version: record id and what its label breaks.
    pub label_audit: Vec<LabelAuditEntry>,
}

/// One record's label audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelAuditEntry {
    pub record_id: String,
    pub flags: Vec<ArithmeticFlag>,
}

/// A model the server knows and whether it can run now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelAvailability {
    pub name: String,
    pub provider: String,
    pub available: bool,
    pub reason: Option<String>,
    /// USD per million input tokens.
    #[serde(default)]
    pub input_price_per_mtok: f64,
    /// USD per million output tokens (thinking included).
    #[serde(default)]
    pub output_price_per_mtok: f64,
}

/// A named set of model configs (the original page's quick presets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preset {
    pub id: String,
    pub name: String,
    pub description: String,
    pub model_configs: Vec<ModelConfig>,
    pub sample_size: Option<u32>,
    pub jobs: u32,
}
