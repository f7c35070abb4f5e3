//! Datadog from the web app, against a local server speaking Datadog's contract: an
//! experiment whose export Datadog refused says why and is retried with a button, then
//! links to Datadog; a dataset version is pushed with a button.

use std::ffi::OsString;
use std::time::Duration;

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;
use testkit::datadog::FakeDatadog;

#[tokio::test]
async fn a_refused_export_is_retried_from_the_experiment_page_and_a_version_pushed() {
    let dd = FakeDatadog::start(100).await;
    dd.fail_next_on("/events", 400, 1);
    let env: Vec<(&str, OsString)> = dd.env().into_iter().map(|(k, v)| (k, v.into())).collect();
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let app = App::start_with(&env);
    let (status, body) = app.http(
        "POST",
        "/api/v1/experiments/run",
        br#"{"dataset_name": "vote-extraction-bangbamru-1-10", "sample_size": 3,
             "model_configs": [{"model": "rules-v1", "name_suffix": "dd"}]}"#,
    );
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = answer["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, &format!("/experiments/{id}")).await;
    until("the export to fail", Duration::from_secs(30), || async {
        let shown = text(c, &tid("datadog-export-state")).await;
        if shown.contains("failed") {
            Some(shown)
        } else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            c.refresh().await.ok();
            None
        }
    })
    .await;
    assert!(text(c, &tid("datadog-export-error")).await.contains("400"));
    screenshot(c, "datadog-01-export-refused").await;
    click(c, &tid("datadog-retry")).await;
    let link = until("the export to finish", Duration::from_secs(30), || async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        c.refresh().await.ok();
        let shown = text(c, &tid("datadog-export-state")).await;
        if shown.contains("exported (3 trials)") {
            attr(c, &tid("datadog-link"), "href").await
        } else {
            None
        }
    })
    .await;
    let remote = &dd.experiments()[0].id;
    assert_eq!(
        link,
        format!("https://app.datadoghq.com/llm/experiments/{remote}")
    );
    screenshot(c, "datadog-02-exported").await;

    open_logged_in(&app, c, "/datasets/vote-extraction-bangbamru-1-10").await;
    click(c, &tid("push-to-datadog")).await;
    let pushed = text(c, &tid("pushed-to-datadog")).await;
    assert!(
        pushed.contains("Version 1 is Datadog's version 1"),
        "{pushed}"
    );
    browser.close().await;
}
