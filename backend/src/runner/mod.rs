//! The experiment runner: runs one model config over dataset records with bounded
//! concurrency, scores every trial (a record × repetition) as it finishes and hands it to a
//! sink at once, so a caller can commit each finished trial before the next one ends.

mod judge;
mod pace;
mod source;
mod summary;
mod trial;

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use shared::{ModelConfig, RecordStatus};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::outcome::RecordOutcome;
use crate::providers::{CallOptions, Provider};

pub use judge::{Judge, JudgeLookupError};
pub use pace::{Admission, Pace, PaceWatch};
use source::Pages;
pub use source::{in_memory, InMemory, RecordSource, Shuffled, PAGE as RECORD_PAGE};
pub use summary::{ExperimentFacts, SummaryBuilder};
pub use trial::{run_trial, Trial};

/// What to run for one experiment.
#[derive(Debug, Clone)]
pub struct ExperimentPlan {
    pub config: ModelConfig,
    /// Concurrent trials (≥ 1).
    pub jobs: usize,
    /// Fail the experiment with its first failed trial's error (every trial still runs,
    /// unless the error dooms every later call, which stops it at once).
    pub raise_errors: bool,
    /// Runs per record (≥ 1).
    pub repetitions: u32,
    /// Cache use and other per-call options.
    pub options: CallOptions,
    /// The LLM judge, when the run names one.
    pub judge: Option<Judge>,
    /// Keeps the experiment in step with the run's others (a sequential run): a record
    /// starts only when the pace admits its order position.
    pub pace: Option<Arc<Pace>>,
}

/// How an experiment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExperimentEnd {
    /// Every trial ran (some may have recorded errors).
    Completed,
    /// `raise_errors` was set and a trial failed with this error.
    Failed(String),
    /// The caller cancelled; finished trials were delivered.
    Cancelled,
}

/// Runs every (record, repetition) not in `done` and sends each outcome to `sink` as it
/// finishes. Returns when all trials ended, an error that dooms every later call stopped a
/// `raise_errors` experiment, or `cancel` fired. A trial that panics is delivered as a `crashed` outcome
/// carrying the panic message. Records are read from `records` a page at a time; a page that
/// cannot be read fails the experiment with the reason.
pub async fn run_experiment(
    provider: Arc<dyn Provider>,
    records: Arc<dyn RecordSource>,
    plan: &ExperimentPlan,
    done: &HashSet<(usize, u32)>,
    sink: mpsc::Sender<RecordOutcome>,
    cancel: CancellationToken,
) -> ExperimentEnd {
    let stop = cancel.child_token();
    let semaphore = Arc::new(Semaphore::new(plan.jobs.max(1)));
    let config = Arc::new(plan.config.clone());
    let options = plan.options;
    let judge = plan.judge.clone().map(Arc::new);
    let repetitions = plan.repetitions.max(1);
    let mut set: JoinSet<Option<Trial>> = JoinSet::new();
    let mut failure: Option<String> = None;
    let mut pages = Pages::new(records.clone());
    'pages: while let Some(page) = pages.next().await {
        let (first, page) = match page {
            Ok(p) => p,
            Err(e) => {
                failure = Some(format!("the dataset could not be read: {e}"));
                stop.cancel();
                break;
            }
        };
        let trials = page.into_iter().enumerate().flat_map(|(i, record)| {
            // The record's place in the run's order, and its position in the dataset.
            let (order, index) = (first + i, records.position(first + i));
            (0..repetitions).map(move |r| (order, index, r, record.clone()))
        });
        for (order, index, repetition, record) in
            trials.filter(|(_, i, r, _)| !done.contains(&(*i, *r)))
        {
            if let Some(pace) = &plan.pace {
                let mut waiting = Waiting {
                    set: &mut set,
                    plan,
                    sink: &sink,
                    stop: &stop,
                    failure: &mut failure,
                };
                if !waiting.turn_of(pace, order).await {
                    break 'pages;
                }
            }
            let permit = tokio::select! {
                p = semaphore.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break 'pages },
                () = stop.cancelled() => break 'pages,
            };
            while let Some(joined) = set.try_join_next() {
                deliver(joined, plan, &sink, &stop, &mut failure).await;
            }
            if stop.is_cancelled() {
                break 'pages;
            }
            let (provider, config, stop, judge) = (
                provider.clone(),
                config.clone(),
                stop.clone(),
                judge.clone(),
            );
            let span = tracing::debug_span!("trial", record_id = %record.id, repetition);
            set.spawn(
                async move {
                    let _permit = permit;
                    let trial = run_trial(provider.as_ref(), &record, index, repetition, &config, options, judge.as_deref());
                    tokio::select! {
                        o = AssertUnwindSafe(trial).catch_unwind() => Some(o.unwrap_or_else(|panic| {
                            let message = format!("the trial panicked: {}", panic_message(panic.as_ref()));
                            tracing::error!(error = %message, "trial panicked");
                            let mut outcome = RecordOutcome::failed(index, &record.id, repetition, RecordStatus::Crashed, message);
                            if judge.is_some() {
                                // Nothing to judge: 0, as the trial's other scores.
                                outcome.scores.scores.push(crate::eval::judge::nothing_to_judge());
                            }
                            Trial { outcome, dooms_later_calls: false }
                        })),
                        () = stop.cancelled() => None,
                    }
                }
                .instrument(span),
            );
        }
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

/// What an experiment waiting for its turn keeps doing: delivering its finished trials
/// (which is what lets the others' pace move on).
struct Waiting<'a> {
    set: &'a mut JoinSet<Option<Trial>>,
    plan: &'a ExperimentPlan,
    sink: &'a mpsc::Sender<RecordOutcome>,
    stop: &'a CancellationToken,
    failure: &'a mut Option<String>,
}

impl Waiting<'_> {
    /// Waits until `pace` admits the record at `order`: true to start it, false when the
    /// experiment takes no more records (the pace closed, or the experiment stopped).
    async fn turn_of(&mut self, pace: &Pace, order: usize) -> bool {
        let mut watch = pace.watch();
        loop {
            match pace.admit(order) {
                Admission::Start => return true,
                Admission::Stop => return false,
                Admission::Wait => {}
            }
            tokio::select! {
                () = watch.changed() => {}
                Some(joined) = self.set.join_next(), if !self.set.is_empty() => {
                    deliver(joined, self.plan, self.sink, self.stop, self.failure).await;
                }
                () = self.stop.cancelled() => return false,
                // The writer is gone (it failed): nothing this experiment runs can be kept.
                () = self.sink.closed() => {
                    self.stop.cancel();
                    return false;
                }
            }
        }
    }
}

/// The text of a panic payload (`panic!("…")` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

async fn deliver(
    joined: Result<Option<Trial>, tokio::task::JoinError>,
    plan: &ExperimentPlan,
    sink: &mpsc::Sender<RecordOutcome>,
    stop: &CancellationToken,
    failure: &mut Option<String>,
) {
    let Trial {
        outcome,
        dooms_later_calls,
    } = match joined {
        Ok(Some(t)) => t,
        Ok(None) => return,
        Err(e) => {
            // Panics are caught inside the trial; this is an abort, which only cancel does.
            tracing::warn!(error = %e, "a trial ended without an outcome");
            return;
        }
    };
    tracing::debug!(
        record_id = %outcome.record_id,
        repetition = outcome.repetition,
        status = %outcome.status,
        overall = outcome.scores.overall,
        "trial finished"
    );
    // raise_errors as the original's runner means it: every record still runs and the
    // experiment fails with the first error, unless the error dooms every later call.
    if let (true, Some(err)) = (plan.raise_errors, &outcome.error) {
        if failure.is_none() {
            *failure = Some(format!("record {}: {err}", outcome.record_id));
        }
        if dooms_later_calls {
            stop.cancel();
        }
    }
    if sink.send(outcome).await.is_err() {
        stop.cancel();
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_pages;
