//! A "not distinguishable" verdict says what it could still settle: the difference its
//! interval leaves open and about how many more paired records would tell it.

use crate::browser::{screenshot, Browser};
use crate::pages::bundled_records;
use crate::steps::*;
use crate::world::App;

#[tokio::test]
async fn a_verdict_that_cannot_tell_says_what_more_records_would_settle() {
    // A perfect model against one wrong on 2 of the 10 records: too few to tell apart.
    let models = testkit::ModelServer::start(
        bundled_records(),
        &[
            testkit::OracleModel::perfect("oracle-good"),
            testkit::OracleModel::wrong_on("oracle-close", 1, 5),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = models.write_models_file(dir.path());
    let app = App::start_with(&[("MODELS_FILE", file.as_os_str())]);
    let body = r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "jobs": 4,
        "model_configs": [{"model": "oracle-good", "name_suffix": "good"},
                          {"model": "oracle-close", "name_suffix": "close"}]}"#;
    let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
    assert_eq!(status, 200, "{response}");
    let response: serde_json::Value = serde_json::from_str(&response).unwrap();
    let url = response["comparison_url"].as_str().unwrap();

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, &url[url.find("/compare").unwrap()..]).await;

    let follow_up = text(c, ".follow-up").await;
    assert!(
        follow_up.starts_with("These results are consistent with a difference of up to "),
        "{follow_up}"
    );
    assert!(follow_up.contains("paired records"), "{follow_up}");
    assert!(
        all(c, &tid("compare-sequential")).await.is_empty(),
        "an ordinary run stopped at no decision"
    );
    screenshot(c, "compare-07-follow-up").await;
    browser.close().await;
}
