//! What a page of the store asks for: which trials, records or experiments, in which order.

pub use shared::ExperimentFacets;

/// Which trials of an experiment a page shows, in which order.
#[derive(Debug, Clone, Default)]
pub struct TrialFilter {
    /// Only failed trials.
    pub errors_only: bool,
    /// Only trials that got this field wrong, as per-field accuracy names it (rows pooled:
    /// "PartyList.vote_results[].vote_count").
    pub field: Option<String>,
    /// Only trials with a differing field or an error (anything to look at).
    pub differs: bool,
    /// Only trials whose record id contains this text (case as written).
    pub record_id: Option<String>,
    /// Only the trials of the record at this position of the dataset.
    pub record_index: Option<u64>,
    pub order: TrialOrder,
    /// With `Worst` or `Best`: the evaluator whose score orders the trials instead of the
    /// overall score (trials without that score last).
    pub score: Option<String>,
}

/// The order of an experiment's trials on its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrialOrder {
    /// Dataset order (record, then repetition).
    #[default]
    Record,
    /// Lowest overall score first (ties in dataset order).
    Worst,
    /// Highest overall score first.
    Best,
}

/// Which of a dataset version's records a page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordSelection {
    /// Only records whose label breaks an identity.
    pub flagged: bool,
    /// Only records whose id contains this text.
    pub search: Option<String>,
}

impl RecordSelection {
    /// Whether it selects every record.
    pub fn is_everything(&self) -> bool {
        !self.flagged && self.search.is_none()
    }
}

/// Filters of the experiment history.
#[derive(Debug, Clone, Default)]
pub struct ExperimentFilter {
    /// Experiments whose project, dataset or model contains this text.
    pub project: Option<String>,
    pub dataset: Option<String>,
    pub model: Option<String>,
    /// Only experiments queued or running.
    pub active: bool,
    /// Experiments whose name, project, dataset or model contains this text.
    pub search: Option<String>,
    pub order: ExperimentOrder,
    pub offset: u64,
    pub limit: u64,
}

/// The order of the experiment history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentOrder {
    /// Newest first, a run's experiments together in their order (the default).
    #[default]
    Newest,
    /// Oldest first, a run's experiments together.
    Oldest,
    /// Highest overall accuracy first (unfinished ones last).
    Best,
    /// Lowest overall accuracy first (unfinished ones last).
    Worst,
    /// By name (A–Z).
    Name,
    /// By model, then temperature.
    Model,
}
