//! The original's exported datasets name images by absolute paths of another machine: with
//! IMAGE_ROOT set they resolve by their longest trailing part, and the image check says which
//! records' images resolve before anything runs.

use serde_json::{json, Value};

use crate::helpers::spawn_with;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_image_check_says_which_records_images_resolve() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("datasets/forms")).unwrap();
    std::fs::write(root.path().join("datasets/forms/unit-1.png"), PNG).unwrap();
    std::fs::write(root.path().join("cover.png"), PNG).unwrap();
    let app = spawn_with(&[("IMAGE_ROOT", root.path().to_str().unwrap())]).await;
    let label = tallylab::dataset::builtin::builtin_dataset()[0]
        .expected_output
        .clone();
    let record = |id: &str, paths: Value, urls: Value| json!({"id": id, "input": {"image_paths": paths, "image_urls": urls}, "expected_output": label});
    let records = [
        // As the original's export wrote them.
        record(
            "exported",
            json!(["/home/dev/genai-app-python/datasets/forms/unit-1.png"]),
            json!([]),
        ),
        record("relative", json!(["cover.png"]), json!([])),
        record(
            "missing",
            json!(["/home/dev/genai-app-python/assets/unit-9.png", "cover.png"]),
            json!([]),
        ),
        record("escape", json!(["../etc/passwd"]), json!([])),
        record(
            "remote",
            json!([]),
            json!(["https://example.com/unit-3.png"]),
        ),
    ];
    let body = serde_json::to_string(&records).unwrap();
    let (status, v) = app.post("/api/v1/datasets/exported/versions", &body).await;
    assert_eq!(status, 201, "{v}");

    let (status, check) = app.get("/api/v1/datasets/exported/images").await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["records"], 5);
    assert_eq!(check["records_with_images"], 5);
    assert_eq!(check["records_unresolved"], 2);
    assert_eq!(check["resolved"], 3);
    assert_eq!(check["unresolved"], 2);
    assert_eq!(check["remote"], 1);
    assert_eq!(check["image_root_set"], true);
    let problems: Vec<(&str, &str)> = check["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["record_id"].as_str().unwrap(),
                p["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, "missing");
    assert!(problems[0].1.contains("no trailing part"), "{problems:?}");
    assert_eq!(problems[1].0, "escape");
    assert!(problems[1].1.contains("'..'"), "{problems:?}");

    // One record and its images, as the experiment page shows them beside a trial.
    let (status, one) = app.get("/api/v1/datasets/exported/records/exported").await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["id"], "exported");
    let image = app
        .get_raw("/api/v1/datasets/exported/records/exported/images/0")
        .await;
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().as_ref(), PNG);
    for (path, want) in [
        // Outside the root: refused, never read.
        ("/api/v1/datasets/exported/records/escape/images/0", 422),
        // Remote images are not fetched for display.
        ("/api/v1/datasets/exported/records/remote/images/0", 404),
        ("/api/v1/datasets/exported/records/relative/images/7", 404),
        ("/api/v1/datasets/exported/records/nobody", 404),
        ("/api/v1/datasets/exported/records/relative/images/-1", 400),
    ] {
        let (status, err) = app.get(path).await;
        assert_eq!(status, want, "{path}: {err}");
        assert!(err["message"].is_string(), "{path}: {err}");
    }

    let (status, v) = app.get("/api/v1/datasets/nope/images").await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = app.get("/api/v1/datasets/exported/images?version=9").await;
    assert_eq!(status, 404, "{v}");
}
