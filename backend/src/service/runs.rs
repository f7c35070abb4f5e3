//! Starting, executing and resuming runs. Every finished record is committed as it
//! finishes (a writer drains the runner's channel into one transaction per batch), so a
//! crash loses no finished record and a resumed run skips every committed one.

use std::sync::Arc;

use futures::future::join_all;
use shared::{DatasetRecord, ExperimentProgress, ExperimentRunRequest, ExperimentRunResponse};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::tasks::{LiveRun, RunProgress};
use crate::eval::audit_label;
use crate::providers::ModelLookupError;
use crate::runner::{self, ExperimentEnd, ExperimentFacts, ExperimentPlan, RecordOutcome};
use crate::server::error::ApiError;
use crate::server::state::AppState;
use crate::store::timestamp as now;
use crate::store::{ExperimentRow, RunRow};

/// Most outcomes committed in one transaction.
const WRITE_BATCH: usize = 512;

/// A validated run, stored and ready to execute.
pub struct PreparedRun {
    pub run: RunRow,
    pub experiments: Vec<ExperimentRow>,
    pub records: Arc<[DatasetRecord]>,
}

/// The dataset version a request names, cut to its sample size.
pub async fn load_sample(
    state: &AppState,
    request: &ExperimentRunRequest,
) -> Result<
    (
        shared::DatasetInfo,
        shared::DatasetVersionInfo,
        Vec<DatasetRecord>,
    ),
    ApiError,
> {
    let (info, version, mut records) = state
        .store
        .dataset_records(&request.dataset_name, request.dataset_version)
        .await?;
    if let Some(n) = request.sample_size {
        records.truncate(n as usize);
    }
    Ok((info, version, records))
}

/// Validates a request, loads its dataset and stores the run and its experiments.
pub async fn prepare(
    state: &AppState,
    request: ExperimentRunRequest,
    mode: &str,
) -> Result<PreparedRun, ApiError> {
    let problems = request.validate();
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let mut problems = Vec::new();
    for (i, c) in request.model_configs.iter().enumerate() {
        if let Err(e) = state.registry.get(&c.model) {
            let message = match e {
                ModelLookupError::Unknown { model, available } => {
                    format!(
                        "unknown model \"{model}\"; available models: {}",
                        available.join(", ")
                    )
                }
                unavailable => unavailable.to_string(),
            };
            problems.push(shared::FieldError {
                field: format!("model_configs[{i}].model"),
                message,
            });
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let (info, version, records) = load_sample(state, &request).await?;
    let run_id = format!("task_{}", uuid::Uuid::new_v4().simple());
    let created_at = now();
    let repetitions = request.repetitions.unwrap_or(1);
    let run = RunRow {
        id: run_id.clone(),
        mode: mode.into(),
        status: "queued".into(),
        request: request.clone(),
        dataset_id: info.dataset_id.clone(),
        dataset_name: info.name.clone(),
        dataset_version: version.version,
        dataset_size: records.len() as u64,
        response: None,
        error: None,
        created_at: created_at.clone(),
        finished_at: None,
    };
    state.store.create_run(&run).await?;
    let mut experiments = Vec::new();
    for (position, config) in request.model_configs.iter().enumerate() {
        let e = ExperimentRow {
            id: format!("exp_{}", uuid::Uuid::new_v4().simple()),
            run_id: run_id.clone(),
            position: u32::try_from(position).unwrap_or(u32::MAX),
            name: config.experiment_name(),
            project_name: request.project_name.clone(),
            dataset_name: info.name.clone(),
            dataset_version: version.version,
            config: config.clone(),
            prompt_version: prompt_version_of(state, &config.model),
            jobs: request.jobs,
            repetitions,
            raise_errors: request.raise_errors,
            total_tasks: records.len() as u64 * u64::from(repetitions),
            status: "running".into(),
            error: None,
            summary: None,
            created_at: created_at.clone(),
            finished_at: None,
        };
        state.store.create_experiment(&e).await?;
        experiments.push(e);
    }
    Ok(PreparedRun {
        run,
        experiments,
        records: records.into(),
    })
}

/// The prompt version a model is given: the extraction prompt for LLM providers, "n/a"
/// for the built-in rules.
fn prompt_version_of(state: &AppState, model: &str) -> String {
    match state.registry.spec(model).map(|s| s.provider) {
        Some(crate::providers::spec::ProviderKind::Builtin) | None => "n/a".into(),
        Some(_) => crate::providers::prompt::PROMPT_VERSION.into(),
    }
}

/// Starts a prepared run in the background; the handle resolves to the run's response.
pub fn spawn(
    state: Arc<AppState>,
    prepared: PreparedRun,
) -> tokio::task::JoinHandle<Result<ExperimentRunResponse, ApiError>> {
    // Runs go to the server's multi-threaded runtime, not the HTTP worker that took the
    // request: model calls and scoring must not slow the API down.
    let runtime = state.runtime.clone();
    runtime.spawn(async move { execute(&state, prepared).await })
}

async fn execute(state: &AppState, p: PreparedRun) -> Result<ExperimentRunResponse, ApiError> {
    let cancel = state.shutdown.child_token();
    let mut progress = RunProgress {
        task_id: p.run.id.clone(),
        status: "running".into(),
        done: 0,
        total: 0,
        experiments: Vec::new(),
    };
    for e in &p.experiments {
        let done = state.store.done_tasks(&e.id).await?;
        progress.experiments.push(ExperimentProgress {
            experiment_id: e.id.clone(),
            experiment_name: e.name.clone(),
            status: e.status.clone(),
            done: done.len() as u64,
            total: e.total_tasks,
            failed: 0,
        });
    }
    progress.refresh_totals();
    let live = state.tasks.register(&p.run.id, cancel.clone(), progress);
    state
        .store
        .update_run(&p.run.id, "running", None, None)
        .await?;
    let label_issues = p
        .records
        .iter()
        .filter(|r| !audit_label(&r.expected_output).is_empty())
        .count() as u64;
    let runs = p.experiments.iter().enumerate().map(|(i, e)| {
        run_one(
            state,
            e,
            i,
            p.records.clone(),
            label_issues,
            &live,
            cancel.clone(),
        )
    });
    let results = join_all(runs).await;
    let shutting_down = state.shutdown.is_cancelled();
    let mut summaries = Vec::new();
    for r in results {
        summaries.push(r?);
    }
    let response = build_response(state, &p.run, summaries);
    if shutting_down {
        // Leave the run "running": the next start resumes it.
        state.tasks.remove(&p.run.id);
        return Ok(response);
    }
    let status = if cancel.is_cancelled() {
        "cancelled"
    } else {
        "completed"
    };
    state
        .store
        .update_run(&p.run.id, status, Some(&response), None)
        .await?;
    live.progress.send_modify(|pr| pr.status = status.into());
    state.tasks.remove(&p.run.id);
    Ok(response)
}

async fn run_one(
    state: &AppState,
    e: &ExperimentRow,
    index: usize,
    records: Arc<[DatasetRecord]>,
    label_issues: u64,
    live: &LiveRun,
    cancel: CancellationToken,
) -> Result<shared::ExperimentSummary, ApiError> {
    let done = state.store.done_tasks(&e.id).await?;
    let use_cache = state
        .store
        .get_run(&e.run_id)
        .await?
        .request
        .use_cache
        .unwrap_or(true);
    let end = match state.registry.get(&e.config.model) {
        Ok(provider) => {
            let plan = ExperimentPlan {
                config: e.config.clone(),
                jobs: e.jobs as usize,
                raise_errors: e.raise_errors,
                repetitions: e.repetitions,
                options: crate::providers::CallOptions { use_cache },
            };
            let (tx, rx) = mpsc::channel::<RecordOutcome>(WRITE_BATCH * 2);
            let writer = write_outcomes(state, &e.id, index, rx, live);
            let run = runner::run_experiment(provider, records, &plan, &done, tx, cancel);
            let (end, written) = tokio::join!(run, writer);
            written?;
            end
        }
        Err(err) => ExperimentEnd::Failed(err.to_string()),
    };
    let outcomes = state.store.outcomes(&e.id).await?;
    let mut summary = runner::experiment_summary(&ExperimentFacts {
        experiment_id: &e.id,
        experiment_url: Some(state.page_url(&format!("/experiments/{}", e.id))),
        config: &e.config,
        end: &end,
        outcomes: &outcomes,
        repetitions: e.repetitions,
        label_issues,
        seed: 42,
    });
    summary.prompt_version = Some(e.prompt_version.clone());
    if !state.shutdown.is_cancelled() {
        state
            .store
            .finish_experiment(&e.id, &summary.status, summary.error.as_deref(), &summary)
            .await?;
        live.progress.send_modify(|p| {
            if let Some(x) = p.experiments.get_mut(index) {
                x.status = summary.status.clone();
            }
        });
    }
    Ok(summary)
}

/// Commits outcomes as they arrive: whatever is waiting goes into one transaction.
async fn write_outcomes(
    state: &AppState,
    experiment_id: &str,
    index: usize,
    mut rx: mpsc::Receiver<RecordOutcome>,
    live: &LiveRun,
) -> Result<(), ApiError> {
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < WRITE_BATCH {
            match rx.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        state.store.insert_outcomes(experiment_id, &batch).await?;
        let failed = batch.iter().filter(|o| o.error.is_some()).count() as u64;
        let n = batch.len() as u64;
        live.progress.send_modify(|p| {
            if let Some(e) = p.experiments.get_mut(index) {
                e.done += n;
                e.failed += failed;
            }
            p.refresh_totals();
        });
        batch.clear();
    }
    Ok(())
}

/// The seed's response for a run.
pub fn build_response(
    state: &AppState,
    run: &RunRow,
    experiments: Vec<shared::ExperimentSummary>,
) -> ExperimentRunResponse {
    let ok = experiments.iter().filter(|e| e.status == "success").count() as u64;
    let total = experiments.len() as u64;
    let (status, message) = if ok == total {
        ("success", format!("Successfully ran {total} experiments"))
    } else if ok > 0 {
        (
            "partial",
            format!(
                "Ran {total} experiments: {ok} succeeded, {} did not",
                total - ok
            ),
        )
    } else {
        (
            "failed",
            format!("All {total} experiments failed or were cancelled"),
        )
    };
    let ids: Vec<&str> = experiments
        .iter()
        .map(|e| e.experiment_id.as_str())
        .collect();
    ExperimentRunResponse {
        status: status.into(),
        message,
        total_experiments: total,
        successful_experiments: ok,
        failed_experiments: total - ok,
        comparison_url: Some(state.page_url(&format!("/compare?ids={}", ids.join(",")))),
        experiments,
        dataset_name: run.dataset_name.clone(),
        dataset_size: run.dataset_size,
        project_name: run.request.project_name.clone(),
        dataset_id: Some(run.dataset_id.clone()),
        dataset_version: Some(run.dataset_version),
    }
}

/// Resumes every async run that was queued or running when the server stopped.
pub async fn resume_unfinished(state: Arc<AppState>) -> Result<usize, ApiError> {
    let runs = state.store.unfinished_runs().await?;
    let n = runs.len();
    for run in runs {
        let experiments = state.store.run_experiments(&run.id).await?;
        let (_, _, mut records) = state
            .store
            .dataset_records(&run.dataset_name, Some(run.dataset_version))
            .await?;
        records.truncate(usize::try_from(run.dataset_size).unwrap_or(usize::MAX));
        tracing::info!(task_id = %run.id, "resuming unfinished task");
        let prepared = PreparedRun {
            run,
            experiments,
            records: records.into(),
        };
        drop(spawn(state.clone(), prepared));
    }
    Ok(n)
}
