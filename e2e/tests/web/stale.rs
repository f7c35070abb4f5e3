//! Nothing stale on the run page: an estimate goes when the form it described changes, and
//! an error goes when its field is fixed, without sending anything.

use crate::browser::Browser;
use crate::steps::*;
use crate::world::App;

async fn gone(c: &fantoccini::Client, css: &str, what: &str) {
    until(what, WAIT, || async {
        all(c, css).await.is_empty().then_some(())
    })
    .await;
}

#[tokio::test]
async fn estimates_and_errors_follow_the_form() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    click(c, &tid("estimate-cost")).await;
    assert_eq!(text(c, &tid("estimate-total")).await, "$0");
    assert_eq!(
        text(c, &tid("estimate-inline")).await,
        "$0",
        "the total beside its button"
    );
    click(c, &tid("add-config")).await;
    gone(
        c,
        &tid("cost-estimate"),
        "the estimate of two configs goes when a third is added",
    )
    .await;
    gone(
        c,
        &tid("estimate-inline"),
        "and its total beside the button",
    )
    .await;

    fill(c, &tid("input-jobs"), "0").await;
    click(c, &tid("run-sync")).await;
    find(c, &tid("error-jobs")).await;
    fill(c, &tid("input-jobs"), "2").await;
    gone(c, &tid("error-jobs"), "the error goes once jobs is fixed").await;
    browser.close().await;
}

/// A preset whose models need keys says so on its button; applied, one notice names what
/// cannot run and offers the offline model, which makes the form runnable.
#[tokio::test]
async fn presets_that_need_keys_say_so_and_offer_the_offline_model() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    let needs = until("the preset says it needs a key", WAIT, || async {
        let t = text(c, &tid("preset-baseline-comparison")).await;
        t.contains("needs a key").then_some(t)
    })
    .await;
    assert!(needs.contains("needs a key"), "{needs}");
    assert!(!text(c, &tid("preset-offline-baseline"))
        .await
        .contains("needs a key"));
    click(c, &tid("preset-baseline-comparison")).await;
    let notice = text(c, &tid("preset-needs-keys")).await;
    assert!(notice.contains("gemini-2.5-flash"), "{notice}");
    assert_eq!(
        all(c, &tid("preset-needs-keys")).await.len(),
        1,
        "one notice, not one per row"
    );
    click(c, &tid("use-offline")).await;
    gone(
        c,
        &tid("preset-needs-keys"),
        "the notice goes once every model can run",
    )
    .await;
    click(c, &tid("run-sync")).await;
    assert_eq!(at_least(c, &tid("experiment-result"), 2).await.len(), 2);
    browser.close().await;
}
