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
    // rules-v1 is deterministic: the same extractor twice is never called better.
    for (metric, word) in verdicts(c).await {
        assert_eq!(word, "not distinguishable", "{metric}");
    }
    let metrics = all(c, "[data-testid=\"metrics-table\"] tbody tr")
        .await
        .len();
    let dots = all(c, "[data-testid=\"ci-chart\"] circle.dot").await;
    assert_eq!(dots.len(), 2 * metrics, "a dot per experiment and metric");
    find(c, &tid("compare-per-field")).await;
    screenshot(c, "compare-01").await;
    // A deep link (reload) is served the app too.
    c.refresh().await.unwrap();
    assert_eq!(at_least(c, &tid("compared-experiment"), 2).await.len(), 2);
    browser.close().await;
}

/// Every verdict row: (metric label, verdict word in lower case), each with its
/// explanation checked.
async fn verdicts(c: &fantoccini::Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in at_least(c, &tid("verdict"), 1).await {
        let cell = |css: &'static str| {
            let v = v.clone();
            async move {
                v.find(Locator::Css(css))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let why = cell("[data-testid=\"verdict-explanation\"]").await;
        assert!(why.len() > 10, "every verdict is explained: {why:?}");
        // Badges are styled in capitals or not; the words are what count.
        let word = cell("[data-testid=\"verdict-word\"]").await.to_lowercase();
        out.push((cell("th").await, word));
    }
    out
}

/// A server with two models of known accuracy (a local OpenAI-compatible server: one
/// perfect, one wrong on every record) and a run of both on the bundled dataset.
pub struct GoodAndBad {
    pub app: App,
    /// The run's comparison page, e.g. `/compare?ids=a,b`.
    pub compare: String,
    _models: testkit::ModelServer,
    _dir: tempfile::TempDir,
}

impl GoodAndBad {
    pub async fn run() -> GoodAndBad {
        let models = testkit::ModelServer::start(
            bundled_records(),
            &[
                testkit::OracleModel::perfect("oracle-good"),
                testkit::OracleModel::wrong_on("oracle-bad", 1, 1),
            ],
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let file = models.write_models_file(dir.path());
        let app = App::start_with(&[("MODELS_FILE", file.as_os_str())]);
        let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 4,
            "model_configs": [{"model": "oracle-good", "name_suffix": "good"},
                              {"model": "oracle-bad", "name_suffix": "bad"}]}"#;
        let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
        assert_eq!(status, 200, "{response}");
        let response: serde_json::Value = serde_json::from_str(&response).unwrap();
        let url = response["comparison_url"].as_str().unwrap();
        let compare = url[url.find("/compare").unwrap()..].to_string();
        GoodAndBad {
            app,
            compare,
            _models: models,
            _dir: dir,
        }
    }
}

/// Two models of known accuracy (a local OpenAI-compatible server): the compare page must
/// say the better one is better, where it is, and nothing where they are equal.
#[tokio::test]
async fn compare_page_names_the_better_model() {
    let oracles = GoodAndBad::run().await;
    let (app, path) = (&oracles.app, oracles.compare.as_str());

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(app, c, path).await;
    let verdicts = verdicts(c).await;
    let word = |label: &str| {
        verdicts
            .iter()
            .find(|(m, _)| m == label)
            .map(|(_, w)| w.clone())
            .unwrap_or_else(|| panic!("no {label} verdict in {verdicts:?}"))
    };
    assert_eq!(word("Overall accuracy"), "a better");
    assert_eq!(word("Ballot accuracy"), "a better");
    assert_eq!(word("Success rate"), "not distinguishable");
    screenshot(c, "compare-02-known-difference").await;
    browser.close().await;
}

pub fn bundled_records() -> Vec<shared::DatasetRecord> {
    // The bundled dataset as the server holds it, read back through the API of a
    // throwaway server (the e2e tests use the binary, not the library).
    let app = App::start();
    let (status, body) = app.http(
        "GET",
        "/api/v1/datasets/vote-extraction-bangbamru-1-10/records?limit=500",
        b"",
    );
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_value(r.clone()).unwrap())
        .collect()
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
    fill(c, &tid("filter-search"), "no-such-model").await;
    click(c, &tid("filter-apply")).await;
    find(c, &tid("no-experiments")).await;
    // A part of the dataset's name finds its experiments.
    fill(c, &tid("filter-search"), "bangbamru").await;
    click(c, &tid("filter-apply")).await;
    assert_eq!(at_least(c, &tid("experiment-row"), 2).await.len(), 2);
    fill(c, &tid("filter-search"), "").await;
    click(c, &tid("filter-apply")).await;
    // Models are a choice; the order a heading's button; both in the URL.
    choose(c, &tid("filter-model"), "rules-v1").await;
    click(c, &tid("sort-best")).await;
    find(c, "th[aria-sort=descending] [data-testid=sort-best]").await;
    until("the choices in the URL", WAIT, || async {
        let url = c.current_url().await.ok()?;
        let q = url.query()?.to_string();
        (q.contains("model=rules-v1") && q.contains("sort=best")).then_some(())
    })
    .await;
    click(c, &tid("sort-newest")).await;
    // The run's two experiments under one heading, comparable in one click.
    find(c, &tid("compare-run")).await;
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
    // The ticks are in the URL: a reload keeps them.
    let url = until("the selection in the URL", WAIT, || async {
        let url = c.current_url().await.ok()?;
        url.query()
            .is_some_and(|q| q.contains("sel="))
            .then_some(url)
    })
    .await;
    c.goto(url.as_str()).await.unwrap();
    find(c, &tid("compare-selected")).await;
    let rows = at_least(c, &tid("experiment-row"), 2).await;
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
    let label_json = tid("label-json");
    let label: String = js(
        c,
        "return document.querySelector(arguments[0]).value;",
        vec![serde_json::json!(label_json)],
    )
    .await
    .as_str()
    .unwrap()
    .to_string();
    let mut label: serde_json::Value = serde_json::from_str(&label).expect("the label as JSON");
    let before = label[0]["ballot_statistics"]["bad_ballots"].clone();
    let corrected = before.as_u64().unwrap_or(0) + 7;
    label[0]["ballot_statistics"]["bad_ballots"] = corrected.into();
    fill(c, &label_json, &label.to_string()).await;
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
    // The server kept the correction in version 2 and the old label in version 1.
    let bad_ballots = |version: u32| {
        let (status, body) = app.http(
            "GET",
            &format!("/api/v1/datasets/e2e-upload/records?version={version}&limit=1"),
            b"",
        );
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        page["items"][0]["expected_output"][0]["ballot_statistics"]["bad_ballots"].clone()
    };
    assert_eq!(bad_ballots(2), corrected);
    assert_eq!(bad_ballots(1), before);
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
