//! Async runs are never lost: a run started elsewhere shows in the header wherever the user
//! is, its experiment page follows it live, and it can be cancelled from the Experiments page.

use std::time::Duration;

use crate::browser::{screenshot, Browser};
use crate::pages::bundled_records;
use crate::steps::*;
use crate::world::App;

/// "12 / 200" → 12.
fn done_of(progress: &str) -> u64 {
    progress
        .split('/')
        .next()
        .and_then(|d| d.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_running_experiment_is_followed_and_cancelled_from_anywhere() {
    let models = testkit::ModelServer::start_with_delay(
        bundled_records(),
        &[testkit::OracleModel::perfect("oracle-slow")],
        Duration::from_millis(300),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = App::start_with(&[("MODELS_FILE", file.as_os_str())]);
    // 10 records × 20 repetitions, one at a time, uncached: about a minute.
    let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 1,
        "repetitions": 20, "use_cache": false, "model_configs": [{"model": "oracle-slow"}]}"#;
    let (status, accepted) = app.http("POST", "/api/v1/experiments/run-async", body.as_bytes());
    assert_eq!(status, 202, "{accepted}");

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/datasets").await;
    assert_eq!(text(c, &tid("runs-indicator")).await, "1 running");
    click(c, &tid("runs-indicator")).await;
    // The Experiments page, only the running one, with its progress moving.
    assert_eq!(at_least(c, &tid("experiment-row"), 1).await.len(), 1);
    let first = until("progress", WAIT, || async {
        let d = done_of(&text(c, &tid("live-progress")).await);
        (d > 0).then_some(d)
    })
    .await;
    until("progress moves", WAIT, || async {
        (done_of(&text(c, &tid("live-progress")).await) > first).then_some(())
    })
    .await;
    // Its page follows it too.
    click(c, "[data-testid=\"experiment-row\"] td a").await;
    find(c, &tid("live-progress")).await;
    screenshot(c, "experiment-03-running").await;
    c.back().await.unwrap();
    until("back on the Experiments page", WAIT, || async {
        let url = c.current_url().await.ok()?;
        url.path().ends_with("/experiments").then_some(())
    })
    .await;
    click(c, &tid("row-cancel")).await;
    // Only running ones are listed: the cancelled run leaves the list.
    find(c, &tid("no-experiments")).await;
    let task: serde_json::Value = serde_json::from_str(&accepted).unwrap();
    let (_, t) = app.http(
        "GET",
        &format!(
            "/api/v1/experiments/tasks/{}",
            task["task_id"].as_str().unwrap()
        ),
        b"",
    );
    let t: serde_json::Value = serde_json::from_str(&t).unwrap();
    assert_eq!(t["status"], "cancelled", "{t}");
    until("the header has nothing running", WAIT, || async {
        all(c, &tid("runs-indicator"))
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    screenshot(c, "experiments-02-cancelled-run").await;
    browser.close().await;
}

#[tokio::test]
async fn a_long_sync_run_shows_its_progress_and_tokens_while_it_waits() {
    let models = testkit::ModelServer::start_with_delay(
        bundled_records(),
        &[testkit::OracleModel::perfect("oracle-slow")],
        Duration::from_millis(250),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = App::start_with(&[("MODELS_FILE", file.as_os_str())]);
    let browser = Browser::start().await;
    let c = browser.client();
    open_run_page(&app, c).await;
    // 10 records × 3 repetitions, one at a time: about 8 s.
    fill(c, &tid("input-jobs"), "1").await;
    fill(c, &tid("input-repetitions"), "3").await;
    choose(c, &tid("input-model_configs[0].model"), "oracle-slow").await;
    click(c, &tid("run-sync")).await;
    let progress = until("the sync run's progress", WAIT, || async {
        let t = text(c, &tid("progress-text")).await;
        (t.contains("trials/s") && t.contains("tokens")).then_some(t)
    })
    .await;
    assert!(
        progress.contains("of 30 trials (10 records × 3 repetitions = 30 trials)")
            && progress.contains("so far"),
        "{progress}"
    );
    screenshot(c, "run-06-long-sync-progress").await;
    at_least(c, &tid("experiment-result"), 1).await;
    assert!(
        all(c, &tid("task-progress")).await.is_empty(),
        "the result replaces the progress"
    );
    browser.close().await;
}
