//! The other pages: comparison, history, one experiment, datasets with upload and label
//! correction, deep links and errors.

use fantoccini::Locator;

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

#[tokio::test]
async fn comparison_link_shows_both_experiments_and_a_verdict() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    run_offline_baseline(c).await;

    click(c, &tid("comparison-link")).await;

    let compared = at_least(c, &tid("compared-experiment"), 2).await;
    assert_eq!(compared.len(), 2);
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/compare");
    let ids = url
        .query_pairs()
        .find(|(k, _)| k == "ids")
        .map(|(_, v)| v.to_string())
        .unwrap();
    assert_eq!(ids.split(',').count(), 2, "{ids}");
    let verdicts = at_least(c, &tid("verdict"), 1).await;
    for v in &verdicts {
        let word = v
            .find(Locator::Css(&tid("verdict-word")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            ["A better", "B better", "not distinguishable"].contains(&word.as_str()),
            "{word}"
        );
        let why = v
            .find(Locator::Css(&tid("verdict-explanation")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(why.len() > 10, "every verdict is explained: {why:?}");
    }
    let dots = all(c, "[data-testid=\"ci-chart\"] circle.dot").await;
    assert!(
        dots.len() >= 2 * 7,
        "a dot per experiment and metric: {}",
        dots.len()
    );
    find(c, &tid("compare-per-field")).await;
    screenshot(c, "compare-01").await;
    // A deep link (reload) is served the app too.
    c.refresh().await.unwrap();
    assert_eq!(at_least(c, &tid("compared-experiment"), 2).await.len(), 2);
    browser.close().await;
}

#[tokio::test]
async fn history_and_experiment_pages_show_records_against_expected() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    run_offline_baseline(c).await;

    click(c, "header nav a[href=\"/experiments\"]").await;
    assert_eq!(at_least(c, &tid("experiment-row"), 2).await.len(), 2);
    fill(c, &tid("filter-model"), "no-such-model").await;
    click(c, &tid("filter-apply")).await;
    find(c, &tid("no-experiments")).await;
    fill(c, &tid("filter-model"), "rules-v1").await;
    click(c, &tid("filter-apply")).await;
    let rows = at_least(c, &tid("experiment-row"), 2).await;
    for row in &rows {
        row.find(Locator::Css("input[type=checkbox]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    find(c, &tid("compare-selected")).await;
    screenshot(c, "experiments-01-history").await;

    rows[0]
        .find(Locator::Css("td a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    assert!(text(c, &tid("experiment-title"))
        .await
        .contains("vote-extraction-rules"));
    find(c, &tid("per-field-table")).await;
    let records = at_least(
        c,
        "[data-testid=\"records-table\"] tbody[data-testid=\"record\"]",
        10,
    )
    .await;
    assert_eq!(records.len(), 10);
    let diffs = all(c, &tid("field-diff")).await.len();
    let oks = all(c, &tid("field-ok")).await.len();
    assert!(
        diffs > 0 && oks > 0,
        "rules-v1 gets some fields right and some wrong: {oks} ok, {diffs} differ"
    );
    // Open the first record's field detail for the screenshot.
    let first = "document.querySelector('[data-testid=\"record\"] details').open = true;";
    js(c, first, vec![]).await;
    screenshot(c, "experiment-01-detail").await;
    browser.close().await;
}

#[tokio::test]
async fn datasets_upload_and_label_correction() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/datasets").await;
    assert!(text(c, &tid("datasets-table"))
        .await
        .contains("vote-extraction-bangbamru-1-10"));
    let out = e2e::tallylab()
        .args(["dataset", "generate", "--records", "3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let jsonl = String::from_utf8(out.stdout).unwrap();

    fill(c, &tid("input-name"), "e2e-upload").await;
    fill(c, &tid("upload-body"), &jsonl).await;
    click(c, &tid("upload-submit")).await;

    let result = text(c, &tid("upload-result")).await;
    assert!(
        result.contains("e2e-upload v1") && result.contains("3 records"),
        "{result}"
    );
    screenshot(c, "datasets-01-list-upload").await;
    click(c, "[data-testid=\"upload-result\"] a").await;
    assert_eq!(at_least(c, &tid("version-row"), 1).await.len(), 1);
    assert_eq!(at_least(c, &tid("dataset-record"), 3).await.len(), 3);
    screenshot(c, "datasets-02-detail").await;

    click(c, &tid("edit-label")).await;
    find(c, &tid("label-json")).await;
    fill(c, &tid("input-reviewed_by"), "e2e reviewer").await;
    click(c, &tid("label-save")).await;

    let saved = text(c, &tid("label-saved")).await;
    assert!(saved.contains("version 2"), "{saved}");
    assert_eq!(at_least(c, &tid("version-row"), 2).await.len(), 2);
    let review = text(c, &tid("review")).await;
    assert!(
        review.contains("Label reviewed by e2e reviewer"),
        "{review}"
    );
    screenshot(c, "datasets-03-label-corrected").await;
    browser.close().await;
}

#[tokio::test]
async fn unknown_experiment_and_path_show_an_answer_not_a_blank_page() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/experiments/no-such-id").await;

    let error = text(c, &tid("error")).await;
    assert!(error.contains("404"), "{error}");
    screenshot(c, "errors-01-unknown-experiment").await;
    c.goto(&app.url("/no/such/page")).await.unwrap();
    find(c, &tid("not-found")).await;
    browser.close().await;
}
