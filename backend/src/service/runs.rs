//! Starting and resuming runs: a request is validated, its sample loaded and the run and
//! its experiments stored (`queued`) before anything executes; execution is in
//! `execute.rs`.

use std::sync::Arc;

use shared::{
    DatasetInfo, DatasetRecord, DatasetVersionInfo, ExperimentRunRequest, ExperimentRunResponse,
    ExperimentStatus, ExperimentSummary, RunMode, RunOutcome, RunStatus,
};

use super::{model_error, Service, ServiceError, ServiceResult};
use crate::eval::audit_label;
use crate::providers::spec::ProviderKind;
use crate::runner::{Judge, JudgeLookupError};
use crate::store::{timestamp, ExperimentRow, RunRow};

/// A validated run, stored and ready to execute. Its records are read from the store a page
/// at a time while it runs.
pub struct PreparedRun {
    pub run: RunRow,
    pub experiments: Vec<ExperimentRow>,
}

/// A dataset version and how many of its records a request takes (its first `size`).
pub struct Sample {
    pub info: DatasetInfo,
    pub version: DatasetVersionInfo,
    pub size: u64,
}

impl Service {
    /// The dataset version a request names (pulled from Datadog first when that is where
    /// it lives) and its sample size.
    pub async fn load_sample(&self, request: &ExperimentRunRequest) -> ServiceResult<Sample> {
        let local_version = self.local_version(request).await?;
        let (info, version, _) = self
            .store
            .dataset_records(&request.dataset_name, local_version, 0, 0)
            .await?;
        let size = request.sample_size.map_or(version.record_count, |n| {
            u64::from(n).min(version.record_count)
        });
        Ok(Sample {
            info,
            version,
            size,
        })
    }

    /// Reads a sample's records a page at a time, giving each page to `each`.
    pub(super) async fn for_each_page(
        &self,
        sample: &Sample,
        mut each: impl FnMut(Vec<DatasetRecord>),
    ) -> ServiceResult<()> {
        let mut from = 0;
        loop {
            let page = self.sample_page(sample, from).await?;
            if page.is_empty() {
                return Ok(());
            }
            from += page.len() as u64;
            each(page);
        }
    }

    /// The page of a sample's records from position `from`; empty past its end.
    pub(super) async fn sample_page(
        &self,
        sample: &Sample,
        from: u64,
    ) -> ServiceResult<Vec<DatasetRecord>> {
        if from >= sample.size {
            return Ok(Vec::new());
        }
        let limit = (sample.size - from).min(crate::runner::RECORD_PAGE as u64);
        Ok(self
            .store
            .dataset_records_at(&sample.info.dataset_id, sample.version.version, from, limit)
            .await?)
    }

    /// Checks a request: its fields, then that every model can run.
    pub fn validate_request(&self, request: &ExperimentRunRequest) -> ServiceResult<()> {
        let problems = request.validate();
        if !problems.is_empty() {
            return Err(ServiceError::Validation(problems));
        }
        let mut problems: Vec<_> = request
            .model_configs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let e = self.registry.get(&c.model).err()?;
                Some(model_error(format!("model_configs[{i}].model"), e))
            })
            .collect();
        if let Err(e) = Judge::from_request(&self.registry, request.evaluators.as_ref()) {
            let field = "evaluators.llm_judge.model".to_string();
            problems.push(match e {
                JudgeLookupError::Model(e) => model_error(field, e),
                other => shared::FieldError {
                    field,
                    message: other.to_string(),
                },
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Validation(problems))
        }
    }

    /// Validates a request, loads its dataset and stores the run and its experiments.
    pub async fn prepare(
        &self,
        request: ExperimentRunRequest,
        mode: RunMode,
    ) -> ServiceResult<PreparedRun> {
        self.validate_request(&request)?;
        let mut request = request;
        if let Some(stop) = &mut request.stop_when_decided {
            // Recorded with the run: a resumed run takes the records in the same order.
            // Below 2^53: a JavaScript client reads it exactly.
            stop.seed.get_or_insert_with(|| rand::random::<u64>() >> 11);
            crate::eval::ComparedMetric::find(&stop.metric, "stop_when_decided.metric")
                .map_err(|e| ServiceError::Validation(vec![e]))?;
        }
        let sample = self.load_sample(&request).await?;
        self.check_size(&request, sample.size)?;
        let run_id = format!("task_{}", uuid::Uuid::new_v4().simple());
        let created_at = timestamp();
        let repetitions = request.repetitions.unwrap_or(1);
        let records = sample.size;
        let run = RunRow {
            id: run_id.clone(),
            mode,
            status: RunStatus::Queued,
            request: request.clone(),
            dataset_id: sample.info.dataset_id.clone(),
            dataset_name: sample.info.name.clone(),
            dataset_version: sample.version.version,
            dataset_size: records,
            response: None,
            error: None,
            created_at: created_at.clone(),
            finished_at: None,
        };
        self.store.create_run(&run).await?;
        let mut experiments = Vec::new();
        for (position, config) in request.model_configs.iter().enumerate() {
            let e = ExperimentRow {
                id: format!("exp_{}", uuid::Uuid::new_v4().simple()),
                run_id: run_id.clone(),
                position: u32::try_from(position).unwrap_or(u32::MAX),
                name: config.experiment_name(),
                project_name: request.project_name.clone(),
                dataset_name: sample.info.name.clone(),
                dataset_version: sample.version.version,
                config: config.clone(),
                prompt_version: self.prompt_version_of(&config.model),
                jobs: request.jobs,
                repetitions,
                raise_errors: request.raise_errors,
                total_trials: records * u64::from(repetitions),
                status: ExperimentStatus::Queued,
                error: None,
                summary: None,
                created_at: created_at.clone(),
                finished_at: None,
            };
            self.store.create_experiment(&e).await?;
            experiments.push(e);
        }
        self.queue_exports(&request, &experiments).await?;
        tracing::info!(run_id = %run_id, mode = %mode, dataset = %run.dataset_name,
            records, experiments = experiments.len(), "run stored");
        Ok(PreparedRun { run, experiments })
    }

    /// Records of a run's sample whose label breaks an identity: the version's count when
    /// the sample is the whole version, else counted a page at a time.
    pub(super) async fn sample_label_issues(&self, run: &RunRow) -> ServiceResult<u64> {
        let sample = self.run_sample(run).await?;
        if sample.size >= sample.version.record_count {
            return Ok(sample.version.label_issues);
        }
        let mut issues = 0u64;
        self.for_each_page(&sample, |page| {
            issues += page
                .iter()
                .filter(|r| !audit_label(&r.expected_output).is_empty())
                .count() as u64;
        })
        .await?;
        Ok(issues)
    }

    /// The dataset version a stored run takes and how many of its records.
    pub(super) async fn run_sample(&self, run: &RunRow) -> ServiceResult<Sample> {
        let (info, version, _) = self
            .store
            .dataset_records(&run.dataset_name, Some(run.dataset_version), 0, 0)
            .await?;
        Ok(Sample {
            info,
            version,
            size: run.dataset_size,
        })
    }

    /// Refuses a run over `MAX_TRIALS_PER_RUN` trials.
    fn check_size(&self, request: &ExperimentRunRequest, records: u64) -> ServiceResult<()> {
        let repetitions = u64::from(request.repetitions.unwrap_or(1));
        let configs = request.model_configs.len() as u64;
        let trials = records.saturating_mul(repetitions).saturating_mul(configs);
        let max = self.limits.max_trials_per_run;
        if trials <= max {
            return Ok(());
        }
        Err(ServiceError::field(
            "sample_size",
            format!(
                "this run asks for {trials} trials ({records} records × {repetitions} \
                 repetitions × {configs} model configs); the limit is {max} \
                 (MAX_TRIALS_PER_RUN): lower sample_size, repetitions or the number of configs"
            ),
        ))
    }

    /// A place among the active runs, or a 429 that says how many are allowed.
    fn reserve_slot(&self) -> ServiceResult<super::live::Slot> {
        let max = self.limits.max_active_runs;
        self.live.reserve(max).ok_or_else(|| {
            ServiceError::TooManyRuns(format!(
                "{max} runs are already queued or running (MAX_ACTIVE_RUNS); wait for one to \
                 finish or cancel one, then try again"
            ))
        })
    }

    /// The prompt version a model is given: the extraction prompt for LLM providers, "n/a"
    /// for the built-in rules.
    fn prompt_version_of(&self, model: &str) -> String {
        match self.registry.spec(model).map(|s| s.provider) {
            Some(ProviderKind::Builtin) | None => "n/a".into(),
            Some(_) => crate::providers::prompt::PROMPT_VERSION.into(),
        }
    }

    /// Runs a request and answers when every experiment is done. The run executes on the
    /// service's runtime, so a client that disconnects does not abort it half-way.
    pub async fn run_sync(
        self: &Arc<Self>,
        request: ExperimentRunRequest,
    ) -> ServiceResult<ExperimentRunResponse> {
        let slot = self.reserve_slot()?;
        let prepared = self.prepare(request, RunMode::Sync).await?;
        let response = self
            .spawn(prepared, Some(slot))
            .await
            .map_err(|e| ServiceError::Internal(format!("the run ended abnormally: {e}")))??;
        Ok(self.with_datadog_links(response).await)
    }

    /// Starts a request in the background; answers its task id at once.
    pub async fn run_async(
        self: &Arc<Self>,
        request: ExperimentRunRequest,
    ) -> ServiceResult<String> {
        let slot = self.reserve_slot()?;
        let prepared = self.prepare(request, RunMode::Async).await?;
        let id = prepared.run.id.clone();
        // Another replica may have claimed it in the moment it was stored: it runs it then.
        if self.claim_new_run(&id).await? {
            // The run records its own end, whatever it is: nothing waits on the handle.
            drop(self.spawn(prepared, Some(slot)));
        }
        Ok(id)
    }
}

/// The original's outcome of a run and its message, from its experiments' statuses.
pub fn run_outcome(experiments: &[ExperimentSummary]) -> (RunOutcome, String) {
    let total = experiments.len() as u64;
    let ok = total - unsuccessful(experiments);
    if ok == total {
        (
            RunOutcome::Success,
            format!("Successfully ran {total} experiments"),
        )
    } else if ok > 0 {
        (
            RunOutcome::Partial,
            format!(
                "Ran {total} experiments: {ok} succeeded, {} did not",
                total - ok
            ),
        )
    } else {
        (
            RunOutcome::Failed,
            format!("All {total} experiments failed or were cancelled"),
        )
    }
}

/// How many of `experiments` did not succeed.
pub fn unsuccessful(experiments: &[ExperimentSummary]) -> u64 {
    experiments
        .iter()
        .filter(|e| e.status != ExperimentStatus::Success)
        .count() as u64
}
