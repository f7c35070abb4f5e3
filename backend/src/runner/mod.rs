//! The experiment runner: runs one model config over dataset records with bounded
//! concurrency, scores every record as it finishes and hands it to a sink at once, so a
//! caller can commit each finished record before the next one ends.

mod summary;
mod task;

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;
use shared::{DatasetRecord, ModelConfig, RecordScores, ReportSet};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::providers::{CallOptions, Provider};

pub use summary::{experiment_summary, repetition_agreement, ExperimentFacts};
pub use task::run_task;

/// What to run for one experiment.
#[derive(Debug, Clone)]
pub struct ExperimentPlan {
    pub config: ModelConfig,
    /// Concurrent record tasks (≥ 1).
    pub jobs: usize,
    /// Stop at the first task error.
    pub raise_errors: bool,
    /// Runs per record (≥ 1).
    pub repetitions: u32,
    /// Cache use and other per-call options.
    pub options: CallOptions,
}

/// One finished task: a record × repetition, with its output and scores.
#[derive(Debug, Clone, Serialize)]
pub struct RecordOutcome {
    pub record_index: usize,
    pub record_id: String,
    pub repetition: u32,
    /// The model's raw text, when it returned any.
    pub raw_output: Option<String>,
    /// The parsed reports, when the text parsed.
    pub output: Option<ReportSet>,
    /// Why the task failed, when it did.
    pub error: Option<String>,
    pub scores: RecordScores,
    pub latency_ms: f64,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub thinking_tokens: Option<u64>,
    pub retries: u32,
    /// USD; 0 when cached or free.
    pub cost_usd: Option<f64>,
    /// Answered from the response cache.
    pub cached: bool,
}

/// How an experiment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExperimentEnd {
    /// Every task ran (some may have recorded errors).
    Completed,
    /// `raise_errors` was set and a task failed with this error.
    Failed(String),
    /// The caller cancelled; finished records were delivered.
    Cancelled,
}

/// Runs every (record, repetition) not in `done` and sends each outcome to `sink` as it
/// finishes. Returns when all tasks ended, the first error stopped a `raise_errors`
/// experiment, or `cancel` fired.
pub async fn run_experiment(
    provider: Arc<dyn Provider>,
    records: Arc<[DatasetRecord]>,
    plan: &ExperimentPlan,
    done: &HashSet<(usize, u32)>,
    sink: mpsc::Sender<RecordOutcome>,
    cancel: CancellationToken,
) -> ExperimentEnd {
    let stop = cancel.child_token();
    let semaphore = Arc::new(Semaphore::new(plan.jobs.max(1)));
    let config = Arc::new(plan.config.clone());
    let options = plan.options;
    let mut set: JoinSet<Option<RecordOutcome>> = JoinSet::new();
    let mut failure: Option<String> = None;
    let tasks = (0..records.len())
        .flat_map(|i| (0..plan.repetitions.max(1)).map(move |r| (i, r)))
        .filter(|t| !done.contains(t));
    for (index, repetition) in tasks {
        let permit = tokio::select! {
            p = semaphore.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = stop.cancelled() => break,
        };
        while let Some(joined) = set.try_join_next() {
            deliver(joined, plan, &sink, &stop, &mut failure).await;
        }
        if stop.is_cancelled() {
            break;
        }
        let (provider, records, config, stop) = (
            provider.clone(),
            records.clone(),
            config.clone(),
            stop.clone(),
        );
        set.spawn(async move {
            let _permit = permit;
            let record = &records[index];
            tokio::select! {
                o = run_task(provider.as_ref(), record, index, repetition, &config, options) => Some(o),
                () = stop.cancelled() => None,
            }
        });
    }
    while let Some(joined) = set.join_next().await {
        deliver(joined, plan, &sink, &stop, &mut failure).await;
    }
    match failure {
        Some(e) => ExperimentEnd::Failed(e),
        None if cancel.is_cancelled() => ExperimentEnd::Cancelled,
        None => ExperimentEnd::Completed,
    }
}

async fn deliver(
    joined: Result<Option<RecordOutcome>, tokio::task::JoinError>,
    plan: &ExperimentPlan,
    sink: &mpsc::Sender<RecordOutcome>,
    stop: &CancellationToken,
    failure: &mut Option<String>,
) {
    let outcome = match joined {
        Ok(Some(o)) => o,
        Ok(None) => return,
        Err(e) => {
            // A panicking task must not take the run down; it counts as a failed task.
            tracing::error!(error = %e, "record task panicked");
            if plan.raise_errors && failure.is_none() {
                *failure = Some(format!("a record task panicked: {e}"));
                stop.cancel();
            }
            return;
        }
    };
    if let (true, Some(err), None) = (plan.raise_errors, &outcome.error, &failure) {
        *failure = Some(format!("record {}: {err}", outcome.record_id));
        stop.cancel();
    }
    if sink.send(outcome).await.is_err() {
        stop.cancel();
    }
}

#[cfg(test)]
mod tests;
