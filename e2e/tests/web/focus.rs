//! Focus is never lost or hidden on the run page: a focused control stays clear of the sticky
//! action bar, Remove keeps focus in the list, and an async run's progress takes it.

use crate::browser::Browser;
use crate::steps::*;
use crate::world::App;

async fn focused_id(c: &fantoccini::Client) -> String {
    js(
        c,
        "return document.activeElement.id || document.activeElement.tagName;",
        vec![],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Clicks the Remove button of row `i` (scrolled clear of the sticky bar first).
async fn remove(c: &fantoccini::Client, i: usize) {
    js(
        c,
        "document.querySelectorAll('[data-testid=\"remove-config\"]')[arguments[0]]\
             .scrollIntoView({block: 'center'});",
        vec![serde_json::json!(i)],
    )
    .await;
    all(c, &tid("remove-config")).await[i]
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn focus_stays_visible_and_in_place() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    click(c, &tid("add-config")).await;
    assert_eq!(at_least(c, &tid("config-row"), 3).await.len(), 3);

    // Tab through every control from the top: none is hidden under the sticky bar (or out
    // of the window; the planner's controls come after the form, below the bar).
    js(
        c,
        "window.scrollTo(0, 0); document.getElementById('f-ml_app').focus();",
        vec![],
    )
    .await;
    for _ in 0..40 {
        c.active_element()
            .await
            .unwrap()
            .send_keys("\u{E004}")
            .await
            .unwrap();
        let hidden = js(
            c,
            "const a = document.activeElement; const bar = document.querySelector('.actions.sticky'); \
             if (!a || a === document.body || !bar || bar.contains(a)) return ''; \
             const r = a.getBoundingClientRect(), b = bar.getBoundingClientRect(); \
             const under = r.bottom > b.top + 1 && r.top < b.bottom - 1; \
             return under || r.bottom > window.innerHeight ? (a.id || a.dataset.testid || a.tagName) : '';",
            vec![],
        )
        .await;
        assert_eq!(
            hidden,
            serde_json::json!(""),
            "focused control under the sticky bar"
        );
    }

    // Remove the middle row: focus moves to the row that took its place.
    remove(c, 1).await;
    assert_eq!(at_least(c, &tid("config-row"), 2).await.len(), 2);
    until("focus on the next row", WAIT, || async {
        let id = focused_id(c).await;
        (id == "f-model_configs-1-model").then_some(())
    })
    .await;
    // Remove the last rows: focus ends on Add.
    remove(c, 1).await;
    remove(c, 0).await;
    until("focus on Add", WAIT, || async {
        (focused_id(c).await == "add-config").then_some(())
    })
    .await;

    click(c, &tid("preset-offline-baseline")).await;
    click(c, &tid("run-async")).await;
    until("focus on the run's progress", WAIT, || async {
        (focused_id(c).await == "progress-title").then_some(())
    })
    .await;
    browser.close().await;
}
