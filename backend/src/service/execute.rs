//! Executing a prepared run: its experiments side by side (each in `experiment.rs`), then
//! the run's response. Whatever happens, the run ends in a terminal status that says why:
//! `completed`, `cancelled`, or `failed` with the error (a storage error, a panic), and its
//! live progress entry is removed.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::future::join_all;
use futures::FutureExt;
use shared::{
    ExperimentProgress, ExperimentRunResponse, ExperimentStatus, ExperimentSummary, RunStatus,
};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::experiment::RunContext;
use super::live::{LiveGuard, LiveRun, RunProgress};
use super::runs::PreparedRun;
use super::source::StoredRecords;
use super::{Service, ServiceError, ServiceResult};
use crate::runner::panic_message;
use crate::store::{RunRow, StoreError};

impl Service {
    /// Starts a prepared run on the service's runtime; the handle resolves to its response.
    /// `slot`, the place reserved for the run among the active ones, is released once the
    /// run is registered (it then counts as live).
    pub(super) fn spawn(
        self: &Arc<Self>,
        prepared: PreparedRun,
        slot: Option<super::live::Slot>,
    ) -> tokio::task::JoinHandle<ServiceResult<ExperimentRunResponse>> {
        let service = self.clone();
        let span = tracing::info_span!("run", run_id = %prepared.run.id, mode = %prepared.run.mode);
        // Registered before the caller gets the task id, so status and events find it live.
        let guard = self.live.register(
            &prepared.run.id,
            self.shutdown.child_token(),
            queued_progress(&prepared),
        );
        let cancel = guard.run.cancel.clone();
        drop(slot);
        // Runs go to the service's multi-threaded runtime, not the HTTP worker that took
        // the request: model calls and scoring must not slow the API down.
        self.runtime
            .spawn(async move { service.execute(prepared, guard, cancel).await }.instrument(span))
    }

    async fn execute(
        self: &Arc<Self>,
        p: PreparedRun,
        guard: LiveGuard,
        cancel: CancellationToken,
    ) -> ServiceResult<ExperimentRunResponse> {
        let done = match self.initial_progress(&p).await {
            Ok((progress, done)) => {
                guard.run.progress.send_replace(progress);
                done
            }
            Err(e) => {
                self.fail_run(&p, &e, guard).await;
                return Err(e);
            }
        };
        tracing::info!(records = p.run.dataset_size, "run started");
        let result = AssertUnwindSafe(self.execute_experiments(&p, done, &guard.run, cancel))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                Err(ServiceError::Internal(format!(
                    "the run panicked: {}",
                    panic_message(panic.as_ref())
                )))
            });
        if !guard.run.leave.is_cancelled() {
            self.forget_lease(&p.run.id);
        }
        match &result {
            Err(e) => self.fail_run(&p, e, guard).await,
            Ok(response) if !guard.run.leave.is_cancelled() => self.warm_comparison(response),
            Ok(_) => {}
        }
        // The guard drops here, after the final status is stored: whoever watches the
        // progress then reads that status.
        result
    }

    /// The run's progress as stored, and each experiment's committed trials (read once:
    /// the experiments skip them).
    async fn initial_progress(
        &self,
        p: &PreparedRun,
    ) -> ServiceResult<(RunProgress, Vec<HashSet<(usize, u32)>>)> {
        let mut progress = RunProgress {
            task_id: p.run.id.clone(),
            status: RunStatus::Running,
            done: 0,
            total: 0,
            experiments: Vec::new(),
            error: None,
            finished_at: None,
            sequential: None,
        };
        let mut committed = Vec::with_capacity(p.experiments.len());
        for e in &p.experiments {
            let done = self.store.done_trials(&e.id).await?;
            progress.experiments.push(ExperimentProgress {
                experiment_id: e.id.clone(),
                experiment_name: e.name.clone(),
                status: e.status,
                done: done.len() as u64,
                total: e.total_trials,
                failed: 0,
                // Counted from here on: the trials of before the restart are not read back.
                tokens: 0,
                cost_usd: 0.0,
            });
            committed.push(done);
        }
        progress.refresh_totals();
        Ok((progress, committed))
    }

    async fn execute_experiments(
        &self,
        p: &PreparedRun,
        done: Vec<HashSet<(usize, u32)>>,
        live: &LiveRun,
        cancel: CancellationToken,
    ) -> ServiceResult<ExperimentRunResponse> {
        self.store
            .update_run(&p.run.id, RunStatus::Running, None, None)
            .await?;
        let stored: Arc<dyn crate::runner::RecordSource> =
            Arc::new(StoredRecords::of(self.store.clone(), &p.run));
        let (records, monitor) = match &p.run.request.stop_when_decided {
            Some(option) => {
                let monitor = self.sequential_monitor(p, option, stored, live).await?;
                (monitor.records(), Some(monitor))
            }
            None => (stored, None),
        };
        let ctx = RunContext {
            run: &p.run,
            records,
            label_issues: self.sample_label_issues(&p.run).await?,
            live,
            cancel: cancel.clone(),
            monitor: monitor.clone(),
        };
        let results = join_all(
            p.experiments
                .iter()
                .zip(done)
                .enumerate()
                .map(|(i, (e, done))| {
                    let monitor = monitor.clone();
                    let run = self.run_experiment(&ctx, e, i, done);
                    async move {
                        let result = run.await;
                        if let (Err(_), Some(m)) = (&result, monitor) {
                            // The others would wait for this one's records forever.
                            m.stop();
                        }
                        result
                    }
                }),
        )
        .await;
        let summaries = results.into_iter().collect::<ServiceResult<Vec<_>>>()?;
        let version_size = self.run_sample(&p.run).await?.version.record_count;
        let sequential = monitor.map(|m| m.result(&summaries, !cancel.is_cancelled()));
        let mut response = self.build_response(&p.run, summaries, version_size);
        if let Some(s) = sequential {
            response.records_run = response
                .experiments
                .iter()
                .map(|e| e.total_records)
                .max()
                .unwrap_or(0);
            response.sequential = Some(s);
        }
        if live.leave.is_cancelled() {
            // Leave the run "running" for its next owner (this replica's next start, or
            // another replica), with its lease given back when this replica still has it.
            tracing::info!("leaving the run unfinished: its next owner resumes it");
            self.release_lease(&p.run.id).await;
            return Ok(response);
        }
        let status = if cancel.is_cancelled() {
            RunStatus::Cancelled
        } else {
            RunStatus::Completed
        };
        self.store
            .update_run(&p.run.id, status, Some(&response), None)
            .await?;
        live.progress.send_modify(|pr| pr.status = status);
        tracing::info!(status = %status, outcome = %response.status, "run finished");
        Ok(response)
    }

    /// Records a run that could not go on: the run and its unfinished experiments end
    /// `failed` with the error, which is also logged. The live progress says so at once.
    /// When the store itself is what failed (busy past its wait, a full disk), recording is
    /// retried in the background with growing pauses for up to [`FAIL_RECORD_PATIENCE`],
    /// holding `guard` so the run stays listed as failed from memory meanwhile.
    async fn fail_run(self: &Arc<Self>, p: &PreparedRun, error: &ServiceError, guard: LiveGuard) {
        let message = error.to_string();
        if guard.run.leave.is_cancelled() {
            // Left to another owner: what failed here is not the run's failure.
            tracing::warn!(error = %message, "a run left to another owner stopped with an error");
            return;
        }
        tracing::error!(error = %message, "run failed");
        guard.run.progress.send_modify(|pr| {
            pr.status = RunStatus::Failed;
            pr.error = Some(message.clone());
            pr.finished_at = Some(crate::store::timestamp());
            if let Some(s) = &mut pr.sequential {
                if s.state == shared::SequentialState::Running {
                    s.state = shared::SequentialState::Stopped;
                }
            }
            for e in &mut pr.experiments {
                if !e.status.is_terminal() {
                    e.status = ExperimentStatus::Failed;
                }
            }
        });
        let run_id = p.run.id.clone();
        let experiments: Vec<String> = p.experiments.iter().map(|e| e.id.clone()).collect();
        let Err(err) = self.record_failure(&run_id, &experiments, &message).await else {
            return;
        };
        tracing::warn!(error = %err, "cannot record the failed run yet; retrying in the background");
        let service = self.clone();
        self.runtime.spawn(
            async move {
                let _guard = guard;
                let deadline = tokio::time::Instant::now() + FAIL_RECORD_PATIENCE;
                let mut pause = std::time::Duration::from_millis(500);
                while tokio::time::Instant::now() + pause < deadline {
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = service.shutdown.cancelled() => return,
                    }
                    match service
                        .record_failure(&run_id, &experiments, &message)
                        .await
                    {
                        Ok(()) => return,
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot record the failed run yet")
                        }
                    }
                    pause = (pause * 2).min(std::time::Duration::from_secs(10));
                }
                tracing::error!("gave up recording the failed run; a restart resumes it");
            }
            .in_current_span(),
        );
    }

    /// Marks the unfinished experiments among `experiments` and the run itself failed.
    async fn record_failure(
        &self,
        run_id: &str,
        experiments: &[String],
        message: &str,
    ) -> Result<(), StoreError> {
        for id in experiments {
            if !self.store.get_experiment(id).await?.status.is_terminal() {
                self.store
                    .finish_experiment(id, ExperimentStatus::Failed, Some(message), None)
                    .await?;
            }
        }
        self.store
            .update_run(run_id, RunStatus::Failed, None, Some(message))
            .await
    }

    /// The original's response for a run of a dataset version of `dataset_size` records.
    pub fn build_response(
        &self,
        run: &RunRow,
        experiments: Vec<ExperimentSummary>,
        dataset_size: u64,
    ) -> ExperimentRunResponse {
        let (status, message) = super::runs::run_outcome(&experiments);
        let total = experiments.len() as u64;
        let ok = total - super::runs::unsuccessful(&experiments);
        let ids: Vec<&str> = experiments
            .iter()
            .map(|e| e.experiment_id.as_str())
            .collect();
        ExperimentRunResponse {
            status,
            message,
            total_experiments: total,
            successful_experiments: ok,
            failed_experiments: total - ok,
            comparison_url: Some(self.url(&format!("/compare?ids={}", ids.join(",")))),
            experiments,
            dataset_name: run.dataset_name.clone(),
            dataset_size,
            records_run: run.dataset_size,
            project_name: run.request.project_name.clone(),
            dataset_id: Some(run.dataset_id.clone()),
            dataset_version: Some(run.dataset_version),
            local_comparison_url: None,
            sequential: None,
        }
    }
}

/// How long a failed run keeps trying to record its failure in a store that cannot be
/// written (it stays listed as failed, from memory, meanwhile).
const FAIL_RECORD_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

/// The progress a run shows before it starts.
fn queued_progress(p: &PreparedRun) -> RunProgress {
    let mut progress = RunProgress {
        task_id: p.run.id.clone(),
        status: p.run.status,
        done: 0,
        total: 0,
        experiments: p
            .experiments
            .iter()
            .map(|e| ExperimentProgress {
                experiment_id: e.id.clone(),
                experiment_name: e.name.clone(),
                status: e.status,
                done: 0,
                total: e.total_trials,
                failed: 0,
                tokens: 0,
                cost_usd: 0.0,
            })
            .collect(),
        error: None,
        finished_at: None,
        sequential: None,
    };
    progress.refresh_totals();
    progress
}
