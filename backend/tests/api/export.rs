//! Exports are streamed a page at a time: every trial once, in order, in a well-formed file.

use crate::helpers::{spawn_with, KEY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_many_pages_holds_every_trial_once_in_order() {
    let app = spawn_with(&[]).await;
    let config = tallylab::dataset::generate::GeneratorConfig {
        seed: 21,
        records: 450,
        ..Default::default()
    };
    let body: String = tallylab::dataset::generate::generate(&config)
        .map(|r| serde_json::to_string(&r).expect("json") + "\n")
        .collect();
    let (status, v) = app.post("/api/v1/datasets/many/versions", &body).await;
    assert_eq!(status, 201, "{v}");
    let run = r#"{"dataset_name": "many", "model_configs": [{"model": "rules-v1"}], "jobs": 8}"#;
    let (status, v) = app.post("/api/v1/experiments/run", run).await;
    assert_eq!(status, 200, "{v}");
    let id = v["experiments"][0]["experiment_id"].as_str().expect("id");

    let get = |format: &'static str| {
        let url = format!(
            "{}/api/v1/experiments/{id}/export?format={format}",
            app.base
        );
        let client = app.client.clone();
        async move {
            client
                .get(url)
                .header("X-API-Key", KEY)
                .send()
                .await
                .expect("export")
                .text()
                .await
                .expect("body")
        }
    };
    let json: serde_json::Value = serde_json::from_str(&get("json").await).expect("well-formed");
    assert_eq!(json["experiment"]["experiment_id"], id);
    let ids: Vec<&str> = json["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["record_id"].as_str().expect("record id"))
        .collect();
    let expected: Vec<String> = (0..450).map(|i| format!("gen-21-{i:06}")).collect();
    assert_eq!(ids, expected);
    let csv = get("csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 451, "a header and one row per trial");
    assert!(lines[0].starts_with("record_id,repetition,status"));
    assert!(lines[450].starts_with("gen-21-000449,0,"));
}
