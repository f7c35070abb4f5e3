//! Hostile input that used to get through, each answered as documented.

use serde_json::Value;

use crate::helpers::{spawn_app, KEY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_cannot_inject_headers_and_csv_cells_cannot_run() {
    let app = spawn_app().await;
    // A line break in a name is refused before anything is stored.
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10",
                "model_configs": [{"model": "rules-v1", "name_suffix": "a\r\nX-Injected: 1"}]}"#,
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["field"], "model_configs[0].name_suffix");

    // A record id that a spreadsheet would run, and a name with a quote and a semicolon.
    let record = |id: &str| {
        let mut r: Value = serde_json::to_value(&tallylab::dataset::builtin_dataset()[1]).unwrap();
        r["id"] = id.into();
        r.to_string()
    };
    let body = format!(
        "{}\n{}",
        record("=HYPERLINK(\"http://x\")"),
        record("@SUM(A1)")
    );
    let (status, v) = app.post("/api/v1/datasets/formulas/versions", &body).await;
    assert_eq!(status, 201, "{v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "formulas",
                "model_configs": [{"model": "rules-v1", "name_suffix": "x\"; filename=evil.sh"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let id = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let r = app
        .client
        .get(format!(
            "{}/api/v1/experiments/{id}/export?format=csv",
            app.base
        ))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(disposition.matches("filename=").count(), 1, "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let csv = r.text().await.unwrap();
    let ids: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["\"'=HYPERLINK(\"\"http://x\"\")\"", "'@SUM(A1)"],
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dataset_names_are_slugs_and_a_byte_order_mark_is_fine() {
    let app = spawn_app().await;
    let record = serde_json::to_string(&tallylab::dataset::builtin_dataset()[0]).unwrap();
    for name in ["..", "...", ".hidden", "v%D0%BEte"] {
        let (status, v) = app
            .post(&format!("/api/v1/datasets/{name}/versions"), &record)
            .await;
        assert!(matches!(status, 404 | 422), "{name}: {status} {v}");
        if status == 422 {
            assert_eq!(v["field"], "name", "{name}: {v}");
        }
    }
    let (status, v) = app
        .post(
            "/api/v1/datasets/with-bom/versions",
            &format!("\u{feff}{record}"),
        )
        .await;
    assert_eq!(status, 201, "an upload with a BOM: {v}");
    let (status, v) = app
        .post(
            "/api/v1/experiments/estimate",
            "\u{feff}{\"dataset_name\": \"with-bom\", \"model_configs\": [{\"model\": \"rules-v1\"}]}",
        )
        .await;
    assert_eq!(status, 200, "a JSON body with a BOM: {v}");
}
