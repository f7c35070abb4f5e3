//! The run form as the original page had it, then better: unique names for added configs,
//! Remove and Reset that keep the form valid, the seed's presets filling their exact configs,
//! the "will run" line and the request preview with a curl command that never shows the key.

use serde_json::{json, Value};

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::{App, KEY};

/// The value of an input or select.
async fn value(c: &fantoccini::Client, css: &str) -> String {
    find(c, css).await;
    js(
        c,
        "return document.querySelector(arguments[0]).value;",
        vec![json!(css)],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Every config row as (model, temperature, suffix, metadata as JSON).
async fn rows(c: &fantoccini::Client) -> Vec<(String, String, String, Value)> {
    let n = all(c, &tid("config-row")).await.len();
    let mut out = Vec::new();
    for i in 0..n {
        let field = |f: &str| tid(&format!("input-model_configs[{i}].{f}"));
        let metadata = value(c, &field("metadata")).await;
        out.push((
            value(c, &field("model")).await,
            value(c, &field("temperature")).await,
            value(c, &field("name_suffix")).await,
            if metadata.trim().is_empty() {
                json!({})
            } else {
                serde_json::from_str(&metadata).unwrap()
            },
        ));
    }
    out
}

/// The request preview's JSON, opened if needed.
async fn preview(c: &fantoccini::Client) -> Value {
    js(
        c,
        "document.querySelector('[data-testid=\"request-preview\"]').open = true;",
        vec![],
    )
    .await;
    serde_json::from_str(&text(c, &tid("preview-json")).await).expect("the preview is JSON")
}

#[tokio::test]
async fn add_remove_reset_and_the_seeds_presets_keep_a_valid_form() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    // The original page's defaults: sample size 10, raise errors ticked.
    assert_eq!(value(c, &tid("input-sample_size")).await, "10");
    let ticked = js(
        c,
        "return document.getElementById('f-raise_errors').checked;",
        vec![],
    )
    .await;
    assert_eq!(ticked, json!(true));
    assert_eq!(
        text(c, &tid("will-run")).await,
        "Will run 1 experiment on 10 records."
    );

    click(c, &tid("add-config")).await;
    click(c, &tid("add-config")).await;
    let suffixes: Vec<String> = rows(c).await.into_iter().map(|r| r.2).collect();
    assert_eq!(suffixes, ["baseline", "config-2", "config-3"]);
    let remove = all(c, &tid("remove-config")).await;
    remove[1]
        .clone()
        .click()
        .await
        .expect("remove the second config");
    click(c, &tid("add-config")).await;
    let suffixes: Vec<String> = rows(c).await.into_iter().map(|r| r.2).collect();
    assert_eq!(suffixes.len(), 3);
    let unique: std::collections::BTreeSet<&String> = suffixes.iter().collect();
    assert_eq!(unique.len(), 3, "{suffixes:?}");
    assert_eq!(
        text(c, &tid("will-run")).await,
        "Will run 3 experiments on 10 records."
    );
    let sent = preview(c).await;
    assert_eq!(sent["model_configs"].as_array().unwrap().len(), 3);
    screenshot(c, "run-form-01-added-configs").await;

    // The seed's presets fill the original page's configs and metadata exactly.
    let presets = [
        (
            "baseline-comparison",
            vec![
                (
                    "gemini-2.5-flash",
                    "0",
                    "baseline",
                    json!({"purpose": "baseline"}),
                ),
                (
                    "gemini-2.5-flash-lite",
                    "0",
                    "lite",
                    json!({"purpose": "cost-optimization"}),
                ),
            ],
        ),
        (
            "temperature-test",
            vec![
                (
                    "gemini-2.5-flash",
                    "0",
                    "t0.0",
                    json!({"test": "temperature"}),
                ),
                (
                    "gemini-2.5-flash",
                    "0.1",
                    "t0.1",
                    json!({"test": "temperature"}),
                ),
                (
                    "gemini-2.5-flash",
                    "0.2",
                    "t0.2",
                    json!({"test": "temperature"}),
                ),
            ],
        ),
        (
            "quick-ci-test",
            vec![
                (
                    "gemini-2.5-flash-lite",
                    "0",
                    "ci-lite",
                    json!({"purpose": "ci-test"}),
                ),
                (
                    "gemini-2.5-flash",
                    "0",
                    "ci-flash",
                    json!({"purpose": "ci-test"}),
                ),
            ],
        ),
    ];
    for (id, want) in presets {
        click(c, &tid(&format!("preset-{id}"))).await;
        let got = rows(c).await;
        let want: Vec<(String, String, String, Value)> = want
            .into_iter()
            .map(|(m, t, s, md)| (m.into(), t.into(), s.into(), md))
            .collect();
        assert_eq!(got, want, "{id}");
        let sent = preview(c).await;
        assert_eq!(sent["model_configs"][0]["metadata"], want[0].3, "{id}");
    }

    click(c, &tid("reset")).await;
    let after = rows(c).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].2, "baseline");
    assert_eq!(value(c, &tid("input-sample_size")).await, "10");
    assert_eq!(
        preview(c).await["model_configs"][0]["name_suffix"],
        "baseline"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_curl_preview_runs_the_request_without_showing_the_key() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    // The Datadog site is a choice of Datadog's own sites and nothing else: it decides where
    // the server sends the Datadog keys.
    choose(c, &tid("input-site-choice"), "datadoghq.eu").await;
    let sent = preview(c).await;
    assert_eq!(sent["site"], "datadoghq.eu");
    assert_eq!(sent["dataset_name"], "vote-extraction-bangbamru-1-10");
    let offered: Vec<String> = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=input-site-choice] option')].map(o => o.value)",
            vec![],
        )
        .await
        .expect("site options")
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let sites: Vec<&str> = shared::DatadogSite::ALL
        .iter()
        .map(|s| s.domain())
        .collect();
    assert_eq!(offered, sites);

    let curl = text(c, &tid("preview-curl")).await;
    assert!(curl.contains("X-API-Key: $API_KEY"), "{curl}");
    assert!(!curl.contains(KEY), "the key is never shown: {curl}");
    assert!(curl.starts_with(&format!("curl -X POST {}/api/v1/experiments/run", app.base)));
    // The command as shown, run by a shell with the key in its environment, runs the request.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&curl)
        .env("API_KEY", KEY)
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("the run's JSON answer");
    assert_eq!(answer["status"], "success", "{answer}");
    assert_eq!(answer["experiments"].as_array().unwrap().len(), 2);
    screenshot(c, "run-form-02-curl-preview").await;
    browser.close().await;
}
