//! Claiming async runs on the store itself (SQLite, or PostgreSQL in the PostgreSQL pass):
//! replicas claiming at the same moment never share a run, a lapsed lease passes to the next
//! claimant, and the replica that lost it can no longer renew it.

use std::collections::HashMap;
use std::sync::Arc;

use shared::{ExperimentStatus, ModelConfig, RunMode, RunStatus};
use tallylab::store::{ExperimentRow, PgStore, RunRow, SqliteStore, Store, StoreError};

/// A fresh store of the kind this pass of the tests runs on.
async fn fresh_store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    match testkit::postgres::server() {
        Some(server) => {
            let url = testkit::postgres::fresh_database(&server).await;
            Arc::new(PgStore::open(&url).await.expect("open PostgreSQL"))
        }
        None => {
            let url = format!("sqlite://{}", dir.path().join("claims.db").display());
            Arc::new(SqliteStore::open(&url).await.expect("open SQLite"))
        }
    }
}

fn queued_run(i: usize) -> RunRow {
    RunRow {
        id: format!("run-{i:03}"),
        mode: RunMode::Async,
        status: RunStatus::Queued,
        request: serde_json::from_str(
            r#"{"dataset_name": "d", "model_configs": [{"model": "rules-v1"}]}"#,
        )
        .unwrap(),
        dataset_id: "ds".into(),
        dataset_name: "d".into(),
        dataset_version: 1,
        dataset_size: 10,
        response: None,
        error: None,
        created_at: format!("2026-12-01T00:00:{:02}.{:03}Z", i / 1000, i % 1000),
        finished_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_claiming_at_once_never_share_a_run_and_a_lapsed_lease_moves() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    const RUNS: usize = 60;
    for i in 0..RUNS {
        store.create_run(&queued_run(i)).await.unwrap();
    }
    let now = 1_000_000;
    let until = now + 30_000;
    // Eight replicas claim everything claimable at the same moment, each several times.
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let mut claims = Vec::new();
    for r in 0..8 {
        let (store, start) = (store.clone(), start.clone());
        claims.push(tokio::spawn(async move {
            let owner = format!("replica-{r}");
            start.wait().await;
            let mut mine = Vec::new();
            for _ in 0..3 {
                let got = store.claim_runs(&owner, None, now, until).await.unwrap();
                mine.extend(got.into_iter().map(|run| run.id));
            }
            (owner, mine)
        }));
    }
    let mut holder: HashMap<String, String> = HashMap::new();
    for claim in claims {
        let (owner, mine) = claim.await.unwrap();
        for id in mine {
            if let Some(other) = holder.insert(id.clone(), owner.clone()) {
                // A replica re-claiming its own run is allowed (its previous life); another
                // replica's live lease is not.
                assert_eq!(other, owner, "{id} claimed by {other} and {owner}");
            }
        }
    }
    assert_eq!(holder.len(), RUNS, "every run is claimed");

    // A live lease is not taken; once it lapses the next claimant takes every run.
    let first = holder["run-000"].clone();
    let none = store
        .claim_runs("late", Some("run-000"), now + 1, now + 2)
        .await
        .unwrap();
    assert!(none.is_empty(), "a live lease is kept");
    let later = until + 1;
    let taken = store
        .claim_runs("late", None, later, later + 30_000)
        .await
        .unwrap();
    assert_eq!(taken.len(), RUNS);
    // Oldest first, as runs are resumed.
    assert_eq!(taken[0].id, "run-000");
    // The replica that held it learns at its next renewal that it no longer does.
    assert_eq!(
        store
            .renew_lease(&first, "run-000", later + 5)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .renew_lease("late", "run-000", later + 5)
            .await
            .unwrap(),
        Some(false)
    );
    store.request_cancel("run-000").await.unwrap();
    assert_eq!(
        store
            .renew_lease("late", "run-000", later + 6)
            .await
            .unwrap(),
        Some(true),
        "a cancel asked elsewhere reaches the holder"
    );
    // A run that ended is never claimed again.
    store
        .update_run("run-001", RunStatus::Completed, None, None)
        .await
        .unwrap();
    store.release_lease("late", "run-001").await.unwrap();
    let after_end = store
        .claim_runs("other", Some("run-001"), later, later + 1)
        .await
        .unwrap();
    assert!(after_end.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_datadog_export_is_claimed_by_one_replica_and_own_key_ones_by_their_key_holder() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    store.create_run(&queued_run(0)).await.unwrap();
    const EXPORTS: usize = 12;
    for i in 0..EXPORTS {
        let id = format!("exp-{i:02}");
        store
            .create_experiment(&ExperimentRow {
                id: id.clone(),
                run_id: "run-000".into(),
                position: u32::try_from(i).unwrap(),
                name: "e".into(),
                project_name: "p".into(),
                dataset_name: "d".into(),
                dataset_version: 1,
                config: ModelConfig::new("rules-v1", 0.0, None),
                prompt_version: "n/a".into(),
                jobs: 1,
                repetitions: 1,
                raise_errors: false,
                total_trials: 1,
                status: ExperimentStatus::Running,
                error: None,
                summary: None,
                created_at: format!("2026-12-01T00:00:00.{i:03}Z"),
                finished_at: None,
            })
            .await
            .unwrap();
        // Every fourth is sent with its run's own key, which only replica-0 holds.
        let holder = (i % 4 == 0).then_some("replica-0");
        store
            .queue_export(&id, "datadoghq.com", "p", holder)
            .await
            .unwrap();
    }
    let now = 5_000;
    let start = Arc::new(tokio::sync::Barrier::new(4));
    let mut claims = Vec::new();
    for r in 0..4 {
        let (store, start) = (store.clone(), start.clone());
        claims.push(tokio::spawn(async move {
            let owner = format!("replica-{r}");
            start.wait().await;
            let got = store
                .due_exports(&owner, now, now + 60_000, 100)
                .await
                .unwrap();
            (owner, got)
        }));
    }
    let mut holder: HashMap<String, String> = HashMap::new();
    for claim in claims {
        let (owner, got) = claim.await.unwrap();
        for row in got {
            assert_eq!(row.lease_owner.as_deref(), Some(owner.as_str()));
            if row.own_key {
                assert_eq!(
                    owner, "replica-0",
                    "{} is sent with replica-0's key",
                    row.experiment_id
                );
            }
            assert!(holder
                .insert(row.experiment_id.clone(), owner.clone())
                .is_none());
        }
    }
    assert_eq!(holder.len(), EXPORTS, "every due export is claimed once");

    // A claim that lapsed passes on; the replica that lost it can no longer save progress.
    let shared_one = "exp-01".to_string();
    let taker = if holder[&shared_one] == "replica-3" {
        "replica-2"
    } else {
        "replica-3"
    };
    let mut stale = store.get_export(&shared_one).await.unwrap().unwrap();
    let later = now + 60_001;
    let taken = store
        .due_exports(taker, later, later + 60_000, 100)
        .await
        .unwrap();
    assert!(taken.iter().any(|r| r.experiment_id == shared_one));
    assert!(
        taken.iter().all(|r| !r.own_key),
        "own-key exports never leave their key holder"
    );
    stale.sent_trials = 99;
    assert!(matches!(
        store.save_export(&stale).await,
        Err(StoreError::Conflict(_))
    ));
    let kept = store.get_export(&shared_one).await.unwrap().unwrap();
    assert_eq!(
        kept.sent_trials, 0,
        "the stale replica's progress is not saved"
    );
    assert_eq!(kept.lease_owner.as_deref(), Some(taker));
}
