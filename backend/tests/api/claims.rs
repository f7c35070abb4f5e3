//! Claiming async runs on the store itself (SQLite, or PostgreSQL in the PostgreSQL pass):
//! replicas claiming at the same moment never share a run, a lapsed lease passes to the next
//! claimant, and the replica that lost it can no longer renew it.

use std::collections::HashMap;
use std::sync::Arc;

use shared::{RunMode, RunStatus};
use tallylab::store::{PgStore, RunRow, RunStore, SqliteStore};

/// A fresh store of the kind this pass of the tests runs on.
async fn fresh_store(dir: &tempfile::TempDir) -> Arc<dyn RunStore> {
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
