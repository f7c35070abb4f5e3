//! Runner behaviour with a scripted in-process model (the runner's own logic is under test
//! here, not a provider's wire format).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use shared::{DatasetRecord, RecordInput, RecordStatus, ReportSet};

use super::*;
use crate::eval::fixtures;
use crate::providers::{CallOptions, Completion, ProviderError};

/// Answers the label for records whose text is "ok", fails otherwise; tracks concurrency.
struct Scripted {
    answer: String,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    delay: Duration,
}

impl Provider for Scripted {
    fn kind(&self) -> &'static str {
        "scripted"
    }
    fn complete<'a>(
        &'a self,
        input: &'a RecordInput,
        _config: &'a ModelConfig,
        options: CallOptions,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            match input.text.as_deref() {
                Some("ok") => Ok(Completion {
                    text: self.answer.clone(),
                    ..Default::default()
                }),
                Some("echo") => Ok(Completion {
                    text: format!("repetition {}", options.repetition),
                    ..Default::default()
                }),
                Some("garbage") => Ok(Completion {
                    text: "I cannot read this".into(),
                    ..Default::default()
                }),
                Some("panic") => panic!("scripted model crashed on this record"),
                Some("refused") => Err(ProviderError::Refused("HTTP 401: invalid key".into())),
                _ => Err(ProviderError::Call("HTTP 500".into())),
            }
        })
    }
}

fn records(texts: &[&str]) -> Arc<dyn RecordSource> {
    let records: Vec<DatasetRecord> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| DatasetRecord {
            id: format!("r{i}"),
            input: RecordInput {
                text: Some((*t).into()),
                ..Default::default()
            },
            expected_output: fixtures::both(),
            metadata: Default::default(),
        })
        .collect();
    in_memory(records)
}

fn scripted(delay_ms: u64) -> Arc<Scripted> {
    let answer = serde_json::to_string(&fixtures::both()).unwrap_or_default();
    Arc::new(Scripted {
        answer,
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        delay: Duration::from_millis(delay_ms),
    })
}

fn plan(jobs: usize, raise_errors: bool, repetitions: u32) -> ExperimentPlan {
    ExperimentPlan {
        config: ModelConfig::new("scripted", 0.0, None),
        jobs,
        raise_errors,
        repetitions,
        options: CallOptions::default(),
        judge: None,
        pace: None,
    }
}

async fn run(
    provider: Arc<Scripted>,
    recs: Arc<dyn RecordSource>,
    plan: &ExperimentPlan,
    done: HashSet<(usize, u32)>,
    cancel: CancellationToken,
) -> (ExperimentEnd, Vec<RecordOutcome>) {
    let (tx, mut rx) = mpsc::channel(16);
    let collector = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(o) = rx.recv().await {
            v.push(o);
        }
        v
    });
    let end = run_experiment(provider, recs, plan, &done, tx, cancel).await;
    (end, collector.await.unwrap_or_default())
}

#[tokio::test]
async fn jobs_bound_concurrency_and_every_trial_is_delivered() {
    let p = scripted(20);
    let recs = records(&["ok"; 12]);
    let (end, outs) = run(
        p.clone(),
        recs,
        &plan(3, false, 2),
        HashSet::new(),
        CancellationToken::new(),
    )
    .await;
    assert_eq!(end, ExperimentEnd::Completed);
    assert_eq!(outs.len(), 24);
    assert_eq!(p.max_in_flight.load(Ordering::SeqCst), 3);
    assert!(outs
        .iter()
        .all(|o| o.scores.overall == 1.0 && o.output.is_some()));
}

#[tokio::test]
async fn errors_are_recorded_and_the_run_goes_on() {
    let recs = records(&["ok", "fail", "garbage", "ok"]);
    let (end, outs) = run_all(recs).await;
    assert_eq!(end, ExperimentEnd::Completed);
    assert_eq!(outs.len(), 4);
    let failed: Vec<_> = outs
        .iter()
        .filter(|o| o.error.is_some())
        .map(|o| o.record_id.as_str())
        .collect();
    assert_eq!(failed.len(), 2);
    let status = |id: &str| outs.iter().find(|o| o.record_id == id).map(|o| o.status);
    assert_eq!(status("r0"), Some(RecordStatus::Ok));
    assert_eq!(status("r1"), Some(RecordStatus::CallFailed));
    assert_eq!(status("r2"), Some(RecordStatus::InvalidOutput));
    let garbage = outs
        .iter()
        .find(|o| o.record_id == "r2")
        .map(|o| o.error.clone());
    assert!(garbage
        .flatten()
        .is_some_and(|e| e.contains("not a vote report")));
}

/// Runs every record with two jobs, no repetition, nothing done before, no cancel.
async fn run_all(recs: Arc<dyn RecordSource>) -> (ExperimentEnd, Vec<RecordOutcome>) {
    run(
        scripted(1),
        recs,
        &plan(2, false, 1),
        HashSet::new(),
        CancellationToken::new(),
    )
    .await
}

/// Runs `first` then fifty good records, stopping at the first error.
async fn raise_after(first: &'static str) -> (ExperimentEnd, Vec<RecordOutcome>) {
    let mut texts = vec![first];
    texts.extend(["ok"; 50]);
    run(
        scripted(5),
        records(&texts),
        &plan(1, true, 1),
        HashSet::new(),
        CancellationToken::new(),
    )
    .await
}

#[tokio::test]
async fn a_trial_that_panics_is_delivered_as_crashed_with_the_message() {
    let recs = records(&["ok", "panic", "ok", "ok"]);
    let (end, outs) = run_all(recs).await;
    assert_eq!(
        end,
        ExperimentEnd::Completed,
        "one crash does not stop the others"
    );
    assert_eq!(outs.len(), 4, "the crashed trial is delivered, not dropped");
    let crashed = outs.iter().find(|o| o.record_id == "r1").unwrap();
    assert_eq!(crashed.status, RecordStatus::Crashed);
    let error = crashed.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("scripted model crashed on this record"),
        "{error}"
    );
    assert_eq!(crashed.scores.overall, 0.0);
    assert_eq!(
        crashed.scores.passed(crate::eval::names::HAS_NO_ERRORS),
        Some(false)
    );
    assert_eq!(outs.iter().filter(|o| o.error.is_none()).count(), 3);
}

#[tokio::test]
async fn a_crash_fails_a_raise_errors_experiment_after_every_record_ran() {
    let (end, outs) = raise_after("panic").await;
    assert!(
        matches!(end, ExperimentEnd::Failed(ref e) if e.contains("panicked")),
        "{end:?}"
    );
    assert_eq!(outs.len(), 51);
}

/// The original's runner: every record runs, the experiment fails with the first error.
#[tokio::test]
async fn raise_errors_runs_every_record_and_fails_with_the_first_error() {
    let (end, outs) = raise_after("fail").await;
    assert!(
        matches!(end, ExperimentEnd::Failed(ref e) if e.contains("r0") && e.contains("HTTP 500")),
        "{end:?}"
    );
    assert_eq!(outs.len(), 51, "every record ran");
    assert_eq!(outs.iter().filter(|o| o.error.is_none()).count(), 50);
}

/// Refused credentials or an exhausted daily quota fail every later call: stop at once.
#[tokio::test]
async fn raise_errors_stops_at_once_on_an_error_that_dooms_later_calls() {
    let (end, outs) = raise_after("refused").await;
    assert!(
        matches!(end, ExperimentEnd::Failed(ref e) if e.contains("r0") && e.contains("HTTP 401")),
        "{end:?}"
    );
    assert!(outs.len() < 5, "ran {} trials after the error", outs.len());
    // Without raise_errors the same error is one failed record among many.
    let mut texts = vec!["refused"];
    texts.extend(["ok"; 9]);
    let (end, outs) = run(
        scripted(1),
        records(&texts),
        &plan(1, false, 1),
        HashSet::new(),
        CancellationToken::new(),
    )
    .await;
    assert_eq!(end, ExperimentEnd::Completed);
    assert_eq!(outs.len(), 10);
}

#[tokio::test]
async fn done_trials_are_skipped() {
    let done: HashSet<(usize, u32)> = [(0, 0), (2, 0)].into_iter().collect();
    let (_, outs) = run(
        scripted(1),
        records(&["ok"; 4]),
        &plan(2, false, 1),
        done,
        CancellationToken::new(),
    )
    .await;
    let mut ids: Vec<_> = outs.iter().map(|o| o.record_index).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![1, 3]);
}

#[tokio::test]
async fn cancel_keeps_finished_records() {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        c.cancel();
    });
    let (end, outs) = run(
        scripted(20),
        records(&["ok"; 100]),
        &plan(2, false, 1),
        HashSet::new(),
        cancel,
    )
    .await;
    assert_eq!(end, ExperimentEnd::Cancelled);
    assert!(!outs.is_empty() && outs.len() < 100, "{}", outs.len());
    assert!(outs.iter().all(|o| o.error.is_none()));
}

#[test]
fn report_set_round_trips_through_the_parser() {
    let text = serde_json::to_string(&fixtures::both()).unwrap_or_default();
    let parsed: ReportSet = crate::report::parse_output(&text).unwrap_or_default();
    assert_eq!(parsed, fixtures::both());
}

/// Each repetition's call says which repetition it is (the response cache keys on it).
#[tokio::test]
async fn each_call_knows_its_repetition() {
    let (_, outs) = run(
        scripted(1),
        records(&["echo"]),
        &plan(1, false, 3),
        HashSet::new(),
        CancellationToken::new(),
    )
    .await;
    let mut seen: Vec<(u32, String)> = outs
        .into_iter()
        .map(|o| (o.repetition, o.raw_output.unwrap_or_default()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        (0..3u32)
            .map(|r| (r, format!("repetition {r}")))
            .collect::<Vec<_>>()
    );
}
