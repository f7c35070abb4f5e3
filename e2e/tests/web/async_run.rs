//! Async runs on the run page: the live progress bar, the results, and cancel.

use std::time::Duration;

use serde_json::Value;

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

#[tokio::test]
async fn async_run_shows_progress_then_results() {
    let app = App::start();
    app.upload_generated("gen-2000", 2000);
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    choose(c, &tid("input-dataset_name"), "gen-2000").await;
    fill(c, &tid("input-sample_size"), "").await;
    fill(c, &tid("input-jobs"), "1").await;

    click(c, &tid("run-async")).await;

    let bar = tid("progress");
    find(c, &bar).await;
    let mut seen = Vec::new();
    let mut shot = false;
    let start = std::time::Instant::now();
    let total: u64 = loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the async run did not finish: {seen:?}"
        );
        let now: u64 = attr(c, &bar, "aria-valuenow")
            .await
            .unwrap_or_default()
            .parse()
            .unwrap_or(0);
        let max: u64 = attr(c, &bar, "aria-valuemax")
            .await
            .unwrap_or_default()
            .parse()
            .unwrap_or(0);
        seen.push(now);
        if !shot && now > 0 && now < max {
            shot = true;
            screenshot(c, "run-02-async-progress").await;
        }
        if !all(c, &tid("run-results")).await.is_empty() {
            break max;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(total, 4000, "2 configs × 2000 records");
    assert!(
        seen.iter().any(|&v| v > 0 && v < total),
        "the bar should show progress between 0 and {total}: {seen:?}"
    );
    assert_eq!(
        attr(c, &bar, "aria-valuenow").await.as_deref(),
        Some("4000")
    );
    assert_eq!(text(c, &tid("task-status")).await, "completed");
    assert_eq!(at_least(c, &tid("experiment-result"), 2).await.len(), 2);
    // Progress came by the event stream read through fetch (with the key), not by polling.
    assert_eq!(
        attr(c, &tid("live"), "data-live").await.as_deref(),
        Some("stream")
    );
    screenshot(c, "run-03-async-results").await;
    browser.close().await;
}

#[tokio::test]
async fn async_run_can_be_cancelled() {
    let app = App::start();
    app.upload_generated("gen-cancel", 2000);
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    choose(c, &tid("input-dataset_name"), "gen-cancel").await;
    fill(c, &tid("input-sample_size"), "").await;
    fill(c, &tid("input-jobs"), "1").await;
    fill(c, &tid("input-repetitions"), "5").await;
    click(c, &tid("run-async")).await;
    let bar = tid("progress");
    until("progress above 0", Duration::from_secs(60), || async {
        let now: u64 = attr(c, &bar, "aria-valuenow").await?.parse().ok()?;
        (now > 0).then_some(())
    })
    .await;

    click(c, &tid("cancel-run")).await;

    until(
        "the task to be cancelled",
        Duration::from_secs(30),
        || async { (text(c, &tid("task-status")).await == "cancelled").then_some(()) },
    )
    .await;
    let now: u64 = attr(c, &bar, "aria-valuenow")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let max: u64 = attr(c, &bar, "aria-valuemax")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(now < max, "cancelled before the end: {now} of {max}");
    let said = text(c, &tid("progress-text")).await;
    assert!(
        said.starts_with("Cancelled after") && said.ends_with("partial results below."),
        "{said}"
    );
    assert!(!find(c, &tid("cancel-run"))
        .await
        .is_displayed()
        .await
        .unwrap());
    // The server agrees.
    let (status, body) = app.http("GET", "/api/v1/experiments?limit=10", b"");
    assert_eq!(status, 200, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        2,
        "both experiments of the run are listed: {page}"
    );
    assert!(items.iter().all(|e| e["status"] == "cancelled"), "{page}");
    screenshot(c, "run-04-async-cancelled").await;
    browser.close().await;
}

/// A run that cannot go on (its storage fails under it) ends `failed` on the page with the
/// reason, instead of a progress bar that never moves again.
#[tokio::test]
async fn a_failed_async_run_says_so_with_its_error() {
    let app = App::start();
    testkit::break_trial_storage(&app.database()).await;
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    find(
        c,
        "[data-testid=\"input-dataset_name\"] option[value=\"vote-extraction-bangbamru-1-10\"]",
    )
    .await;
    click(c, &tid("run-async")).await;

    until("the task to fail", Duration::from_secs(30), || async {
        (text(c, &tid("task-status")).await == "failed").then_some(())
    })
    .await;
    let error = text(c, &tid("task-error")).await;
    assert!(error.contains(testkit::STORAGE_FAILURE), "{error}");
    assert!(
        !find(c, &tid("cancel-run"))
            .await
            .is_displayed()
            .await
            .unwrap(),
        "nothing left to cancel"
    );
    assert!(all(c, &tid("run-results")).await.is_empty());
    screenshot(c, "run-05-async-failed").await;
    browser.close().await;
}
