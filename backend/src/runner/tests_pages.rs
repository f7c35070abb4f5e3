//! The runner reads records a page at a time: every position runs once across pages, and a
//! page that cannot be read ends the experiment failed with the reason.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use shared::{DatasetRecord, RecordInput};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::eval::fixtures;
use crate::providers::RulesProvider;

/// `len` records; reading at or past `broken_from` fails. Counts the largest page asked.
struct Flaky {
    len: usize,
    broken_from: usize,
    largest_page: std::sync::atomic::AtomicUsize,
}

#[async_trait]
impl RecordSource for Flaky {
    fn len(&self) -> usize {
        self.len
    }
    async fn page(&self, from: usize, limit: usize) -> Result<Vec<DatasetRecord>, String> {
        self.largest_page
            .fetch_max(limit, std::sync::atomic::Ordering::SeqCst);
        if from >= self.broken_from {
            return Err("disk I/O error".into());
        }
        Ok((from..(from + limit).min(self.len))
            .map(|i| DatasetRecord {
                id: format!("r{i}"),
                input: RecordInput {
                    text: Some("แบบ ส.ส. 5/18".into()),
                    ..Default::default()
                },
                expected_output: fixtures::both(),
                metadata: Default::default(),
            })
            .collect())
    }
}

async fn run_flaky(
    source: Arc<Flaky>,
    repetitions: u32,
    done: HashSet<(usize, u32)>,
) -> (ExperimentEnd, Vec<RecordOutcome>) {
    let plan = ExperimentPlan {
        config: ModelConfig::new("rules-v1", 0.0, None),
        jobs: 8,
        raise_errors: false,
        repetitions,
        options: crate::providers::CallOptions::default(),
        judge: None,
        pace: None,
    };
    let (tx, mut rx) = mpsc::channel(64);
    let collect = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(o) = rx.recv().await {
            v.push(o);
        }
        v
    });
    let provider: Arc<dyn Provider> = Arc::new(RulesProvider);
    let end = run_experiment(provider, source, &plan, &done, tx, CancellationToken::new()).await;
    (end, collect.await.unwrap_or_default())
}

#[tokio::test]
async fn every_position_runs_once_across_pages() {
    let len = RECORD_PAGE * 2 + 17;
    let source = Arc::new(Flaky {
        len,
        broken_from: usize::MAX,
        largest_page: Default::default(),
    });
    let done: HashSet<(usize, u32)> = [(0, 0), (RECORD_PAGE, 1)].into();
    let (end, outs) = run_flaky(source.clone(), 2, done).await;
    assert_eq!(end, ExperimentEnd::Completed);
    let mut seen: Vec<(usize, u32)> = outs
        .iter()
        .map(|o| (o.record_index, o.repetition))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), len * 2 - 2, "every trial not done, once");
    assert!(outs
        .iter()
        .all(|o| o.record_id == format!("r{}", o.record_index)));
    assert!(
        source
            .largest_page
            .load(std::sync::atomic::Ordering::SeqCst)
            <= RECORD_PAGE
    );
}

#[tokio::test]
async fn a_page_that_cannot_be_read_fails_the_experiment_with_the_reason() {
    let source = Arc::new(Flaky {
        len: RECORD_PAGE * 3,
        broken_from: RECORD_PAGE,
        largest_page: Default::default(),
    });
    let (end, outs) = run_flaky(source, 1, HashSet::new()).await;
    match end {
        ExperimentEnd::Failed(e) => assert!(e.contains("disk I/O error"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(outs.iter().all(|o| o.record_index < RECORD_PAGE));
    assert!(!outs.is_empty(), "the trials that ran are kept");
}

/// A shuffled source runs every record once, in a seeded order, each trial keeping the
/// record's dataset position; a pace holds records back until it admits them, and once
/// closed no further record starts.
#[tokio::test]
async fn a_shuffled_source_keeps_positions_and_a_pace_holds_and_stops() {
    let len = RECORD_PAGE + 30;
    let flaky = || -> Arc<dyn RecordSource> {
        Arc::new(Flaky {
            len,
            broken_from: usize::MAX,
            largest_page: Default::default(),
        })
    };
    let shuffled = Arc::new(Shuffled::new(flaky(), 9));
    assert_eq!(
        Shuffled::new(flaky(), 9).order(),
        shuffled.order(),
        "same seed, same order"
    );
    assert_ne!(Shuffled::new(flaky(), 10).order(), shuffled.order());
    let mut sorted = shuffled.order().to_vec();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..len as u32).collect::<Vec<_>>(), "a permutation");
    let page = shuffled.page(3, 4).await.unwrap();
    for (i, r) in page.iter().enumerate() {
        assert_eq!(r.id, format!("r{}", shuffled.position(3 + i)));
    }

    let pace = Arc::new(Pace::new(10));
    let plan = ExperimentPlan {
        config: ModelConfig::new("rules-v1", 0.0, None),
        jobs: 4,
        raise_errors: false,
        repetitions: 1,
        options: crate::providers::CallOptions::default(),
        judge: None,
        pace: Some(pace.clone()),
    };
    let (tx, mut rx) = mpsc::channel(64);
    let provider: Arc<dyn Provider> = Arc::new(RulesProvider);
    let source: Arc<dyn RecordSource> = shuffled.clone();
    let run = tokio::spawn(async move {
        run_experiment(
            provider,
            source,
            &plan,
            &HashSet::new(),
            tx,
            CancellationToken::new(),
        )
        .await
    });
    let mut seen = Vec::new();
    for _ in 0..10 {
        seen.push(rx.recv().await.unwrap().record_index);
    }
    // Held at 10 admitted records: nothing more arrives until the pace moves.
    let more = tokio::time::timeout(std::time::Duration::from_millis(200), rx.recv()).await;
    assert!(more.is_err(), "a record past the pace ran");
    pace.allow(20);
    for _ in 0..10 {
        seen.push(rx.recv().await.unwrap().record_index);
    }
    pace.close();
    assert_eq!(run.await.unwrap(), ExperimentEnd::Completed);
    assert!(
        rx.recv().await.is_none(),
        "nothing runs after the pace closed"
    );
    let expected: Vec<usize> = (0..20).map(|o| shuffled.position(o)).collect();
    seen.sort_unstable();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_unstable();
    assert_eq!(
        seen, expected_sorted,
        "the first 20 of the shuffled order ran"
    );
}
