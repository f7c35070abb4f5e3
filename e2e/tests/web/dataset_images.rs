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
    browser.close().await;
}
