//! The rows the store keeps for runs and experiments, and the values of a dataset version
//! being written or corrected.

use shared::{
    ExperimentRunRequest, ExperimentRunResponse, ExperimentStatus, ExperimentSummary, ModelConfig,
    RunMode, RunStatus,
};

/// A run as stored.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: String,
    pub mode: RunMode,
    pub status: RunStatus,
    pub request: ExperimentRunRequest,
    pub dataset_id: String,
    pub dataset_name: String,
    pub dataset_version: u32,
    /// Records the run takes from the dataset version (its sample).
    pub dataset_size: u64,
    pub response: Option<ExperimentRunResponse>,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// An experiment as stored.
#[derive(Debug, Clone)]
pub struct ExperimentRow {
    pub id: String,
    pub run_id: String,
    pub position: u32,
    pub name: String,
    pub project_name: String,
    pub dataset_name: String,
    pub dataset_version: u32,
    pub config: ModelConfig,
    /// Extraction prompt version ("n/a" for the built-in rules).
    pub prompt_version: String,
    pub jobs: u32,
    pub repetitions: u32,
    pub raise_errors: bool,
    /// Trials to run: records × repetitions.
    pub total_trials: u64,
    pub status: ExperimentStatus,
    pub error: Option<String>,
    pub summary: Option<ExperimentSummary>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// One record's new label (see [`DatasetStore::correct_label`]).
pub struct LabelEdit<'a> {
    pub dataset: &'a str,
    pub record_id: &'a str,
    pub base_version: Option<u32>,
    pub expected_output: &'a shared::ReportSet,
    pub review: serde_json::Value,
    pub note: &'a str,
}

/// A dataset version being written, invisible until completed (see
/// [`DatasetStore::begin_version`]).
#[derive(Debug, Clone)]
pub struct PendingVersion {
    pub dataset_id: String,
    pub version: u32,
    pub note: String,
    pub created_at: String,
}
