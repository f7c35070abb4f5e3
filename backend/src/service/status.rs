//! A run's status as the task endpoints serve it: progress (live while it runs, stored
//! after), cancelling, and the stream of updates behind the event stream.

use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};
use shared::{ExperimentProgress, TaskStatus};
use tokio_stream::wrappers::WatchStream;

use super::live::RunProgress;
use super::{Service, ServiceError, ServiceResult};

/// One message of a run's update stream.
#[derive(Debug, Clone)]
pub enum RunUpdate {
    /// The live progress changed.
    Progress(Box<RunProgress>),
    /// The run ended (or had already ended): its stored status.
    Done(Box<TaskStatus>),
}

/// How often the updates of a run another replica runs are read from the store.
const STORED_POLL: Duration = Duration::from_secs(1);

/// How long a cancel waits for the run to stop before answering.
const CANCEL_WAIT: Duration = Duration::from_secs(1);

impl Service {
    /// Status, progress and (once finished) the response of a run.
    pub async fn task_status(&self, task_id: &str) -> ServiceResult<TaskStatus> {
        let mut run = self.store.get_run(task_id).await?;
        let mut sequential = None;
        let experiments: Vec<ExperimentProgress> = match self.live.get(task_id) {
            Some(live) => {
                let progress = live.progress.borrow();
                sequential.clone_from(&progress.sequential);
                // A failure the store could not record yet (it may be what failed).
                if progress.status.is_terminal() && !run.status.is_terminal() {
                    run.status = progress.status;
                    run.error = progress.error.clone().or(run.error);
                    run.finished_at = progress.finished_at.clone().or(run.finished_at);
                }
                progress.experiments.clone()
            }
            None => {
                let mut v = Vec::new();
                for e in self.store.run_experiments(task_id).await? {
                    let done = self.store.trial_count(&e.id).await?;
                    let usage = e.summary.as_ref().and_then(|s| s.usage.as_ref());
                    let (tokens, cost_usd) = usage.map_or((0, 0.0), |u| {
                        let judge = u.judge.as_ref().map_or((0, 0.0), |j| {
                            (
                                j.input_tokens + j.output_tokens + j.thinking_tokens,
                                j.cost_usd,
                            )
                        });
                        (
                            u.input_tokens + u.output_tokens + u.thinking_tokens + judge.0,
                            u.cost_usd + judge.1,
                        )
                    });
                    v.push(ExperimentProgress {
                        tokens,
                        cost_usd,
                        done,
                        total: e.total_trials,
                        failed: e.summary.as_ref().map_or(0, |s| s.failed_records),
                        experiment_id: e.id,
                        experiment_name: e.name,
                        status: e.status,
                    });
                }
                v
            }
        };
        Ok(TaskStatus {
            task_id: run.id,
            status: run.status,
            created_at: run.created_at,
            finished_at: run.finished_at,
            done: experiments.iter().map(|e| e.done).sum(),
            total: experiments.iter().map(|e| e.total).sum(),
            experiments,
            sequential: sequential
                .or_else(|| run.response.as_ref().and_then(|r| r.sequential.clone())),
            result: match run.response {
                Some(r) => Some(self.with_datadog_links(r).await),
                None => None,
            },
            error: run.error,
            request: run.request,
        })
    }

    /// Cancels a running run (finished trials are kept) and answers its status, waiting
    /// briefly so the answer usually shows the final state.
    pub async fn cancel(&self, task_id: &str) -> ServiceResult<TaskStatus> {
        let run = self.store.get_run(task_id).await?;
        let conflict = || {
            ServiceError::Conflict(format!(
                "task \"{}\" is not running (status {})",
                run.id, run.status
            ))
        };
        let Some(live) = self.live.get(task_id) else {
            if run.status.is_terminal() || run.mode != shared::RunMode::Async {
                return Err(conflict());
            }
            // Another replica runs it: it cancels it at its next lease renewal.
            tracing::info!(run_id = %task_id, "cancel requested of the replica running it");
            self.store.request_cancel(task_id).await?;
            return self.task_status(task_id).await;
        };
        // A run whose progress already says it ended (its entry leaves a moment later)
        // is not running either.
        if live.progress.borrow().status.is_terminal() {
            return Err(conflict());
        }
        tracing::info!(run_id = %task_id, "cancel requested");
        live.cancel.cancel();
        let deadline = tokio::time::Instant::now() + CANCEL_WAIT;
        while self.live.get(task_id).is_some() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.task_status(task_id).await
    }

    /// The run's updates: its progress at each change while it runs, then `Done` with the
    /// stored final status. A run that has ended gives `Done` at once.
    pub async fn updates(
        self: &std::sync::Arc<Self>,
        task_id: &str,
    ) -> ServiceResult<BoxStream<'static, RunUpdate>> {
        let first = self.task_status(task_id).await?;
        // A run whose live progress already says it ended is done: its entry leaves a moment
        // after, and a progress event in that moment would only repeat the end.
        let live = self
            .live
            .get(task_id)
            .filter(|live| !live.progress.borrow().status.is_terminal());
        let Some(live) = live else {
            if first.status.is_terminal() {
                return Ok(stream::once(async move { RunUpdate::Done(Box::new(first)) }).boxed());
            }
            // Run by another replica (or ending here this moment): follow the store.
            return Ok(self.clone().stored_updates(first));
        };
        let service = self.clone();
        let id = task_id.to_string();
        let progress =
            WatchStream::new(live.progress.subscribe()).map(|p| RunUpdate::Progress(Box::new(p)));
        drop(live);
        let done = stream::once(async move {
            match service.task_status(&id).await {
                Ok(status) => RunUpdate::Done(Box::new(status)),
                // The run row existed a moment ago; answer what was known then.
                Err(_) => RunUpdate::Done(Box::new(first)),
            }
        });
        Ok(progress.chain(done).boxed())
    }

    /// The updates of a run this replica does not run, read from the store every
    /// [`STORED_POLL`] (each read is an event, which also tells a gone client apart) until
    /// it ends.
    fn stored_updates(
        self: std::sync::Arc<Self>,
        first: TaskStatus,
    ) -> BoxStream<'static, RunUpdate> {
        stream::unfold(Some((self, first)), |state| async move {
            let (service, last) = state?;
            if last.status.is_terminal() {
                return Some((RunUpdate::Done(Box::new(last)), None));
            }
            tokio::time::sleep(STORED_POLL).await;
            let now = match service.task_status(&last.task_id).await {
                Ok(now) => now,
                // The store is busy or away: say the last known state again.
                Err(_) => last,
            };
            if now.status.is_terminal() {
                return Some((RunUpdate::Done(Box::new(now)), None));
            }
            let progress = RunProgress {
                task_id: now.task_id.clone(),
                status: now.status,
                done: now.done,
                total: now.total,
                experiments: now.experiments.clone(),
                error: now.error.clone(),
                finished_at: now.finished_at.clone(),
                sequential: now.sequential.clone(),
            };
            Some((
                RunUpdate::Progress(Box::new(progress)),
                Some((service, now)),
            ))
        })
        .boxed()
    }
}
