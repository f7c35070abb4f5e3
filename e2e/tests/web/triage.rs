//! The experiment page as a triage list: worst records first, a field's errors one click from
//! the per-field table, a record id search, and all of it in the URL (a reload keeps it).

use std::time::Duration;

use crate::browser::{screenshot, wait_file, Browser};
use crate::steps::*;
use crate::world::App;

/// The overall column of the records shown.
async fn column(c: &fantoccini::Client, cell: &str) -> Vec<String> {
    let script = format!(
        "return Array.from(document.querySelectorAll('[data-testid=\"record\"] > tr:first-child > {cell}'))\
             .map(e => e.textContent.trim());"
    );
    serde_json::from_value(js(c, &script, vec![]).await).unwrap()
}

async fn overall(c: &fantoccini::Client) -> Vec<f64> {
    column(c, "td:nth-of-type(1)")
        .await
        .iter()
        .map(|t| percent(t))
        .collect()
}

async fn ids(c: &fantoccini::Client) -> Vec<String> {
    // Each id is followed by its "#" link.
    column(c, "th")
        .await
        .into_iter()
        .map(|t| t.trim_end_matches('#').trim().to_string())
        .collect()
}

#[tokio::test]
async fn worst_first_field_filter_and_search_survive_a_reload() {
    let app = App::start();
    let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
        "model_configs": [{"model": "rules-v1"}]}"#;
    let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
    assert_eq!(status, 200, "{response}");
    let response: serde_json::Value = serde_json::from_str(&response).unwrap();
    let id = response["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, &format!("/experiments/{id}")).await;
    at_least(c, &tid("record"), 10).await;
    // Each page names its tab: here, after the experiment.
    until("the tab's title", WAIT, || async {
        let title = c.title().await.ok()?;
        (title == "vote-extraction-rules-v1-t0.0 · tallylab").then_some(())
    })
    .await;
    let first = overall(c).await;
    assert!(
        first.windows(2).all(|w| w[0] <= w[1]),
        "worst first: {first:?}"
    );
    assert!(first[0] < 100.0);

    // The per-field table, worst first: its first error count opens those records.
    click(c, &tid("field-errors")).await;
    until("the field filter applies", WAIT, || async {
        let url = c.current_url().await.ok()?;
        url.as_str().contains("field=").then_some(())
    })
    .await;
    let filtered = until("fewer records", WAIT, || async {
        let n = all(c, &tid("record")).await.len();
        (n > 0 && n < 10).then_some(n)
    })
    .await;
    screenshot(c, "experiment-02-field-filter").await;
    let url = c.current_url().await.unwrap();
    c.goto(url.as_str()).await.unwrap();
    until("the filter survives a reload", WAIT, || async {
        (all(c, &tid("record")).await.len() == filtered).then_some(())
    })
    .await;

    choose(c, &tid("records-field"), "").await;
    fill(c, &tid("records-search"), "หรุ1").await;
    until("the search applies", WAIT, || async {
        let mut found = ids(c).await;
        found.sort();
        (found == ["บางบำหรุ1", "บางบำหรุ10"]).then_some(())
    })
    .await;

    // Any evaluator orders the list: vote results quality, lowest first, kept in the URL.
    fill(c, &tid("records-search"), "").await;
    choose(c, &tid("records-sort"), "worst:vote_results_quality").await;
    until("the order in the URL", WAIT, || async {
        let url = c.current_url().await.ok()?;
        url.query()
            .is_some_and(|q| q.contains("sort=worst%3Avote_results_quality"))
            .then_some(())
    })
    .await;
    let header = until("the column of vote results quality", WAIT, || async {
        let heads: Vec<String> = serde_json::from_value(
            js(c, "return Array.from(document.querySelectorAll('[data-testid=records-table] thead th')).map(e => e.dataset.testid || '');", vec![]).await,
        )
        .ok()?;
        heads.iter().position(|h| h == "column-vote_results_quality")
    })
    .await;
    // (The page answering the previous order may still be shown for a moment.)
    let values: Vec<f64> = until(
        "ten records, lowest vote results quality first",
        WAIT,
        || async {
            let cells = column(c, &format!("*:nth-child({})", header + 1)).await;
            let values: Vec<f64> = cells.iter().map(|t| percent(t)).collect();
            (values.len() == 10 && values.windows(2).all(|w| w[0] <= w[1])).then_some(values)
        },
    )
    .await;
    assert!(values[0] < values[9], "{values:?}");
    browser.close().await;
}

#[tokio::test]
async fn downloads_deep_links_and_page_jump() {
    let app = App::start();
    app.upload_generated("seventy-forms", 70);
    let body = r#"{"dataset_name": "seventy-forms", "model_configs": [{"model": "rules-v1"}]}"#;
    let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
    assert_eq!(status, 200, "{response}");
    let response: serde_json::Value = serde_json::from_str(&response).unwrap();
    let id = response["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, &format!("/experiments/{id}?sort=record")).await;

    // The export, fetched with the key and saved under the server's name.
    click(c, &tid("download-csv")).await;
    let csv = wait_file(browser.downloads.path(), "csv", Duration::from_secs(20))
        .await
        .expect("the CSV is downloaded");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        csv.file_name().unwrap().to_string_lossy().contains(&id),
        "{csv:?}"
    );
    assert_eq!(text.lines().count(), 71, "a header and one line per trial");

    // Page 3 of 4 in one step, kept in the URL.
    assert_eq!(
        attr(c, &tid("page-jump"), "max").await.as_deref(),
        Some("4")
    );
    fill(c, &tid("page-jump"), "3").await;
    until("page 3", WAIT, || async {
        let url = c.current_url().await.ok()?;
        url.query()
            .is_some_and(|q| q.contains("offset=40"))
            .then_some(())
    })
    .await;
    let (_, forty_first) = app.http(
        "GET",
        &format!("/api/v1/experiments/{id}/records?sort=record&offset=40&limit=1"),
        b"",
    );
    let forty_first: serde_json::Value = serde_json::from_str(&forty_first).unwrap();
    let expected = forty_first["items"][0]["record_id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = until("the records of page 3", WAIT, || async {
        ids(c).await.first().cloned().filter(|i| *i == expected)
    })
    .await;

    // A #record link opens the page on that record.
    let wanted = first.clone();
    let link = format!("/experiments/{id}#{}", wanted);
    c.goto(&app.url(&link)).await.unwrap();
    until("only the linked record", WAIT, || async {
        let shown = ids(c).await;
        (shown.len() == 1 && shown[0] == wanted).then_some(())
    })
    .await;
    browser.close().await;
}
