//! Comparing experiments on different datasets: the Experiments page warns when they are
//! ticked, and the compare page shows no verdicts (with the reason), no made-up 0.0 %, and no
//! per-field winner.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

fn run(app: &App, dataset: &str, suffix: &str) {
    let body = format!(
        r#"{{"dataset_name": "{dataset}", "sample_size": 3,
            "model_configs": [{{"model": "rules-v1", "name_suffix": "{suffix}"}}]}}"#
    );
    let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
    assert_eq!(status, 200, "{response}");
}

#[tokio::test]
async fn experiments_on_different_datasets_get_no_verdicts_and_a_warning() {
    let app = App::start();
    app.upload_generated("other-forms", 5);
    run(&app, "vote-extraction-bangbamru-1-10", "bundled");
    run(&app, "other-forms", "generated");
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/experiments").await;
    let rows = at_least(c, &tid("experiment-row"), 2).await;
    for row in &rows {
        row.find(fantoccini::Locator::Css("input[type=checkbox]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    let warning = text(c, &tid("selection-warning")).await;
    assert!(
        warning.contains("other-forms v1") && warning.contains("vote-extraction-bangbamru-1-10 v1"),
        "{warning}"
    );
    click(c, &tid("compare-selected")).await;
    let none = text(c, &tid("no-verdicts")).await;
    assert!(
        none.starts_with("—") && none.contains("share no record"),
        "{none}"
    );
    assert!(all(c, &tid("verdict")).await.is_empty(), "no verdict rows");
    assert!(text(c, &tid("compare-warnings"))
        .await
        .contains("labels, not the models"));
    find(c, &tid("compare-per-field")).await;
    assert!(all(c, "td.best").await.is_empty(), "no per-field winner");
    assert!(
        all(c, &tid("disagreement")).await.is_empty(),
        "nothing paired, nothing disagrees"
    );
    screenshot(c, "compare-03-different-datasets").await;
    browser.close().await;
}
