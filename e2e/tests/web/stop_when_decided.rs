//! A run that stops when its verdict is decided: the option asks for a second config, the
//! finished run draws each comparison's confidence sequence, and its Compare page shows
//! where it stopped.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

#[tokio::test]
async fn a_run_that_stops_when_decided_draws_its_sequences() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_run_page(&app, c).await;

    // One config: nothing to compare with, and the option says so.
    click(c, &tid("input-stop_when_decided")).await;
    click(c, &tid("run-async")).await;
    let message = text(c, &tid("error-stop_when_decided")).await;
    assert!(message.contains("two or more model configs"), "{message}");

    // The same extractor twice: equivalent within 50 points, or undecided after 10 records.
    click(c, &tid("add-config")).await;
    fill(c, &tid("input-stop_when_decided.min_difference"), "50").await;
    click(c, &tid("run-async")).await;

    find(c, &tid("run-results")).await;
    let run = find(c, &tid("run-sequential")).await;
    let chart = find(c, ".sequence-chart").await;
    assert!(chart
        .find(fantoccini::Locator::Css("polyline.sequence-line"))
        .await
        .is_ok());
    assert!(!text(c, ".sequential-summary").await.trim().is_empty());
    let facts = text(c, &tid("sequential-facts")).await;
    assert!(facts.contains("of 10 records compared"), "{facts}");
    let decision = text(c, &tid("sequence-decision")).await;
    assert!(
        decision.starts_with("equivalent within ±50.0 pts") || decision == "undecided",
        "{decision}"
    );
    assert!(run.is_displayed().await.unwrap());
    screenshot(c, "run-07-stop-when-decided").await;

    click(c, &tid("comparison-link")).await;
    let section = text(c, &tid("compare-sequential")).await;
    assert!(section.starts_with("Stopped when decided"), "{section}");
    find(c, "[data-testid=compare-sequential] .sequence-chart").await;
    assert!(
        !text(c, "[data-testid=compare-sequential] .sequential-summary")
            .await
            .trim()
            .is_empty()
    );
    screenshot(c, "compare-06-stopped-when-decided").await;
    browser.close().await;
}
