//! The run form's signals.

use leptos::prelude::*;
use shared::Preset;

use crate::components::model_editor::ConfigRow;
use crate::form::{preset_parts, RunDraft};
use crate::plan_form::StopDraft;

/// Every input of the run form as a signal.
#[derive(Debug, Clone, Copy)]
pub struct RunForm {
    pub ml_app: RwSignal<String>,
    pub site: RwSignal<String>,
    pub agentless_enabled: RwSignal<bool>,
    pub project_name: RwSignal<String>,
    pub dataset_name: RwSignal<String>,
    pub dataset_version: RwSignal<String>,
    pub sample_size: RwSignal<String>,
    pub jobs: RwSignal<String>,
    pub raise_errors: RwSignal<bool>,
    pub repetitions: RwSignal<String>,
    pub rows: RwSignal<Vec<ConfigRow>>,
    pub judge_model: RwSignal<String>,
    /// "Stop when decided" and its metric, smallest difference (points) and alpha.
    pub stop_enabled: RwSignal<bool>,
    pub stop_metric: RwSignal<String>,
    pub stop_min_difference: RwSignal<String>,
    pub stop_alpha: RwSignal<String>,
    /// The page's owner: rows made by a preset or Reset belong to it, not to the scope of
    /// the button that made them (the preset buttons are drawn again when the key changes,
    /// which would dispose the rows' signals while the form still shows them).
    owner: StoredValue<Owner>,
}

impl RunForm {
    /// The form holding the defaults.
    pub fn new() -> Self {
        let d = RunDraft::default();
        RunForm {
            ml_app: RwSignal::new(d.ml_app),
            site: RwSignal::new(d.site),
            agentless_enabled: RwSignal::new(d.agentless_enabled),
            project_name: RwSignal::new(d.project_name),
            dataset_name: RwSignal::new(d.dataset_name),
            dataset_version: RwSignal::new(d.dataset_version),
            sample_size: RwSignal::new(d.sample_size),
            jobs: RwSignal::new(d.jobs),
            raise_errors: RwSignal::new(d.raise_errors),
            repetitions: RwSignal::new(d.repetitions),
            rows: RwSignal::new(d.configs.into_iter().map(ConfigRow::new).collect()),
            judge_model: RwSignal::new(d.judge_model),
            stop_enabled: RwSignal::new(d.stop.enabled),
            stop_metric: RwSignal::new(d.stop.metric),
            stop_min_difference: RwSignal::new(d.stop.min_difference),
            stop_alpha: RwSignal::new(d.stop.alpha),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
        }
    }

    /// Rows holding `configs`, owned by the page.
    fn rows_of(&self, configs: Vec<crate::form::ConfigDraft>) -> Vec<ConfigRow> {
        self.owner
            .get_value()
            .with(|| configs.into_iter().map(ConfigRow::new).collect())
    }

    /// What the form holds now (untracked).
    pub fn draft(&self) -> RunDraft {
        RunDraft {
            ml_app: self.ml_app.get_untracked(),
            site: self.site.get_untracked(),
            agentless_enabled: self.agentless_enabled.get_untracked(),
            project_name: self.project_name.get_untracked(),
            dataset_name: self.dataset_name.get_untracked(),
            dataset_version: self.dataset_version.get_untracked(),
            sample_size: self.sample_size.get_untracked(),
            jobs: self.jobs.get_untracked(),
            raise_errors: self.raise_errors.get_untracked(),
            repetitions: self.repetitions.get_untracked(),
            configs: self
                .rows
                .get_untracked()
                .iter()
                .map(ConfigRow::draft)
                .collect(),
            judge_model: self.judge_model.get_untracked(),
            stop: StopDraft {
                enabled: self.stop_enabled.get_untracked(),
                metric: self.stop_metric.get_untracked(),
                min_difference: self.stop_min_difference.get_untracked(),
                alpha: self.stop_alpha.get_untracked(),
            },
        }
    }

    /// Back to the defaults; the chosen dataset stays.
    pub fn reset(&self) {
        let d = RunDraft::default();
        self.ml_app.set(d.ml_app);
        self.site.set(d.site);
        self.agentless_enabled.set(d.agentless_enabled);
        self.project_name.set(d.project_name);
        self.dataset_version.set(d.dataset_version);
        self.sample_size.set(d.sample_size);
        self.jobs.set(d.jobs);
        self.raise_errors.set(d.raise_errors);
        self.repetitions.set(d.repetitions);
        self.rows.set(self.rows_of(d.configs));
        self.judge_model.set(d.judge_model);
        self.stop_enabled.set(d.stop.enabled);
        self.stop_metric.set(d.stop.metric);
        self.stop_min_difference.set(d.stop.min_difference);
        self.stop_alpha.set(d.stop.alpha);
    }

    /// Applies a quick preset: its configs, sample size and jobs.
    pub fn apply(&self, preset: &Preset) {
        let (configs, sample_size, jobs) = preset_parts(preset);
        self.rows.set(self.rows_of(configs));
        self.sample_size.set(sample_size);
        self.jobs.set(jobs);
    }
}
