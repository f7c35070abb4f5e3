//! Every page at 1280 px and at a phone's 390 px, light and dark (screenshots of each in
//! e2e-artifacts/screenshots/layout-*), with what a phone needs checked: nothing wider than
//! the screen, a one-row header and run bar, metric cards two to a row, tables that become
//! cards.

use fantoccini::Client;
use serde_json::json;

use crate::browser::{screenshot_at, Browser};
use crate::steps::*;
use crate::world::App;

const PHONE: u32 = 390;

/// (screenshot name, path, what shows the page is ready).
fn pages(experiment: &str, compare: &str) -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("run", "/".into(), "[data-testid=run-sync]"),
        (
            "experiments",
            "/experiments".into(),
            "[data-testid=experiment-row]",
        ),
        (
            "experiment",
            format!("/experiments/{experiment}"),
            "[data-testid=metric-value]",
        ),
        ("compare", compare.into(), "[data-testid=verdict]"),
        ("datasets", "/datasets".into(), "[data-testid=dataset-row]"),
        (
            "dataset",
            "/datasets/vote-extraction-bangbamru-1-10".into(),
            "[data-testid=dataset-record]",
        ),
    ]
}

#[tokio::test]
async fn every_page_fits_a_phone_and_has_a_screenshot_at_both_widths() {
    let app = App::start();
    let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
        "model_configs": [{"model": "rules-v1", "name_suffix": "a"},
                          {"model": "rules-v1", "name_suffix": "b", "temperature": 0.5}]}"#;
    let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
    assert_eq!(status, 200, "{response}");
    let response: serde_json::Value = serde_json::from_str(&response).unwrap();
    let compare = response["comparison_url"].as_str().unwrap();
    let compare = compare[compare.find("/compare").unwrap()..].to_string();
    let experiment = compare
        .split("ids=")
        .nth(1)
        .and_then(|ids| ids.split(',').next())
        .unwrap()
        .to_string();

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    for theme in ["light", "dark"] {
        js(
            c,
            "localStorage.setItem('tallylab.theme', arguments[0]);",
            vec![json!(theme)],
        )
        .await;
        for (name, path, ready) in pages(&experiment, &compare) {
            c.goto(&app.url(&path)).await.unwrap();
            find(c, ready).await;
            assert_eq!(
                js(c, "return document.documentElement.dataset.theme;", vec![]).await,
                json!(theme)
            );
            screenshot_at(c, &format!("layout-{name}-1280-{theme}"), 1280).await;
            let wide = js(
                c,
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await;
            assert!(
                wide.as_i64().unwrap_or(0) <= 0,
                "{name}: the page scrolls sideways at 1280 px by {wide}"
            );
            // Loaded at a phone's width, as a phone would (the chart is drawn for it).
            c.set_window_size(PHONE, 844).await.unwrap();
            c.goto(&app.url(&path)).await.unwrap();
            find(c, ready).await;
            fits_a_phone(c, name).await;
            screenshot_at(c, &format!("layout-{name}-390-{theme}"), PHONE).await;
            c.set_window_size(1280, 1000).await.unwrap();
        }
    }
    browser.close().await;
}

async fn fits_a_phone(c: &Client, page: &str) {
    let measure = |script: &'static str| async move { js(c, script, vec![]).await };
    let width = measure("return window.innerWidth;").await;
    assert_eq!(width, json!(PHONE), "the window is a phone's");
    let overflow = measure(
        "return [...document.querySelectorAll('body *')]
           .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
           .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
    )
    .await;
    assert_eq!(
        overflow,
        json!([]),
        "{page}: nothing reaches past the screen's edge"
    );
    let header =
        measure("return document.querySelector('.topbar').getBoundingClientRect().height;").await;
    assert!(
        header.as_f64().unwrap() < 60.0,
        "{page}: the header is one row ({header}px)"
    );
    if page == "run" {
        let bar = measure(
            "return document.querySelector('.actions.sticky').getBoundingClientRect().height;",
        )
        .await;
        assert!(
            bar.as_f64().unwrap() < 64.0,
            "the run bar is one row ({bar}px)"
        );
    }
    if page == "experiment" {
        let tops = measure(
            "return [...document.querySelectorAll('.metrics .metric')].slice(0, 2)
               .map(e => Math.round(e.getBoundingClientRect().top));",
        )
        .await;
        assert_eq!(tops[0], tops[1], "two metric cards to a row: {tops}");
    }
    if page == "experiments" || page == "compare" {
        let table = if page == "experiments" {
            "experiments-table"
        } else {
            "verdicts-table"
        };
        let display = js(
            c,
            "return getComputedStyle(document.querySelector(`[data-testid=${arguments[0]}] tbody tr`)).display;",
            vec![json!(table)],
        )
        .await;
        assert_eq!(display, json!("grid"), "{page}: rows are cards on a phone");
    }
}
