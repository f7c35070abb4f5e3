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
