//! The dataset page opens on the labels that need review, and finds a record by its id.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

async fn shown(c: &fantoccini::Client) -> Vec<String> {
    let script = "return Array.from(document.querySelectorAll('[data-testid=dataset-record] h3'))
                    .map(e => e.textContent.trim().split(' ')[0]);";
    serde_json::from_value(js(c, script, vec![]).await).unwrap()
}

#[tokio::test]
async fn label_issues_first_and_a_search_by_id() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/datasets/vote-extraction-bangbamru-1-10").await;
    // The bundled dataset has one label that breaks an identity: it is all that shows.
    until("only the flagged record", WAIT, || async {
        (shown(c).await == ["บางบำหรุ1"]).then_some(())
    })
    .await;
    let checked = js(
        c,
        "return document.querySelector('[data-testid=only-label-issues]').checked;",
        vec![],
    )
    .await;
    assert_eq!(checked, serde_json::json!(true), "the filter starts on");
    screenshot(c, "dataset-01-label-issues").await;
    click(c, &tid("only-label-issues")).await;
    until("every record", WAIT, || async {
        (shown(c).await.len() == 10).then_some(())
    })
    .await;
    fill(c, &tid("dataset-record-search"), "หรุ1").await;
    click(c, &tid("dataset-record-search-apply")).await;
    until("the two ids containing หรุ1", WAIT, || async {
        (shown(c).await == ["บางบำหรุ1", "บางบำหรุ10"]).then_some(())
    })
    .await;
    fill(c, &tid("dataset-record-search"), "nothing-like-this").await;
    click(c, &tid("dataset-record-search-apply")).await;
    find(c, &tid("no-dataset-records")).await;
    browser.close().await;
}
