//! A dataset exported from the original names its images by another machine's absolute
//! paths: the dataset page says which records' images resolve under IMAGE_ROOT, before
//! anything runs.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
];

#[tokio::test]
async fn the_dataset_page_says_which_images_resolve() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("datasets/forms")).unwrap();
    std::fs::write(root.path().join("datasets/forms/unit-1.png"), PNG).unwrap();
    let app = App::start_with(&[("IMAGE_ROOT", root.path().as_os_str())]);
    let out = e2e::tallylab()
        .args(["dataset", "generate", "--records", "2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    records[0]["input"]["image_paths"] =
        serde_json::json!(["/home/dev/genai-app-python/datasets/forms/unit-1.png"]);
    records[1]["input"]["image_paths"] =
        serde_json::json!(["/home/dev/genai-app-python/assets/unit-9.png"]);
    let body = serde_json::to_vec(&records).unwrap();
    let (status, answer) = app.http("POST", "/api/v1/datasets/exported/versions", &body);
    assert_eq!(status, 201, "{answer}");

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/datasets/exported").await;
    let summary = text(c, &tid("image-summary")).await;
    assert!(
        summary.starts_with("1 of 2 records with images resolve"),
        "{summary}"
    );
    let problems = at_least(c, &tid("image-problem"), 1).await;
    assert_eq!(problems.len(), 1);
    let row = problems[0].text().await.unwrap();
    assert!(
        row.contains(records[1]["id"].as_str().unwrap())
            && row.contains("/home/dev/genai-app-python/assets/unit-9.png")
            && row.contains("no trailing part"),
        "{row}"
    );
    screenshot(c, "datasets-04-image-check").await;

    // A trial's detail shows what it read: the record's text and its image, zoomable.
    let body = r#"{"dataset_name": "exported", "model_configs": [{"model": "rules-v1"}]}"#;
    let (status, response) = app.http("POST", "/api/v1/experiments/run", body.as_bytes());
    assert_eq!(status, 200, "{response}");
    let response: serde_json::Value = serde_json::from_str(&response).unwrap();
    let id = response["experiments"][0]["experiment_id"]
        .as_str()
        .unwrap();
    let record = records[0]["id"].as_str().unwrap();
    c.goto(&app.url(&format!("/experiments/{id}#{record}")))
        .await
        .unwrap();
    // The linked record opens with its input.
    let input = text(c, &tid("record-input-text")).await;
    let expected_text = records[0]["input"]["text"].as_str().unwrap();
    assert!(
        input.starts_with(expected_text.lines().next().unwrap().trim()),
        "{input}"
    );
    click(c, &tid("record-image")).await;
    assert_eq!(
        attr(c, &tid("record-image"), "aria-pressed")
            .await
            .as_deref(),
        Some("true")
    );
    screenshot(c, "experiment-04-record-input").await;
    browser.close().await;
}
