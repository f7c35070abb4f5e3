//! The run page's sample-size planner: a plan sentence with the records a difference needs,
//! and a field error when the baseline is missing.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

#[tokio::test]
async fn the_planner_says_how_many_records_a_difference_needs() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_run_page(&app, c).await;

    // No baseline: the field says it is required, and nothing is planned.
    click(c, &tid("plan-button")).await;
    let message = text(c, &tid("error-baseline")).await;
    assert!(message.contains("required"), "{message}");
    assert_eq!(
        attr(c, &tid("input-baseline"), "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert!(all(c, &tid("plan-summary")).await.is_empty());

    fill(c, &tid("input-baseline"), "90").await;
    fill(c, &tid("input-min_difference"), "3").await;
    click(c, &tid("plan-button")).await;

    let summary = text(c, "#plan-summary").await;
    assert!(
        summary.starts_with(
            "To tell a 3.0-point difference in overall_accuracy with 80% power you need about "
        ),
        "{summary}"
    );
    assert!(
        summary.contains("this sample has 10 (not enough)"),
        "{summary}"
    );
    let needed: u64 = text(c, &tid("plan-records-needed"))
        .await
        .replace(',', "")
        .parse()
        .expect("records needed is a number");
    assert!(needed > 10, "3 points need more than 10 records: {needed}");
    assert!(
        summary.contains(&format!("about {needed} records")),
        "{summary}"
    );
    assert!(text(c, &tid("plan-assumptions"))
        .await
        .contains("baseline as given"));
    assert!(all(c, &tid("error-baseline")).await.is_empty(), "fixed");
    screenshot(c, "run-06-planner").await;
    browser.close().await;
}
