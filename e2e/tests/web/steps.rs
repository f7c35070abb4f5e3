//! Find, act and check: what a user does, by `data-testid` where possible, with bounded waits.

use std::future::Future;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::world::{App, KEY};

/// Longest wait for anything to appear.
pub const WAIT: Duration = Duration::from_secs(30);

/// `[data-testid="…"]`.
pub fn tid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Waits for an element.
pub async fn find(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(WAIT)
        .every(Duration::from_millis(50))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css} within {WAIT:?}: {e}"))
}

/// Every element matching now (no wait).
pub async fn all(c: &Client, css: &str) -> Vec<Element> {
    c.find_all(Locator::Css(css)).await.unwrap_or_default()
}

/// Polls `probe` until it returns Some, or panics naming `what`.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until at least `n` elements match; returns them.
pub async fn at_least(c: &Client, css: &str, n: usize) -> Vec<Element> {
    until(&format!("{n} × {css}"), WAIT, || async {
        let found = all(c, css).await;
        (found.len() >= n).then_some(found)
    })
    .await
}

/// The text of an element (waits for it).
pub async fn text(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.expect("text")
}

/// Clicks an element (waits for it).
pub async fn click(c: &Client, css: &str) {
    let el = find(c, css).await;
    // A user scrolls what they click to where they can see it: not under the sticky bar.
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(&el).expect("element reference")],
    )
    .await
    .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Sets an input's value as typing would (input and change events).
pub async fn fill(c: &Client, css: &str, value: &str) {
    find(c, css).await;
    c.execute(
        "const el = document.querySelector(arguments[0]); el.focus(); el.value = arguments[1];
         el.dispatchEvent(new Event('input', {bubbles: true}));
         el.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(css), json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("fill {css}: {e}"));
}

/// Chooses an option of a select by value.
pub async fn choose(c: &Client, css: &str, value: &str) {
    until(&format!("option {value} in {css}"), WAIT, || async {
        let sel = find(c, css).await;
        sel.select_by_value(value).await.ok()
    })
    .await;
}

/// An attribute of an element (waits for it).
pub async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    find(c, css).await.attr(name).await.expect("attr")
}

/// Runs a script and returns its value.
pub async fn js(c: &Client, script: &str, args: Vec<Value>) -> Value {
    c.execute(script, args).await.expect("script")
}

/// Opens the app with the right API key already stored, at `path`.
pub async fn open_logged_in(app: &App, c: &Client, path: &str) {
    c.goto(&app.url("/not-a-page")).await.expect("goto");
    js(
        c,
        "localStorage.setItem('tallylab.apiKey', arguments[0]);",
        vec![json!(KEY)],
    )
    .await;
    c.goto(&app.url(path)).await.expect("goto");
}

/// A percentage shown as "83.3%" as a number in 0–100.
pub fn percent(s: &str) -> f64 {
    s.trim()
        .trim_end_matches('%')
        .parse()
        .unwrap_or_else(|_| panic!("not a percentage: {s:?}"))
}

/// On the run page: applies the Offline Baseline preset and runs it synchronously; returns
/// once both experiment cards are shown.
pub async fn run_offline_baseline(c: &Client) -> Vec<Element> {
    click(c, &tid("preset-offline-baseline")).await;
    // The dataset select fills from the API; the bundled dataset is chosen by default.
    find(
        c,
        "[data-testid=\"input-dataset_name\"] option[value=\"vote-extraction-bangbamru-1-10\"]",
    )
    .await;
    click(c, &tid("run-sync")).await;
    at_least(c, &tid("experiment-result"), 2).await
}

/// Opens the run page with the key stored, once its dataset list holds the bundled dataset.
pub async fn open_run_page(app: &App, c: &Client) {
    open_logged_in(app, c, "/").await;
    find(
        c,
        "[data-testid=\"input-dataset_name\"] option[value=\"vote-extraction-bangbamru-1-10\"]",
    )
    .await;
}
