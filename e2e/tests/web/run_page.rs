//! The run page: presets, cost estimate, a sync run, download, field errors, the API-key
//! prompt.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::{screenshot, wait_file, Browser};
use crate::steps::*;
use crate::world::{App, KEY};

/// "95% CI 40.1%–80.2%" → (40.1, 80.2).
fn interval(s: &str) -> (f64, f64) {
    let inner = s.trim_start_matches("95% CI").trim();
    let (lo, hi) = inner
        .split_once('–')
        .unwrap_or_else(|| panic!("not an interval: {s:?}"));
    (percent(lo), percent(hi))
}

#[tokio::test]
async fn offline_preset_sync_run_shows_metric_cards_with_intervals() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    click(c, &tid("estimate-cost")).await;
    assert_eq!(
        text(c, &tid("estimate-total")).await,
        "$0",
        "rules-v1 costs nothing"
    );

    let cards = run_offline_baseline(c).await;

    assert_eq!(cards.len(), 2);
    let mut names = Vec::new();
    for card in &cards {
        names.push(
            card.find(Locator::Css("h3"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        for metric in ["overall_accuracy", "success_rate", "avg_ballot_accuracy"] {
            let m = card
                .find(Locator::Css(&tid(&format!("metric-{metric}"))))
                .await
                .unwrap();
            let value = percent(
                &m.find(Locator::Css(&tid("metric-value")))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap(),
            );
            let ci = m
                .find(Locator::Css(&tid("metric-ci")))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let (lo, hi) = interval(&ci);
            assert!((0.0..=100.0).contains(&value), "{metric} = {value}");
            assert!(
                lo <= value + 0.05 && value <= hi + 0.05,
                "{metric}: {value} outside {ci}"
            );
        }
        let overall = percent(
            &card
                .find(Locator::Css(
                    "[data-testid=\"metric-overall_accuracy\"] [data-testid=\"metric-value\"]",
                ))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        assert!(
            overall > 30.0 && overall < 100.0,
            "rules-v1 does real, imperfect work: {overall}"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n.contains("vote-extraction-rules-baseline")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("vote-extraction-rules-t0.5")),
        "{names:?}"
    );
    assert!(text(c, &tid("run-message")).await.contains("10 records"));
    screenshot(c, "run-01-sync-results").await;
    browser.close().await;
}

#[tokio::test]
async fn download_json_holds_the_run_response() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    run_offline_baseline(c).await;

    click(c, &tid("download-json")).await;

    let file = wait_file(browser.downloads.path(), "json", Duration::from_secs(15))
        .await
        .expect("Download JSON saved no file");
    // Named as the original page named it.
    assert_eq!(
        file.file_name().unwrap().to_string_lossy(),
        "experiment_results_vote-extraction-bangbamru-1-10.json"
    );
    let doc: Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).expect("the download is JSON");
    assert_eq!(doc["status"], "success");
    assert_eq!(doc["dataset_name"], "vote-extraction-bangbamru-1-10");
    assert_eq!(doc["dataset_size"], 10);
    let exps = doc["experiments"].as_array().expect("experiments");
    assert_eq!(exps.len(), 2);
    for e in exps {
        let m = &e["metrics"]["overall_accuracy"];
        assert!(
            m["ci_low"].as_f64().unwrap() <= m["value"].as_f64().unwrap(),
            "{m}"
        );
        assert_eq!(e["total_records"], 10);
    }
    assert!(doc["comparison_url"]
        .as_str()
        .unwrap()
        .contains("/compare?ids="));
    browser.close().await;
}

#[tokio::test]
async fn invalid_temperature_is_shown_at_its_field() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    find(c, &tid("config-row")).await;
    let input = tid("input-model_configs[0].temperature");

    fill(c, &input, "3").await;
    click(c, &tid("run-sync")).await;

    let message = text(c, &tid("error-model_configs[0].temperature")).await;
    assert!(message.contains("between 0 and 2"), "{message}");
    assert_eq!(
        attr(c, &input, "aria-invalid").await.as_deref(),
        Some("true")
    );
    let described = attr(c, &input, "aria-describedby")
        .await
        .unwrap_or_default();
    assert!(
        described.contains("f-model_configs-0-temperature-error"),
        "{described}"
    );
    let focused = js(
        c,
        "return document.activeElement && document.activeElement.id;",
        vec![],
    )
    .await;
    assert_eq!(focused, json!("f-model_configs-0-temperature"));
    assert!(text(c, &tid("error-summary"))
        .await
        .contains("Config 1: temperature: must be between 0 and 2"));
    // Metadata is checked as it is typed.
    fill(c, &tid("input-model_configs[0].metadata"), "{\"purpose\": ").await;
    assert_eq!(
        attr(c, &tid("input-model_configs[0].metadata"), "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    screenshot(c, "run-05-field-error").await;
    // Nothing was sent.
    let (_, body) = app.http("GET", "/api/v1/experiments", b"");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["total"],
        0,
        "{body}"
    );
    assert!(all(c, &tid("run-results")).await.is_empty());
    browser.close().await;
}

#[tokio::test]
async fn wrong_api_key_leads_to_the_prompt() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    c.goto(&app.url("/datasets")).await.unwrap();
    js(
        c,
        "localStorage.setItem('tallylab.apiKey', 'wrong-key');",
        vec![],
    )
    .await;
    c.goto(&app.url("/")).await.unwrap();

    find(c, &tid("api-key-prompt")).await;
    let focused = js(
        c,
        "return document.activeElement && document.activeElement.id;",
        vec![],
    )
    .await;
    assert_eq!(focused, json!("api-key-input"));
    screenshot(c, "run-00-api-key-prompt").await;
    fill(c, &tid("api-key-input"), KEY).await;
    click(c, &tid("api-key-save")).await;

    find(c, &tid("preset-offline-baseline")).await;
    assert!(all(c, &tid("api-key-prompt")).await.is_empty());
    let stored = js(c, "return localStorage.getItem('tallylab.apiKey');", vec![]).await;
    assert_eq!(stored, json!(KEY));
    assert!(
        !c.current_url().await.unwrap().as_str().contains(KEY),
        "the key never goes in a URL"
    );
    browser.close().await;
}
