//! The dataset page opens on the labels that need review, and finds a record by its id.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

async fn shown(c: &fantoccini::Client) -> Vec<String> {
    let script = "return Array.from(document.querySelectorAll('[data-testid=dataset-record] h3'))
                    .map(e => e.textContent.trim().split(' ')[0]);";
    serde_json::from_value(js(c, script, vec![]).await).unwrap()
}

/// Opens the bundled dataset's page: its one label that breaks an identity is all it shows.
async fn open_on_the_flagged_label(app: &App, c: &fantoccini::Client) {
    open_logged_in(app, c, "/datasets/vote-extraction-bangbamru-1-10").await;
    until("only the flagged record", WAIT, || async {
        (shown(c).await == ["บางบำหรุ1"]).then_some(())
    })
    .await;
}

#[tokio::test]
async fn label_issues_first_and_a_search_by_id() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_on_the_flagged_label(&app, c).await;
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
    // Kept in the URL: a reload shows the same.
    let url = until("the search in the URL", WAIT, || async {
        let url = c.current_url().await.ok()?;
        url.query()
            .is_some_and(|q| q.contains("q=") && q.contains("issues=0"))
            .then_some(url)
    })
    .await;
    c.goto(url.as_str()).await.unwrap();
    until("the same two after a reload", WAIT, || async {
        (shown(c).await == ["บางบำหรุ1", "บางบำหรุ10"]).then_some(())
    })
    .await;
    fill(c, &tid("dataset-record-search"), "nothing-like-this").await;
    click(c, &tid("dataset-record-search-apply")).await;
    find(c, &tid("no-dataset-records")).await;
    browser.close().await;
}

#[tokio::test]
async fn the_label_editor_opens_on_the_broken_field_and_rechecks_it_live() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_on_the_flagged_label(&app, c).await;
    click(c, &tid("edit-label")).await;
    // ballots_used 439 breaks I1 (and with it I2): the editor starts there.
    until("focus on the constituency's ballots_used", WAIT, || async {
        let active = js(
            c,
            "return document.activeElement && document.activeElement.dataset.testid;",
            vec![],
        )
        .await;
        (active == serde_json::json!("label-0-ballots_used")).then_some(())
    })
    .await;
    let broken = at_least(c, "[data-testid=identity-check][data-holds=no]", 2).await;
    let first = broken[0].text().await.unwrap();
    assert!(first.contains("I1") && first.contains("439 ≠"), "{first}");
    screenshot(c, "dataset-02-label-editor-broken").await;

    // Good + bad + no-vote = 439 + 4 + 17 = 460.
    fill(c, &tid("label-0-ballots_used"), "460").await;
    until("every identity holding", WAIT, || async {
        let summary = text(c, &tid("identities-summary")).await;
        summary
            .contains("Every checkable identity holds")
            .then_some(())
    })
    .await;
    let held = text(c, "[data-testid=identity-check][data-holds=yes]").await;
    assert!(
        held.contains("= 460"),
        "each identity prints what it computes: {held}"
    );
    let change = text(c, &tid("label-changes")).await;
    assert!(
        change.contains("Constituency ballots_used: 439 → 460"),
        "{change}"
    );
    screenshot(c, "dataset-03-label-editor-fixed").await;
    fill(c, &tid("input-reviewed_by"), "e2e reviewer").await;
    click(c, &tid("label-save")).await;
    let saved = text(c, &tid("label-saved")).await;
    assert!(saved.contains("version 2"), "{saved}");
    browser.close().await;
}
